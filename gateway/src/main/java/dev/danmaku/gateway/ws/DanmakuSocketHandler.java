package dev.danmaku.gateway.ws;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import com.google.protobuf.InvalidProtocolBufferException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.undertow.websockets.WebSocketConnectionCallback;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedBinaryMessage;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.spi.WebSocketHttpExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.Pooled;

import dev.danmaku.common.auth.Identity;
import dev.danmaku.common.auth.InvalidTokenException;
import dev.danmaku.common.auth.Tokens;
import dev.danmaku.gateway.GatewayConfig;
import dev.danmaku.gateway.kafka.RawPublisher;
import dev.danmaku.gateway.room.Room;
import dev.danmaku.gateway.room.RoomRegistry;
import dev.danmaku.proto.v1.Ack;
import dev.danmaku.proto.v1.ClientFrame;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.Error;
import dev.danmaku.proto.v1.Join;
import dev.danmaku.proto.v1.Joined;
import dev.danmaku.proto.v1.Mode;
import dev.danmaku.proto.v1.Origin;
import dev.danmaku.proto.v1.Pong;
import dev.danmaku.proto.v1.RawDanmaku;
import dev.danmaku.proto.v1.Reason;
import dev.danmaku.proto.v1.Send;
import dev.danmaku.proto.v1.ServerFrame;
import dev.danmaku.proto.v1.Verdict;

/** Accepts viewer connections on /ws and answers their frames (DESIGN §4). */
public final class DanmakuSocketHandler implements WebSocketConnectionCallback {

    public static final int CLOSE_BAD_TOKEN = 4001;
    public static final int CLOSE_PROTOCOL_VIOLATION = 4008;

    private static final Logger log = LoggerFactory.getLogger(DanmakuSocketHandler.class);
    private static final Pattern ROOM_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final int MAX_CLIENT_MSG_ID = 64;

    private final GatewayConfig config;
    private final RoomRegistry registry;
    private final RawPublisher publisher;
    private final Tokens tokens;
    private final TimeBasedEpochGenerator msgIds = Generators.timeBasedEpochGenerator();
    private final AtomicLong sessionIds = new AtomicLong();
    private final Counter sendFailures;
    private final Counter danmakuIn;

    public DanmakuSocketHandler(GatewayConfig config, RoomRegistry registry, RawPublisher publisher, Tokens tokens,
            MeterRegistry meters) {
        this.config = config;
        this.registry = registry;
        this.publisher = publisher;
        this.tokens = tokens;
        Tags gateway = Tags.of("gateway", config.gatewayId());
        this.sendFailures = meters.counter("danmaku_gateway_write_failures_total", gateway);
        this.danmakuIn = meters.counter("danmaku_gateway_danmaku_received_total", gateway);
        meters.gauge("danmaku_gateway_sessions", gateway, registry, RoomRegistry::sessionCount);
        meters.gauge("danmaku_gateway_rooms", gateway, registry, RoomRegistry::roomCount);
    }

    @Override
    public void onConnect(WebSocketHttpExchange exchange, WebSocketChannel channel) {
        WireFormat format = WireFormat.forSubprotocol(channel.getSubProtocol());
        ClientSession session = new ClientSession(Long.toString(sessionIds.incrementAndGet(), 36), channel, format,
                sendFailures);
        registry.register(session);
        channel.addCloseTask(closed -> registry.unregister(session));
        channel.getReceiveSetter().set(new FrameListener(session));
        channel.resumeReceives();
    }

    private final class FrameListener extends AbstractReceiveListener {
        private final ClientSession session;

        FrameListener(ClientSession session) {
            this.session = session;
        }

        @Override
        protected void onFullTextMessage(WebSocketChannel channel, BufferedTextMessage message) {
            if (session.format() != WireFormat.JSON) {
                violation("text frames are not part of " + WireFormat.PROTO.subprotocol());
                return;
            }
            try {
                dispatch(WireFormat.parseJson(message.getData()));
            } catch (InvalidProtocolBufferException e) {
                violation("not a ClientFrame in JSON: " + e.getMessage());
            }
        }

        @Override
        protected void onFullBinaryMessage(WebSocketChannel channel, BufferedBinaryMessage message) {
            Pooled<ByteBuffer[]> data = message.getData();
            try {
                if (session.format() != WireFormat.PROTO) {
                    violation("binary frames need the subprotocol " + WireFormat.PROTO.subprotocol());
                    return;
                }
                dispatch(WireFormat.parseBinary(data.getResource()));
            } catch (InvalidProtocolBufferException e) {
                violation("not a ClientFrame: " + e.getMessage());
            } finally {
                data.free();
            }
        }

        @Override
        protected void onError(WebSocketChannel channel, Throwable error) {
            if (!(error instanceof IOException)) {
                log.warn("Connection {} failed", session.id(), error);
            }
            super.onError(channel, error);
        }

