package dev.danmaku.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;

import com.google.protobuf.InvalidProtocolBufferException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import dev.danmaku.gateway.protocol.WireFormat;
import dev.danmaku.proto.v1.ClientFrame;

/**
 * Fuzzing of the frame decoders a viewer reaches: any text or bytes either decode to a frame or fail
 * with the decoder's own exception, which the gateway answers with close 4008 — never anything else.
 */
class FrameFuzzTest {

    private static final String JSON_BITS = "{}[]\":,0123456789.-eE truefalsnl\\u joinsendpingleaveroomIdtextclientMsgId";

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(200),
                Arbitraries.strings().withChars(JSON_BITS).ofMaxLength(200),
                Arbitraries.of("{\"join\":{\"roomId\":\"a\"}}", "{\"send\":{\"text\":\"x\",\"mode\":\"NOPE\"}}",
                        "{\"send\":{\"color\":4294967295,\"fontSize\":-1}}", "{\"ping\":{}}", "[]", "null", "1e999999"));
    }

    @Property
    void anyTextFrameDecodesOrFailsAsAProtocolError(@ForAll("texts") String text) {
        try {
            assertThat(WireFormat.parseJson(text)).isNotNull();
        } catch (InvalidProtocolBufferException e) {
            assertThat(e.getMessage()).isNotNull();
        }
    }

    @Property
    void anyBinaryFrameDecodesOrFailsAsAProtocolError(@ForAll @Size(max = 300) byte[] bytes, @ForAll boolean split) {
        ByteBuffer[] data = split && bytes.length > 1
                ? new ByteBuffer[] {ByteBuffer.wrap(bytes, 0, bytes.length / 2).slice(),
                        ByteBuffer.wrap(bytes, bytes.length / 2, bytes.length - bytes.length / 2).slice()}
                : new ByteBuffer[] {ByteBuffer.wrap(bytes)};
        try {
            ClientFrame frame = WireFormat.parseBinary(data);
            assertThat(frame).isNotNull();
        } catch (InvalidProtocolBufferException e) {
            assertThat(e.getMessage()).isNotNull();
        }
    }
}
