package dev.danmaku.gateway.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;

import dev.danmaku.proto.v1.ClientFrame;
import dev.danmaku.proto.v1.ServerFrame;

/** The two subprotocols of DESIGN §4: the same messages as protobuf binary or canonical proto3 JSON. */
public enum WireFormat {
    PROTO("danmaku.v1.proto"),
    JSON("danmaku.v1.json");

    // Fields with default values are printed too, so JSON clients always see the same shape.
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer()
            .omittingInsignificantWhitespace()
            .alwaysPrintFieldsWithNoPresence();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser();

    private final String subprotocol;

    WireFormat(String subprotocol) {
        this.subprotocol = subprotocol;
    }

    public String subprotocol() {
        return subprotocol;
    }

    /** The format for a negotiated subprotocol; JSON when the client named none. */
    public static WireFormat forSubprotocol(String negotiated) {
        return PROTO.subprotocol.equals(negotiated) ? PROTO : JSON;
    }

    public ByteBuffer encode(ServerFrame frame) {
        if (this == PROTO) {
            return ByteBuffer.wrap(frame.toByteArray()).asReadOnlyBuffer();
        }
        try {
            return ByteBuffer.wrap(PRINTER.print(frame).getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a ServerFrame always has a JSON form", e);
        }
    }

    public static ClientFrame parseJson(String text) throws InvalidProtocolBufferException {
        ClientFrame.Builder builder = ClientFrame.newBuilder();
        PARSER.merge(text, builder);
        return builder.build();
    }

    public static ClientFrame parseBinary(ByteBuffer[] data) throws InvalidProtocolBufferException {
        int size = 0;
        for (ByteBuffer buffer : data) {
            size += buffer.remaining();
        }
        byte[] bytes = new byte[size];
        int offset = 0;
        for (ByteBuffer buffer : data) {
            int length = buffer.remaining();
            buffer.get(bytes, offset, length);
            offset += length;
        }
        return ClientFrame.parseFrom(bytes);
    }
}