        private void violation(String detail) {
            session.send(error("bad_frame", detail, ""));
            session.close(CLOSE_PROTOCOL_VIOLATION, "protocol violation");
        }

        private void dispatch(ClientFrame frame) {
            switch (frame.getFrameCase()) {
                case JOIN -> join(frame.getJoin());
                case SEND -> send(frame.getSend());
                case PING -> session.send(ServerFrame.newBuilder()
                        .setPong(Pong.newBuilder().setNonce(frame.getPing().getNonce())).build());
                case LEAVE -> registry.leave(session);
                case FRAME_NOT_SET -> session.send(error("bad_frame",
                        "a frame needs one of join, send, ping, leave", ""));
            }
        }

        private void join(Join join) {
            if (!ROOM_ID.matcher(join.getRoomId()).matches()) {
                session.send(error("bad_room", "roomId: 1-64 letters, digits or . _ : -", ""));
                return;
            }
            Identity identity = null;
            if (!join.getToken().isEmpty()) {
                try {
                    identity = tokens.verify(join.getToken());
                } catch (InvalidTokenException e) {
                    session.send(error("bad_token", e.getMessage(), ""));
                    session.close(CLOSE_BAD_TOKEN, "bad token");
                    return;
                }
            } else if (!config.allowAnonymous()) {
                session.send(error("token_required", "this gateway does not admit anonymous viewers", ""));
                session.close(CLOSE_BAD_TOKEN, "token required");
                return;
            }
            Room room = registry.join(session, join.getRoomId(), identity);
            Room.Recent recent = room.recentAfter(join.getResumeAfter());
            session.send(ServerFrame.newBuilder().setJoined(Joined.newBuilder()
                    .setRoomId(room.id())
                    .setUser(session.userId())
                    .setOnline(room.online())
                    .setCanSend(session.canSend())
                    .addAllRecent(recent.danmaku())
                    .setResumed(recent.resumed())).build());
        }

        private void send(Send send) {
            String clientMsgId = send.getClientMsgId();
            if (clientMsgId.isEmpty() || clientMsgId.length() > MAX_CLIENT_MSG_ID) {
                session.send(error("bad_request", "clientMsgId: 1-" + MAX_CLIENT_MSG_ID + " characters", clientMsgId));
                return;
            }
            Room room = session.room();
            if (room == null) {
                session.send(error("not_joined", "join a room before sending", clientMsgId));
                return;
            }
            if (!session.canSend()) {
                session.send(refusal(clientMsgId, Reason.NOT_ALLOWED));
                return;
            }
            String text = send.getText().strip();
            if (text.isEmpty()) {
                session.send(error("empty_text", "text must not be empty", clientMsgId));
                return;
            }
            if (text.codePointCount(0, text.length()) > config.maxTextLength()) {
                session.send(refusal(clientMsgId, Reason.TOO_LONG));
                return;
            }
            if (send.getColor() > 0xFFFFFF) {
                session.send(error("bad_request", "color is 0xRRGGBB", clientMsgId));
                return;
            }
            Identity identity = session.identity();
            Danmaku danmaku = Danmaku.newBuilder()
                    .setMsgId(msgIds.generate().toString())
                    .setRoomId(room.id())
                    .setUserId(identity.userId())
                    .setUserName(identity.name())
                    .setText(text)
                    .setColor(send.getColor() == 0 ? 0xFFFFFF : send.getColor())
                    .setMode(send.getMode() == Mode.MODE_UNSPECIFIED ? Mode.SCROLL : send.getMode())
                    .setFontSize(send.getFontSize())
                    .setSentAtMs(System.currentTimeMillis())
                    .setVideoOffsetMs(send.getVideoOffsetMs())
                    .build();
            RawDanmaku raw = RawDanmaku.newBuilder()
                    .setDanmaku(danmaku)
                    .setOrigin(Origin.newBuilder()
                            .setGatewayId(config.gatewayId())
                            .setSessionId(session.id())
                            .setClientMsgId(clientMsgId)
                            .addAllRoles(identity.roles()))
                    .build();
            danmakuIn.increment();
            publisher.publish(raw, failure -> {
                log.warn("Could not publish danmaku {} of room {}: {}", danmaku.getMsgId(), room.id(), failure.getMessage());
                session.send(error("unavailable", "the danmaku could not be delivered; try again", clientMsgId));
            });
        }
    }

    private static ServerFrame refusal(String clientMsgId, Reason reason) {
        return ServerFrame.newBuilder().setAck(Ack.newBuilder()
                .setClientMsgId(clientMsgId).setVerdict(Verdict.REJECTED).setReason(reason)).build();
    }

    private static ServerFrame error(String code, String message, String clientMsgId) {
        return ServerFrame.newBuilder().setError(Error.newBuilder()
                .setCode(code).setMessage(message).setClientMsgId(clientMsgId)).build();
    }
}
