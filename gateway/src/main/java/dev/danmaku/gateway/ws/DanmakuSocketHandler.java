package dev.danmaku.gateway.ws;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import com.google.protobuf.InvalidProtocolBufferException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.undertow.util.StatusCodes;
import io.undertow.util.Headers;
import io.undertow.server.HttpHandler;
import io.undertow.websockets.WebSocketConnectionCallback;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedBinaryMessage;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.spi.WebSocketHttpExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.Pooled;

import dev.danmaku.common.http.Problem;
import dev.danmaku.common.RoomIds;
import dev.danmaku.common.auth.Identity;
import dev.danmaku.common.auth.InvalidTokenException;
import dev.danmaku.common.auth.Tokens;
import dev.danmaku.gateway.GatewayConfig;
import dev.danmaku.gateway.kafka.RawPublisher;
import dev.danmaku.gateway.presence.PresenceTracker;
import dev.danmaku.gateway.protocol.ServerFrames;
import dev.danmaku.gateway.protocol.WireFormat;
import dev.danmaku.gateway.room.RoomRegistry;
import dev.danmaku.gateway.send.Draft;
import dev.danmaku.proto.v1.ClientFrame;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.Join;
import dev.danmaku.proto.v1.Origin;
import dev.danmaku.proto.v1.RawDanmaku;
import dev.danmaku.proto.v1.Reason;
import dev.danmaku.proto.v1.Send;

/** Accepts viewer connections on /ws and answers their frames (DESIGN §4). */
public final class DanmakuSocketHandler implements WebSocketConnectionCallback {

    public static final int CLOSE_BAD_TOKEN = 4001;
    public static final int CLOSE_PROTOCOL_VIOLATION = 4008;
    public static final int CLOSE_TOO_MANY_CONNECTIONS = 4029;
    public static final int CLOSE_GOING_AWAY = 1001;
    public static final int CLOSE_INTERNAL_ERROR = 1011;

    private static final Logger log = LoggerFactory.getLogger(DanmakuSocketHandler.class);
    private static final int MAX_CLIENT_MSG_ID = 64;
    private static final long FOLLOW_TIMEOUT_SECONDS = 10;
    /** Joins per connection: a viewer switches rooms now and then; a script that churns rooms is held back. */
    public static final int JOIN_BURST = 5;
    static final double JOINS_PER_SECOND = 0.5;

    private final GatewayConfig config;
    private final GatewayConfig.Limits limits;
    private final ClientAddresses addresses;
    private final UserLimits users;
    private final AddressLimits addressLimits;
    private final OutboundBudget outbound;
    private final RoomRegistry registry;
    private final SessionTable sessions;
    private final PresenceTracker presence;
    private final RawPublisher publisher;
    private final Tokens tokens;
    private final ScheduledExecutorService timer;
    private final SessionMetrics metrics;
    private final TimeBasedEpochGenerator msgIds = Generators.timeBasedEpochGenerator();
    private final AtomicLong sessionIds = new AtomicLong();

    public DanmakuSocketHandler(GatewayConfig config, EdgeLimits edge, RoomRegistry registry, SessionTable sessions,
            PresenceTracker presence, RawPublisher publisher, Tokens tokens, ScheduledExecutorService timer,
            MeterRegistry meters) {
        this.config = config;
        this.limits = config.limits();
        this.addresses = edge.addresses();
        this.users = edge.users();
        this.addressLimits = edge.addressLimits();
        this.outbound = new OutboundBudget(limits.outboundBudgetBytes());
        this.registry = registry;
        this.sessions = sessions;
        this.presence = presence;
        this.publisher = publisher;
        this.tokens = tokens;
        this.timer = timer;
        this.metrics = new SessionMetrics(meters, config.gatewayId());
        Tags gateway = Tags.of("gateway", config.gatewayId());
        meters.gauge("danmaku_gateway_sessions", gateway, sessions, SessionTable::count);
        meters.gauge("danmaku_gateway_rooms", gateway, registry, RoomRegistry::roomCount);
        meters.gauge("danmaku_gateway_outbound_queued_bytes", gateway, outbound, OutboundBudget::queuedBytes);
    }

