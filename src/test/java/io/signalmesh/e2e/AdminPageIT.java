package io.signalmesh.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.TestNode;
import io.signalmesh.testsupport.Wait;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** The admin page on the management port, in real Chromium: it shows the mesh and acts on it. */
@Timeout(90)
class AdminPageIT {

  private static final String KEY = "an-admin-key-for-the-page-test";

  @Test
  void anOperatorSeesNodesRoomsAndParticipantsAndCanKickSomeone() {
    try (TestNode node = TestNode.start("--admin-key", KEY);
        TestClient ada = node.connect();
        TestClient bob = node.connect();
        Browser browser = Browser.start("admin")) {
      ada.join("standup", "Ada");
      bob.join("standup", "Bob");
      browser.open("http://127.0.0.1:" + node.managementPort() + "/");
      Wait.until("the page to ask for the key", Duration.ofSeconds(15),
          () -> text(browser, "[data-testid=admin-status]").contains("admin key"));
      browser.driver().findElement(By.cssSelector("[data-testid=admin-key]")).sendKeys(KEY + "\n");
      Wait.until("the node and the room to be listed", Duration.ofSeconds(15),
          () -> !browser.driver().findElements(By.cssSelector("tr[data-node='" + node.nodeId() + "']")).isEmpty()
              && !browser.driver().findElements(By.cssSelector("tr[data-room='standup']")).isEmpty());
      assertThat(text(browser, "tr[data-room='standup']")).contains("2");

      browser.driver().findElement(By.cssSelector("tr[data-room='standup']")).click();
      Wait.until("the participants to show", Duration.ofSeconds(15),
          () -> !browser.driver().findElements(By.cssSelector("tr[data-participant='" + bob.id() + "']")).isEmpty());
      assertThat(text(browser, "tr[data-participant='" + ada.id() + "']")).contains("Ada").contains("connected");
      browser.screenshot("admin-page.png");

      browser.js("window.confirm = () => true;");
      WebElement kick = browser.driver().findElement(By.cssSelector("tr[data-participant='" + bob.id() + "'] button"));
      kick.click();
      assertThat(bob.expect("room-closed").getString("reason")).isEqualTo("kicked");
      assertThat(ada.expect("participant-left").getString("reason")).isEqualTo("kicked");
      Wait.until("the kicked participant to leave the page", Duration.ofSeconds(15),
          () -> browser.driver().findElements(By.cssSelector("tr[data-participant='" + bob.id() + "']")).isEmpty());
      // the page asks the API before it has a key (without --admin-key it needs none): those
      // first calls answer 401, which Chromium logs; nothing else may be in the console
      assertThat(browser.consoleErrors()).allMatch(entry -> entry.getMessage().contains("status of 401"));
    }
  }

  private static String text(Browser browser, String css) {
    return browser.driver().findElements(By.cssSelector(css)).stream().map(WebElement::getText).findFirst().orElse("");
  }
}
