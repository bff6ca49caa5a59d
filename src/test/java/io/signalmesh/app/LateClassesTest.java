package io.signalmesh.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The classes loaded before a rehearsal exist under the names given: an upgrade may move one. */
class LateClassesTest {

  @Test
  void everyClassNamedIsFoundAndLoaded() {
    assertThat(LateClasses.load()).isEmpty();
  }

  @Test
  void aNameThatIsNotOnTheClassPathIsReportedNotThrown() {
    assertThat(LateClasses.load(List.of("io.signalmesh.app.NoSuchClass", "java.lang.String")))
        .containsExactly("io.signalmesh.app.NoSuchClass");
  }
}
