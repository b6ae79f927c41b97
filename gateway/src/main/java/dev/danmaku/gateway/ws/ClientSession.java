package dev.danmaku.gateway.ws;

import java.io.IOException;
import java.nio.ByteBuffer;

import io.micrometer.core.instrument.Counter;
import io.undertow.websockets.core.WebSocketCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;

import dev.danmaku.common.auth.Identity;
import dev.danmaku.gateway.room.Room;
import dev.danmaku.proto.v1.ServerFrame;

/** One viewer's connection: who it is, which room it is in, and how to write to it. */
public final class ClientSession {

    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

    private final String id;
    private final WebSocketChannel channel;
    private final WireFormat format;
    private final WebSocketCallback<Void> onSendResult;
    private volatile Identity identity;
    private volatile Room room;

    public ClientSession(String id, WebSocketChannel channel, WireFormat format, Counter sendFailures) {
        this.id = id;
        this.channel = channel;
        this.format = format;
        this.onSendResult = new EvictOnFailure(sendFailures);
    }

    public String id() {
        return id;
    }

    public WireFormat format() {
        return format;
    }

    /** Null while anonymous. */
    public Identity identity() {
        return identity;
    }

    public String userId() {
        Identity current = identity;
        return current == null ? "anonymous-" + id : current.userId();
    }

    public boolean canSend() {
        return identity != null;
    }

    /** Null until joined. */
    public Room room() {
        return room;
    }

    public void enter(Room newRoom, Identity newIdentity) {
        this.room = newRoom;
        this.identity = newIdentity;
    }

    public void leaveRoom() {
        this.room = null;
    }

    public void send(ServerFrame frame) {
        send(new OutboundFrame(frame));
    }

    public void send(OutboundFrame frame) {
        if (!channel.isOpen()) {
            return;
        }
        ByteBuffer bytes = frame.bytes(format);
        if (format == WireFormat.PROTO) {
            WebSockets.sendBinary(bytes, channel, onSendResult);
        } else {
            WebSockets.sendText(bytes, channel, onSendResult);
        }
    }

    /** Sends a close frame with the code of DESIGN §4 and closes the connection. */
    public void close(int code, String reason) {
        if (channel.isOpen()) {
            WebSockets.sendClose(code, reason, channel, new WebSocketCallback<>() {
                @Override
                public void complete(WebSocketChannel ch, Void context) {
                    IoUtils.safeClose(ch);
                }

                @Override
                public void onError(WebSocketChannel ch, Void context, Throwable throwable) {
                    IoUtils.safeClose(ch);
                }
            });
        }
    }

    /** A write that fails means the peer is gone or broken: count it and drop the connection. */
    private static final class EvictOnFailure implements WebSocketCallback<Void> {
        private final Counter failures;

        EvictOnFailure(Counter failures) {
            this.failures = failures;
        }

        @Override
        public void complete(WebSocketChannel channel, Void context) {
        }

        @Override
        public void onError(WebSocketChannel channel, Void context, Throwable throwable) {
            failures.increment();
            if (!(throwable instanceof IOException)) {
                log.warn("Write to {} failed", channel.getPeerAddress(), throwable);
            }
            IoUtils.safeClose(channel);
        }
    }
}
