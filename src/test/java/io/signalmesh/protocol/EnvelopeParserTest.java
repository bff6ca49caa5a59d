package io.signalmesh.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.signalmesh.session.ClientId;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** What a relay's target receives, and which frames are refused with which code. */
class EnvelopeParserTest {

  private static final ClientId SENDER = new ClientId("sender-1");
  private final EnvelopeParser parser = new EnvelopeParser(new FieldLimits(64, 1024));

  private String relayed(String frame) {
    Envelope envelope = parser.parse(frame);
    return ServerMessages.relayed(envelope.relay(), SENDER);
  }

  private ErrorCode refusal(String frame) {
    return catchThrowableOfType(SignalingException.class, () -> parser.parse(frame)).code();
  }

  @Test
  void relayPassesThePayloadOnAsSentWithoutTargetIdAndWithTheSender() {
    String frame = "{\"type\":\"ice-candidate\",\"targetId\":\"peer-2\",\"candidate\":{\"candidate\":\"a=1 2\","
        + "\"sdpMid\":\"0\",\"sdpMLineIndex\":0},\"n\":1.50e3}";

    Envelope envelope = parser.parse(frame);

    assertThat(envelope.type()).isEqualTo(MessageType.ICE_CANDIDATE);
    assertThat(envelope.targetId()).isEqualTo(new ClientId("peer-2"));
    assertThat(ServerMessages.relayed(envelope.relay(), SENDER)).isEqualTo("{\"type\":\"ice-candidate\","
        + "\"candidate\":{\"candidate\":\"a=1 2\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0},\"n\":1.50e3,\"senderId\":\"sender-1\"}");
  }

  @Test
  void senderIdSentByTheClientIsReplacedWhereverItStands() {
    assertThat(new JsonObject(relayed("{\"senderId\":\"spoof\",\"type\":\"offer\",\"senderId\":\"again\",\"targetId\":\"p\",\"sdp\":\"v=0\"}")))
        .isEqualTo(new JsonObject().put("type", "offer").put("sdp", "v=0").put("senderId", "sender-1"));
  }

  @Test
  void nestedTargetAndSenderFieldsBelongToThePayloadAndStay() {
    String out = relayed("{\"type\":\"answer\",\"targetId\":\"p\",\"sdp\":{\"targetId\":\"x\",\"senderId\":\"y\"},\"list\":[{\"senderId\":1}]}");

    assertThat(new JsonObject(out)).isEqualTo(new JsonObject("{\"type\":\"answer\",\"sdp\":{\"targetId\":\"x\",\"senderId\":\"y\"},"
        + "\"list\":[{\"senderId\":1}],\"senderId\":\"sender-1\"}"));
  }

  @Test
  void whitespaceAndEscapesAroundMembersStillGiveOneValidObject() {
    String out = relayed(" {\n \"targetId\" : \"p\" ,\n \"type\" : \"end-call\" ,\t\"note\" : \"a,\\\"}{\\u0041\" \r\n} ");

    assertThat(new JsonObject(out)).isEqualTo(new JsonObject().put("type", "end-call").put("note", "a,\"}{A")
        .put("senderId", "sender-1"));
  }

  @Test
  void aRelayWithNothingButTypeAndTargetCarriesTypeAndSender() {
    assertThat(relayed("{\"targetId\":\"p\",\"type\":\"end-call\"}")).isEqualTo("{\"type\":\"end-call\",\"senderId\":\"sender-1\"}");
  }

  @Test
  void theLastTargetIdCountsAsInAParsedObject() {
    assertThat(parser.parse("{\"type\":\"offer\",\"targetId\":\"a\",\"targetId\":\"b\"}").targetId()).isEqualTo(new ClientId("b"));
  }

  @Test
  void framesThatAreNotExactlyOneJsonObjectAreBadJson() {
    assertThat(refusal("{\"type\":\"offer\",\"targetId\":\"p\"} {}")).isEqualTo(ErrorCode.BAD_JSON);
    assertThat(refusal("{\"type\":\"offer\",\"targetId\":\"p\"")).isEqualTo(ErrorCode.BAD_JSON);
    assertThat(refusal("[{\"type\":\"offer\"}]")).isEqualTo(ErrorCode.BAD_JSON);
    assertThat(refusal("\"offer\"")).isEqualTo(ErrorCode.BAD_JSON);
    assertThat(refusal("{\"type\":\"offer\",\"targetId\":\"p\",\"x\":01}")).isEqualTo(ErrorCode.BAD_JSON);
    assertThat(refusal("{\"type\":\"offer\",\"targetId\":\"p\",\"x\":\"a\\qb\"}")).isEqualTo(ErrorCode.BAD_JSON);
    assertThat(refusal("{\"type\":\"offer\",\"targetId\":\"p\",}")).isEqualTo(ErrorCode.BAD_JSON);
    assertThat(refusal("")).isEqualTo(ErrorCode.BAD_JSON);
  }

  @Test
  void aRelayWithoutAUsableTargetIdIsABadMessage() {
    assertThat(refusal("{\"type\":\"offer\",\"sdp\":\"v=0\"}")).isEqualTo(ErrorCode.BAD_MESSAGE);
    assertThat(refusal("{\"type\":\"offer\",\"targetId\":7}")).isEqualTo(ErrorCode.BAD_MESSAGE);
    assertThat(refusal("{\"type\":\"offer\",\"targetId\":{\"id\":\"p\"}}")).isEqualTo(ErrorCode.BAD_MESSAGE);
    assertThat(refusal("{\"type\":\"offer\",\"targetId\":\"\"}")).isEqualTo(ErrorCode.BAD_MESSAGE);
    assertThat(refusal("{\"type\":\"offer\",\"targetId\":\"" + "x".repeat(ClientId.MAX_LENGTH + 1) + "\"}"))
        .isEqualTo(ErrorCode.BAD_MESSAGE);
  }

  @Test
  void aTypeThatIsNotAStringIsABadMessageAndAnUnknownOneIsUnknownType() {
    assertThat(refusal("{\"targetId\":\"p\"}")).isEqualTo(ErrorCode.BAD_MESSAGE);
    assertThat(refusal("{\"type\":[\"offer\"],\"targetId\":\"p\"}")).isEqualTo(ErrorCode.BAD_MESSAGE);
    assertThat(refusal("{\"type\":\"offer\",\"type\":null,\"targetId\":\"p\"}")).isEqualTo(ErrorCode.BAD_MESSAGE);
    assertThat(refusal("{\"type\":\"teleport\",\"targetId\":\"p\"}")).isEqualTo(ErrorCode.UNKNOWN_TYPE);
  }

  @Test
  void otherTypesAreStillParsedAndChecked() {
    assertThat(parser.parse("{\"type\":\"join-room\",\"roomId\":\"r1\",\"name\":\"Ann\"}").roomId().value()).isEqualTo("r1");
    assertThat(refusal("{\"type\":\"join-room\",\"roomId\":\"bad room\"}")).isEqualTo(ErrorCode.BAD_MESSAGE);
    assertThat(refusal("{\"type\":\"broadcast\",\"roomId\":\"r1\",\"data\":1}")).isEqualTo(ErrorCode.BAD_MESSAGE);
  }
}
