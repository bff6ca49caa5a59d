package io.signalmesh.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The outbound queue bound counts bytes as they go on the wire, whatever the text. */
class Utf8LengthTest {

  @Test
  void countsEncodedBytesForAsciiAccentsCjkAndEmoji() {
    for (String text : new String[] {"", "plain ascii", "Zoë and Ådne", "会议室", "hand 🖐🏽 raised", "mixed é会🙂"}) {
      assertThat(WebSocketConnection.utf8Length(text)).as(text).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
    }
  }
}
