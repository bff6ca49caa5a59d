package io.signalmesh.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import io.signalmesh.testsupport.PropertyCheck;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Generated hostile frames against the protocol parser (docs/security.md, Hostile input): whatever
 * a client sends, the parser either accepts it with every field a handler reads present and
 * sane, or refuses it with one of the protocol's codes; nothing else escapes. Seeds are random
 * per run; a failure names the seed to replay with {@code -Dsignalmesh.seed=<seed>}.
 */
@Timeout(60)
class ParserHostileInputTest {

  private static final FieldLimits LIMITS = new FieldLimits(64, 1024);
  private static final Set<ErrorCode> PARSER_CODES = EnumSet.of(ErrorCode.BAD_JSON, ErrorCode.BAD_MESSAGE,
      ErrorCode.UNKNOWN_TYPE);
  private static final ObjectMapper STRICT_JSON = new ObjectMapper();
  private static final ClientId SENDER = ClientId.random();

  private final EnvelopeParser parser = new EnvelopeParser(LIMITS);
  private final HostileFrames frames = new HostileFrames(LIMITS);

  @Test
  void anyFrameIsAcceptedWithSaneFieldsOrRefusedWithAProtocolCode() {
    PropertyCheck.forAll("any frame", frames::anyText)
        .tries(6000)
        .shrinkWith(text -> HostileFrames.shrinkText(text).stream())
        .shrinkBudget(3000, Duration.ofSeconds(20))
        .describedBy(ParserHostileInputTest::quoted)
        .check(text -> {
          Envelope envelope;
          try {
            envelope = parser.parse(text);
          } catch (SignalingException refused) {
            assertThat(refused.code()).isIn(PARSER_CODES);
            assertThat(refused.getMessage()).isNotBlank();
            assertIsStrictJson(ServerMessages.error(refused.code(), refused.getMessage(), EnvelopeParser.typeOf(text)));
            return;
          }
          assertSane(envelope);
        });
  }

  @Test
  void everyFlawedFrameIsRefusedWithTheCodeItsFlawCallsFor() {
    PropertyCheck.forAll("flawed frame", frames::invalid)
        .tries(4000)
        .check(invalid -> {
          try {
            Envelope accepted = parser.parse(invalid.text());
            fail("accepted as " + accepted.type() + ": " + invalid);
          } catch (SignalingException refused) {
            assertThat(refused.code()).as(invalid.flaw()).isEqualTo(invalid.code());
          }
          assertThat(EnvelopeParser.typeOf(invalid.text())).as("ref of the error").isEqualTo(invalid.ref());
        });
  }

  @Test
  void everyValidEnvelopeIsAcceptedAndItsPayloadRelayedUnchanged() {
    PropertyCheck.forAll("valid envelope", frames::valid)
        .tries(4000)
        .check(body -> {
          Envelope envelope = parser.parse(body.encode());
          assertThat(envelope.type().wireName()).isEqualTo(body.getString("type"));
          assertSane(envelope);
          if (envelope.type().isRelay()) {
            JsonObject received = new JsonObject(ServerMessages.relayed(envelope.relay(), SENDER));
            JsonObject expected = new JsonObject(body.encode());
            expected.remove("targetId");
            expected.put("senderId", SENDER.value());
            assertThat(received).isEqualTo(expected);
          }
        });
  }

  /** What handlers rely on once a frame is accepted, and that every frame made from it is JSON a browser parses. */
  private void assertSane(Envelope envelope) {
    JsonObject body = envelope.body();
    assertThat(envelope.type()).isNotNull();
    switch (envelope.type()) {
      case JOIN_ROOM -> {
        RoomId room = envelope.roomId();
        String name = envelope.name();
        assertThat(name == null || name.length() <= LIMITS.maxNameLength()).as("name within limits").isTrue();
        JsonObject metadata = envelope.metadata();
        assertThat(metadata == null
            || metadata.encode().getBytes(StandardCharsets.UTF_8).length <= LIMITS.maxMetadataBytes()).isTrue();
        assertIsStrictJson(ServerMessages.participantJoined(room,
            new io.signalmesh.presence.Member(SENDER, "node", name, metadata, 0)));
      }
      case LEAVE_ROOM -> envelope.roomId();
      case BROADCAST -> assertIsStrictJson(ServerMessages.broadcast(envelope.roomId(), SENDER, envelope.data()));
      case OFFER, ANSWER, ICE_CANDIDATE, END_CALL -> {
        assertThat(envelope.targetId().value()).isNotEmpty().hasSizeLessThanOrEqualTo(ClientId.MAX_LENGTH);
        assertIsStrictJson(ServerMessages.relayed(envelope.relay(), SENDER));
      }
      case GET_PEERS, PING -> { }
    }
  }

  private static void assertIsStrictJson(String frame) {
    try {
      assertThat(STRICT_JSON.readTree(frame).isObject()).as("a JSON object: %s", frame).isTrue();
    } catch (Exception e) {
      fail("the server would send a frame that is not strict JSON: " + quoted(frame), e);
    }
  }

  private static String quoted(String text) {
    StringBuilder out = new StringBuilder("\"");
    text.codePoints().forEach(c -> {
      if (c < 0x20 || c == 0x7f || (c >= 0xd800 && c <= 0xdfff) || c == 0x2028 || c == 0x2029 || c == 0xfeff) {
        out.append(String.format("\\u%04x", c));
      } else {
        out.appendCodePoint(c);
      }
    });
    return out.append("\" (").append(text.length()).append(" chars)").toString();
  }
}