    @Override
    public void onConnect(WebSocketHttpExchange exchange, WebSocketChannel channel) {
        long id = sessionIds.incrementAndGet();
        ClientSession session = new ClientSession(Long.toString(id, 36), channel,
                WireFormat.forSubprotocol(channel.getSubProtocol()), addressOf(exchange, channel),
                (int) (id % config.broadcast().threads()), metrics, outbound, config.broadcast().outboundQueueBytes(),
                config.broadcast().slowViewerTimeout().toNanos(),
                new SendRate(limits.sendRatePerSecond(), limits.sendBurst(), System.nanoTime()),
                limits.answerTimeout().toNanos());
        if (sessions.count() >= limits.maxConnections()) {
            refuse(session, CLOSE_TOO_MANY_CONNECTIONS, "too_many_connections", "this gateway is full; try another");
            return;
        }
        if (!addressLimits.connect(session.address(), System.nanoTime())) {
            refuse(session, CLOSE_TOO_MANY_CONNECTIONS, "too_many_connections",
                    "your address holds " + limits.maxConnectionsPerAddress() + " connections already");
            return;
        }
        sessions.register(session);
        channel.addCloseTask(closed -> {
            sessions.unregister(session);
            users.release(session.id(), System.nanoTime());
            addressLimits.release(session.address(), System.nanoTime());
        });
        channel.getReceiveSetter().set(new FrameListener(session));
        channel.resumeReceives();
        timer.schedule(() -> {
            if (!session.joinedOnce()) {
                refuse(session, CLOSE_PROTOCOL_VIOLATION, "join_timeout",
                        "join a room within " + limits.joinTimeout().toMillis() + " ms of connecting");
            }
        }, limits.joinTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Called every ping interval: pings live viewers, drops those that answered nothing since the last ping. */
    public void pingAll() {
        for (ClientSession session : sessions.sessions()) {
            if (session.pingOrFindDead()) {
                metrics.refused("ping_timeout");
                session.abort();
            }
        }
    }

    /**
     * Refuses (403) a handshake from a browser origin not allowed, before the upgrade: the page's
     * script learns nothing, and no socket or session is made for it. The gateway's own pages (the
     * origin's host is the request's host) are always allowed.
     */
    public HttpHandler checkingOrigin(HttpHandler upgrade) {
        return exchange -> {
            String origin = exchange.getRequestHeaders().getFirst(Headers.ORIGIN);
            if (!config.admitsOrigin(origin, exchange.getRequestHeaders().getFirst(Headers.HOST))) {
                metrics.refused("origin_not_allowed");
                Problem.send(exchange, StatusCodes.FORBIDDEN, "origin " + origin + " may not open /ws");
                return;
            }
            upgrade.handleRequest(exchange);
        };
    }

    private void refuse(ClientSession session, int closeCode, String code, String message) {
        metrics.refused(code);
        session.send(ServerFrames.error(code, message, ""));
        session.close(closeCode, code);
    }

    /** Who the connection counts against for the per-address cap: the client behind a trusted proxy, or the peer. */
    private String addressOf(WebSocketHttpExchange exchange, WebSocketChannel channel) {
        InetSocketAddress peer = channel.getSourceAddress();
        if (peer == null || peer.getAddress() == null) {
            return "unknown";
        }
        return addresses.of(peer.getAddress(), exchange.getRequestHeader("X-Forwarded-For"));
    }

    private final class FrameListener extends AbstractReceiveListener {
        private final ClientSession session;
        private final SendRate joins = new SendRate(JOINS_PER_SECOND, JOIN_BURST, System.nanoTime());

        FrameListener(ClientSession session) {
            this.session = session;
        }

        // a frame above the limit makes Undertow close with 1009 before it is buffered whole
        @Override
        protected long getMaxTextBufferSize() {
            return limits.maxFrameBytes();
        }

        @Override
        protected long getMaxBinaryBufferSize() {
            return limits.maxFrameBytes();
        }

        @Override
        protected void onFullTextMessage(WebSocketChannel channel, BufferedTextMessage message) {
            String text = message.getData();
            session.heard();
            metrics.frameIn(text.length());
            if (session.format() != WireFormat.JSON) {
                violation("text frames are not part of " + WireFormat.PROTO.subprotocol());
                return;
            }
            try {
                dispatchOrClose(WireFormat.parseJson(text));
            } catch (InvalidProtocolBufferException e) {
                violation("not a ClientFrame in JSON: " + e.getMessage());
            }
        }

        @Override
        protected void onFullBinaryMessage(WebSocketChannel channel, BufferedBinaryMessage message) {
            Pooled<ByteBuffer[]> data = message.getData();
            try {
                session.heard();
                if (session.format() != WireFormat.PROTO) {
                    violation("binary frames need the subprotocol " + WireFormat.PROTO.subprotocol());
                    return;
                }
                ClientFrame frame = WireFormat.parseBinary(data.getResource());
                metrics.frameIn(frame.getSerializedSize());
                dispatchOrClose(frame);
            } catch (InvalidProtocolBufferException e) {
                violation("not a ClientFrame: " + e.getMessage());
            } finally {
                data.free();
            }
        }

        @Override
        protected void onFullPongMessage(WebSocketChannel channel, BufferedBinaryMessage message) {
            session.heard();
            message.getData().free();
        }

        @Override
        protected void onFullPingMessage(WebSocketChannel channel, BufferedBinaryMessage message) throws IOException {
            session.heard();
            super.onFullPingMessage(channel, message);
        }

        @Override
        protected void onError(WebSocketChannel channel, Throwable error) {
            if (!(error instanceof IOException)) {
                log.warn("Connection {} failed", session.id(), error);
            }
            super.onError(channel, error);
        }

        private void violation(String detail) {
            refuse(session, CLOSE_PROTOCOL_VIOLATION, "bad_frame", detail);
        }

        /** A frame this gateway fails on is its own fault: logged, and the viewer told with 1011 to reconnect. */
        private void dispatchOrClose(ClientFrame frame) {
            try {
                dispatch(frame);
            } catch (RuntimeException e) {
                log.error("Closing connection {}: handling a {} frame failed", session.id(), frame.getFrameCase(), e);
                metrics.refused("internal_error");
                session.close(CLOSE_INTERNAL_ERROR, "internal_error");
            }
        }

        private void dispatch(ClientFrame frame) {
            switch (frame.getFrameCase()) {
                case JOIN -> join(frame.getJoin());
                case SEND -> send(frame.getSend());
                case PING -> session.send(ServerFrames.pong(frame.getPing().getNonce()));
                case LEAVE -> registry.leave(session);
                case FRAME_NOT_SET -> reply("bad_frame", "a frame needs one of join, send, ping, leave", "");
            }
        }

        private void reply(String code, String message, String clientMsgId) {
            metrics.refused(code);
            session.send(ServerFrames.error(code, message, clientMsgId));
        }

        private void join(Join join) {
            if (!RoomIds.isValid(join.getRoomId())) {
                reply("bad_room", "roomId: 1-64 letters, digits or . _ : -", "");
                return;
            }
            if (!joins.tryAcquire(System.nanoTime())) {
                reply("rate_limited", "too many joins on this connection: wait a moment and join again", "");
                return;
            }
            if (!addressLimits.tryJoin(session.address(), System.nanoTime())) {
                reply("rate_limited", "too many joins from your address: wait a moment and join again", "");
                return;
            }
            Identity identity = null;
            if (!join.getToken().isEmpty()) {
                try {
                    identity = tokens.verify(join.getToken());
                } catch (InvalidTokenException e) {
                    refuse(session, CLOSE_BAD_TOKEN, "bad_token", e.getMessage());
                    return;
                }
                UserLimits.Decision admission = users.admit(session.id(), identity.userId(), System.nanoTime());
                switch (admission.admission()) {
                    case TOO_MANY_CONNECTIONS -> {
                        refuse(session, CLOSE_TOO_MANY_CONNECTIONS, "too_many_connections", "you hold "
                                + limits.maxConnectionsPerUser() + " connections to this gateway already");
                        return;
                    }
                    case TOO_MANY_JOINS -> {
                        reply("rate_limited", "too many joins as this user: wait a moment and join again", "");
                        return;
                    }
                    case ADMITTED -> session.useSendRate(admission.sends());
                }
            } else if (!config.allowAnonymous()) {
                refuse(session, CLOSE_BAD_TOKEN, "token_required", "this gateway does not admit anonymous viewers");
                return;
            }
            Identity who = identity;
            long ticket = session.startJoin();
            RoomRegistry.Reserved reserved = registry.reserve(join.getRoomId());
            reserved.followed()
                    .orTimeout(FOLLOW_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .whenComplete((ignored, failure) -> {
                        if (failure != null) {
                            reserved.room().cancelReservation();
                            reply("unavailable", "the room's feed could not be reached; try again", "");
                            return;
                        }
                        registry.join(session, ticket, reserved.room(), who, join.getResumeAfter(), recent -> ServerFrames.joined(
                                reserved.room().id(), session.userId(), presence.online(reserved.room()), session.canSend(),
                                recent.danmaku(), recent.resumed()));
                    });
        }

        private void send(Send send) {
            String clientMsgId = send.getClientMsgId();
            if (clientMsgId.isEmpty() || clientMsgId.length() > MAX_CLIENT_MSG_ID) {
                reply("bad_request", "clientMsgId: 1-" + MAX_CLIENT_MSG_ID + " characters", clientMsgId);
                return;
            }
            var room = session.room();
            if (room == null) {
                reply("not_joined", "join a room before sending", clientMsgId);
                return;
            }
            if (!session.canSend()) {
                refusal(clientMsgId, Reason.NOT_ALLOWED);
                return;
            }
            if (session.tokenExpired(Instant.now())) {
                reply("token_expired", "your token has expired: join again with a new one to send", clientMsgId);
                return;
            }
            Draft draft = new Draft(room.id(), send.getText().strip(), send.getColor(), send.getMode(), send.getFontSize(),
                    send.getVideoOffsetMs());
            Draft.Fault fault = draft.check(limits.maxTextLength());
            if (fault != null) {
                if (fault.refusal()) {
                    refusal(clientMsgId, fault.reason());
                } else {
                    reply(fault.code(), fault.message(), clientMsgId);
                }
                return;
            }
            SendLedger sends = session.sends();
            String msgId;
            boolean retry = send.getRetry();
            switch (sends.admit(clientMsgId)) {
                case ANSWERED -> {
                    session.send(sends.ackOf(clientMsgId));
                    return;
                }
                case WAIT -> {
                    return; // its first copy is still being judged: the ack, or unavailable, follows
                }
                case REPUBLISH -> {
                    msgId = sends.msgIdOf(clientMsgId);
                    retry = true; // Kafka may have taken the first copy after all
                }
                default -> {
                    if (!session.sendRate().tryAcquire(System.nanoTime())) {
                        refusal(clientMsgId, Reason.RATE_LIMITED);
                        return;
                    }
                    msgId = msgIds.generate().toString();
                }
            }
            sends.publishing(clientMsgId, msgId);
            Identity identity = session.identity();
            Danmaku danmaku = draft.toDanmaku(msgId, identity);
            RawDanmaku raw = RawDanmaku.newBuilder()
                    .setDanmaku(danmaku)
                    .setOrigin(Origin.newBuilder()
                            .setGatewayId(config.gatewayId())
                            .setSessionId(session.id())
                            .setClientMsgId(clientMsgId)
                            .setRetry(retry)
                            .addAllRoles(identity.rolesIn(room.id()))) // a scoped moderator has no limit exemption elsewhere
                    .build();
            publisher.publish(raw, failure -> {
                sends.refused(clientMsgId);
                log.warn("Could not publish danmaku {} of room {}: {}", danmaku.getMsgId(), room.id(), failure.getMessage());
                reply("unavailable", "the danmaku could not be delivered; try again", clientMsgId);
            });
        }

        private void refusal(String clientMsgId, Reason reason) {
            metrics.refused(reason.name());
            session.send(ServerFrames.refusal(clientMsgId, reason));
        }
    }

}
