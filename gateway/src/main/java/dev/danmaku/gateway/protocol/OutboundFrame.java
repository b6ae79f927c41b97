package dev.danmaku.gateway.protocol;

import java.nio.ByteBuffer;

import dev.danmaku.proto.v1.ServerFrame;

/**
 * A frame bound for many sessions: encoded at most once per wire format, on first use, and the
 * same bytes written to every session that speaks that format.
 */
public final class OutboundFrame {

    private final ServerFrame frame;
    private volatile ByteBuffer proto;
    private volatile ByteBuffer json;

    public OutboundFrame(ServerFrame frame) {
        this.frame = frame;
    }

    public ServerFrame frame() {
        return frame;
    }

    /** A private view of the encoded bytes: each send consumes its own duplicate. */
    public ByteBuffer bytes(WireFormat format) {
        ByteBuffer encoded = format == WireFormat.PROTO ? proto : json;
        if (encoded == null) {
            encoded = format.encode(frame);
            if (format == WireFormat.PROTO) {
                proto = encoded;
            } else {
                json = encoded;
            }
        }
        return encoded.duplicate();
    }
}
