package dev.danmaku.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import com.google.protobuf.InvalidProtocolBufferException;
import org.junit.jupiter.api.Test;

import dev.danmaku.proto.v1.Ack;
import dev.danmaku.proto.v1.ClientFrame;
import dev.danmaku.proto.v1.Mode;
import dev.danmaku.proto.v1.Reason;
import dev.danmaku.proto.v1.ServerFrame;
import dev.danmaku.proto.v1.Verdict;

class WireFormatTest {

    @Test
    void jsonFramesUseTheWordsOfTheProtocol() {
        ServerFrame ack = ServerFrame.newBuilder().setAck(Ack.newBuilder()
                .setClientMsgId("c1").setMsgId("m1").setVerdict(Verdict.REJECTED).setReason(Reason.BLOCKED_KEYWORD)).build();
        String json = StandardCharsets.UTF_8.decode(WireFormat.JSON.encode(ack)).toString();
        assertThat(json).isEqualTo(
                "{\"ack\":{\"clientMsgId\":\"c1\",\"msgId\":\"m1\",\"verdict\":\"REJECTED\",\"reason\":\"BLOCKED_KEYWORD\"}}");
    }

    @Test
    void jsonPrintsDefaultFieldsSoClientsSeeOneShape() {
        ServerFrame ack = ServerFrame.newBuilder().setAck(Ack.newBuilder().setClientMsgId("c1").setVerdict(Verdict.ACCEPTED))
                .build();
        String json = StandardCharsets.UTF_8.decode(WireFormat.JSON.encode(ack)).toString();
        assertThat(json).contains("\"reason\":\"REASON_UNSPECIFIED\"").contains("\"msgId\":\"\"");
    }

    @Test
    void parsesAClientJsonFrame() throws InvalidProtocolBufferException {
        ClientFrame frame = WireFormat.parseJson("{\"send\": {\"clientMsgId\": \"c1\", \"text\": \"hi\", \"mode\": \"TOP\"}}");
        assertThat(frame.getSend().getText()).isEqualTo("hi");
        assertThat(frame.getSend().getMode()).isEqualTo(Mode.TOP);
    }

    @Test
    void refusesJsonThatIsNotAFrame() {
        assertThatThrownBy(() -> WireFormat.parseJson("{\"shout\": {}}")).isInstanceOf(InvalidProtocolBufferException.class);
        assertThatThrownBy(() -> WireFormat.parseJson("not json")).isInstanceOf(InvalidProtocolBufferException.class);
    }

    @Test
    void binaryFramesRoundTripAcrossBufferBoundaries() throws InvalidProtocolBufferException {
        byte[] bytes = ClientFrame.newBuilder().setPing(dev.danmaku.proto.v1.Ping.newBuilder().setNonce("n-42")).build()
                .toByteArray();
        ByteBuffer first = ByteBuffer.wrap(bytes, 0, 3);
        ByteBuffer rest = ByteBuffer.wrap(bytes, 3, bytes.length - 3);
        assertThat(WireFormat.parseBinary(new ByteBuffer[] {first, rest}).getPing().getNonce()).isEqualTo("n-42");
    }

    @Test
    void outboundFrameEncodesOncePerFormatAndHandsOutIndependentViews() {
        OutboundFrame frame = new OutboundFrame(ServerFrame.newBuilder()
                .setAck(Ack.newBuilder().setClientMsgId("c1")).build());
        ByteBuffer a = frame.bytes(WireFormat.PROTO);
        a.get(new byte[a.remaining()]);
        ByteBuffer b = frame.bytes(WireFormat.PROTO);
        assertThat(b.remaining()).isPositive();
        assertThat(frame.bytes(WireFormat.JSON).remaining()).isNotEqualTo(b.remaining());
    }

    @Test
    void noSubprotocolMeansJson() {
        assertThat(WireFormat.forSubprotocol(null)).isEqualTo(WireFormat.JSON);
        assertThat(WireFormat.forSubprotocol("danmaku.v1.proto")).isEqualTo(WireFormat.PROTO);
    }
}
