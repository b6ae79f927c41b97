package dev.danmaku.gateway.player;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import io.micrometer.core.instrument.MeterRegistry;
import io.undertow.io.Receiver;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.SameThreadExecutor;
import io.undertow.util.StatusCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.danmaku.common.RoomIds;
import dev.danmaku.common.auth.Identity;
import dev.danmaku.common.auth.InvalidTokenException;
import dev.danmaku.common.auth.Tokens;
import dev.danmaku.common.http.Json;
import dev.danmaku.gateway.GatewayConfig;
import dev.danmaku.gateway.kafka.RawPublisher;
import dev.danmaku.gateway.room.AwaitedSends;
import dev.danmaku.gateway.room.Room;
import dev.danmaku.gateway.room.RoomRegistry;
import dev.danmaku.gateway.send.Draft;
import dev.danmaku.gateway.ws.AddressLimits;
import dev.danmaku.gateway.ws.ClientAddresses;
import dev.danmaku.gateway.ws.EdgeLimits;
import dev.danmaku.gateway.ws.UserLimits;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.Mode;
import dev.danmaku.proto.v1.Origin;
import dev.danmaku.proto.v1.RawDanmaku;
import dev.danmaku.proto.v1.Reason;
import dev.danmaku.proto.v1.Verdict;

/**
 * DPlayer's danmaku API (v3) on the gateway, so a stock DPlayer sends through the normal path —
 * authenticated by the token in its body, limited with the user's WebSocket connections, moderated —
 * and hears the verdict: {@code POST …/v3/} ({@code token, id, author, time, text, color, type})
 * answers {@code {"code":0}} once the danmaku is accepted, or a non-zero code and {@code msg}, which
 * DPlayer shows. A verdict is a 200 (DPlayer shows {@code msg} only then); a request that cannot be a
 * send at all is a 4xx with the same body. {@code author} is ignored: the name is the token's.
 *
 * <p>{@code GET …/v3/?id=ROOM} answers an empty list: a gateway keeps no recording. DPlayer reads
 * one from the archive's player API, listed in its {@code danmaku.addition}.
 */
public final class DPlayerApi implements HttpHandler, AwaitedSends {

    public static final String PATH = "/api/v1/player/dplayer/v3";
    /** DPlayer's body is six short fields; the text is bounded by the text limit well below this. */
    static final int MAX_BODY_BYTES = 8 * 1024;
    private static final Logger log = LoggerFactory.getLogger(DPlayerApi.class);
    private static final HttpString ALLOW_ORIGIN = new HttpString("Access-Control-Allow-Origin");
    private static final HttpString ALLOW_METHODS = new HttpString("Access-Control-Allow-Methods");
    private static final HttpString ALLOW_HEADERS = new HttpString("Access-Control-Allow-Headers");
    private static final HttpString MAX_AGE = new HttpString("Access-Control-Max-Age");
    private static final Map<Reason, String> REFUSALS = Map.of(
            Reason.BLOCKED_KEYWORD, "it contains a blocked word",
            Reason.RATE_LIMITED, "sending too fast, wait a moment",
            Reason.SLOW_MODE, "slow mode is on in this room",
            Reason.DUPLICATE, "you just sent that",
            Reason.TOO_LONG, "it is too long",
            Reason.MUTED, "you are muted",
            Reason.NOT_ALLOWED, "you may not send here",
            Reason.ROOM_BUSY, "the room is too busy right now",
            Reason.NOT_JUDGED, "it could not be checked");

    private final GatewayConfig config;
    private final Tokens tokens;
    private final RoomRegistry registry;
    private final RawPublisher publisher;
    private final UserLimits users;
    private final AddressLimits addressLimits;
    private final ClientAddresses clientAddresses;
    private final ScheduledExecutorService timer;
    private final PlayerMetrics metrics;
    private final TimeBasedEpochGenerator msgIds = Generators.timeBasedEpochGenerator();
    private final AtomicLong requestIds = new AtomicLong();
    /** Sends published and not yet answered, by the id their origin carries. */
    private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();

    /** A send waiting for its verdict, holding its sender's slots and its room (so the feed follows it). */
    private record Waiting(HttpServerExchange exchange, String address, Room room) {
    }

    public DPlayerApi(GatewayConfig config, EdgeLimits edge, Tokens tokens, RoomRegistry registry, RawPublisher publisher,
            ScheduledExecutorService timer, MeterRegistry meters) {
        this.config = config;
        this.registry = registry;
        this.tokens = tokens;
        this.publisher = publisher;
        this.users = edge.users();
        this.addressLimits = edge.addressLimits();
        this.clientAddresses = edge.addresses();
        this.timer = timer;
        this.metrics = new PlayerMetrics(meters, config.gatewayId());
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        String rest = exchange.getRelativePath();
        if (!rest.isEmpty() && !rest.equals("/")) {
            answer(exchange, StatusCodes.NOT_FOUND, StatusCodes.NOT_FOUND, "no such path: " + exchange.getRequestPath());
            return;
        }
        String origin = exchange.getRequestHeaders().getFirst(Headers.ORIGIN);
        if (!config.admitsOrigin(origin, exchange.getRequestHeaders().getFirst(Headers.HOST))) {
            metrics.answered("origin_not_allowed");
            answer(exchange, StatusCodes.FORBIDDEN, StatusCodes.FORBIDDEN, "origin " + origin + " may not send here");
            return;
        }
        if (origin != null) {
            exchange.getResponseHeaders().put(ALLOW_ORIGIN, origin).put(Headers.VARY, "Origin");
        }
        if (exchange.getRequestMethod().equals(Methods.OPTIONS)) {
            exchange.getResponseHeaders().put(ALLOW_METHODS, "GET, POST").put(ALLOW_HEADERS, "Content-Type")
                    .put(MAX_AGE, "600");
            exchange.setStatusCode(StatusCodes.NO_CONTENT);
            exchange.endExchange();
        } else if (exchange.getRequestMethod().equals(Methods.GET)) {
            Json.send(exchange, StatusCodes.OK, Map.of("code", 0, "data", List.of()));
        } else if (exchange.getRequestMethod().equals(Methods.POST)) {
            receive(exchange);
        } else {
            exchange.getResponseHeaders().put(Headers.ALLOW, "GET, POST, OPTIONS");
            answer(exchange, StatusCodes.METHOD_NOT_ALLOWED, StatusCodes.METHOD_NOT_ALLOWED,
                    exchange.getRequestMethod() + " is not allowed here: POST a danmaku");
        }
    }

    private void receive(HttpServerExchange exchange) {
        String type = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        if (type == null || !type.toLowerCase().startsWith("application/json")) {
            badRequest(exchange, "send the danmaku as application/json");
            return;
        }
        exchange.getRequestReceiver().setMaxBufferSize(MAX_BODY_BYTES);
        exchange.getRequestReceiver().receiveFullBytes(
                (ex, body) -> ex.dispatch(SameThreadExecutor.INSTANCE, () -> send(ex, body)),
                (ex, failure) -> {
                    if (failure instanceof Receiver.RequestToLargeException || failure instanceof RequestTooBigException) {
                        metrics.answered("bad_request");
                        answer(ex, StatusCodes.REQUEST_ENTITY_TOO_LARGE, StatusCodes.REQUEST_ENTITY_TOO_LARGE,
                                "a danmaku is at most " + MAX_BODY_BYTES + " bytes of JSON");
                    } else {
                        ex.endExchange(); // the client went away mid-body
                    }
                });
    }

    private void send(HttpServerExchange exchange, byte[] body) {
        JsonNode request;
        try {
            request = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            badRequest(exchange, "not JSON: " + e.getOriginalMessage());
            return;
        } catch (IOException e) {
            badRequest(exchange, "not JSON");
            return;
        }
        if (request == null || !request.isObject()) {
            badRequest(exchange, "send a JSON object: token, id, time, text, color, type");
            return;
        }
        Identity identity;
        try {
            identity = tokens.verify(request.path("token").asText(""));
        } catch (InvalidTokenException e) {
            metrics.answered("bad_token");
            answer(exchange, StatusCodes.UNAUTHORIZED, StatusCodes.UNAUTHORIZED,
                    "a viewer's token is needed (DPlayer's danmaku.token): " + e.getMessage());
            return;
        }
        String roomId = request.path("id").asText("");
        if (!RoomIds.isValid(roomId)) {
            badRequest(exchange, "id (the room): 1-64 letters, digits or . _ : -");
            return;
        }
        Draft draft;
        try {
            draft = new Draft(roomId, text(request), color(request.get("color")), mode(request.get("type")), 0,
                    videoOffsetMs(request.get("time")));
        } catch (IllegalArgumentException e) {
            badRequest(exchange, e.getMessage());
            return;
        }
        if (!identity.hasAnyRole(Identity.SENDERS)) {
            refused(exchange, Reason.NOT_ALLOWED);
            return;
        }
        Draft.Fault fault = draft.check(config.limits().maxTextLength());
        if (fault != null) {
            if (fault.refusal()) {
                refused(exchange, fault.reason());
            } else {
                badRequest(exchange, fault.message());
            }
            return;
        }
        long now = System.nanoTime();
        String address = addressOf(exchange);
        if (!addressLimits.connect(address, now)) {
            tooMany(exchange, "your address holds " + config.limits().maxConnectionsPerAddress() + " connections already");
            return;
        }
        String requestId = "player-" + Long.toString(requestIds.incrementAndGet(), 36);
        UserLimits.Decision admission = users.admitSend(requestId, identity.userId(), now);
        if (admission.admission() != UserLimits.Admission.ADMITTED) {
            release(requestId, address);
            tooMany(exchange, "you hold " + config.limits().maxConnectionsPerUser() + " connections and sends here already");
            return;
        }
        if (!admission.sends().tryAcquire(now)) {
            release(requestId, address);
            refused(exchange, Reason.RATE_LIMITED);
            return;
        }
        RawDanmaku raw = RawDanmaku.newBuilder()
                .setDanmaku(draft.toDanmaku(msgIds.generate().toString(), identity))
                .setOrigin(Origin.newBuilder()
                        .setGatewayId(config.gatewayId())
                        .setSessionId(requestId)
                        .setClientMsgId(requestId)
                        .addAllRoles(identity.rolesIn(roomId)))
                .build();
        // the verdict comes on the room's partition: this gateway follows it until the answer, viewers or not
        RoomRegistry.Reserved reserved = registry.reserve(roomId);
        waiting.put(requestId, new Waiting(exchange, address, reserved.room()));
        timer.schedule(() -> unanswered(requestId, "no verdict yet: it may still be shown, so look before sending it again"),
                config.limits().answerTimeout().toMillis(), TimeUnit.MILLISECONDS);
        reserved.followed().whenComplete((followed, failure) -> {
            if (failure != null || !waiting.containsKey(requestId)) {
                unanswered(requestId, "the room's feed could not be reached; try again");
                return;
            }
            publisher.publish(raw, error -> {
                log.warn("Could not publish danmaku {} of room {}: {}", raw.getDanmaku().getMsgId(), roomId, error.getMessage());
                unanswered(requestId, "the danmaku could not be delivered; try again");
            });
        });
    }

    /** The verdict of a send this API published: its answer, unless the deadline answered first. */
    @Override
    public void judged(JudgedDanmaku judged) {
        Waiting send = take(judged.getOrigin().getSessionId());
        if (send == null) {
            return;
        }
        if (judged.getVerdict() == Verdict.REJECTED) {
            refused(send.exchange(), judged.getReason());
            return;
        }
        // shadowed is answered as accepted: its sender must not be able to tell
        metrics.answered("accepted");
        Map<String, Object> data = Map.of("msgId", judged.getDanmaku().getMsgId());
        onIoThread(send.exchange(), () -> Json.send(send.exchange(), StatusCodes.OK, Map.of("code", 0, "data", data)));
    }

    private void unanswered(String requestId, String message) {
        Waiting send = take(requestId);
        if (send != null) {
            metrics.answered("unavailable");
            send.exchange().getResponseHeaders().put(Headers.RETRY_AFTER, "1");
            answer(send.exchange(), StatusCodes.SERVICE_UNAVAILABLE, StatusCodes.SERVICE_UNAVAILABLE, message);
        }
    }

    /** Whoever takes a waiting send answers it, once; its slots are given back. */
    private Waiting take(String requestId) {
        Waiting send = waiting.remove(requestId);
        if (send != null) {
            release(requestId, send.address());
            send.room().cancelReservation();
        }
        return send;
    }

    private void release(String requestId, String address) {
        long now = System.nanoTime();
        users.release(requestId, now);
        addressLimits.release(address, now);
    }

    private void refused(HttpServerExchange exchange, Reason reason) {
        metrics.answered(reason.name());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", 1);
        body.put("msg", "Not sent: " + REFUSALS.getOrDefault(reason, "it was refused"));
        body.put("reason", reason.name());
        onIoThread(exchange, () -> Json.send(exchange, StatusCodes.OK, body));
    }

    private void badRequest(HttpServerExchange exchange, String message) {
        metrics.answered("bad_request");
        answer(exchange, StatusCodes.BAD_REQUEST, StatusCodes.BAD_REQUEST, message);
    }

    private void tooMany(HttpServerExchange exchange, String message) {
        metrics.answered("too_many");
        exchange.getResponseHeaders().put(Headers.RETRY_AFTER, "1");
        answer(exchange, StatusCodes.TOO_MANY_REQUESTS, StatusCodes.TOO_MANY_REQUESTS, message);
    }

    private static void answer(HttpServerExchange exchange, int status, int code, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", code);
        body.put("msg", message);
        onIoThread(exchange, () -> Json.send(exchange, status, body));
    }

    /** Answers from the exchange's own I/O thread, whichever thread the verdict or the deadline came on. */
    private static void onIoThread(HttpServerExchange exchange, Runnable answer) {
        if (exchange.getIoThread() == Thread.currentThread()) {
            answer.run();
        } else {
            exchange.getIoThread().execute(answer);
        }
    }

    private String addressOf(HttpServerExchange exchange) {
        InetSocketAddress peer = exchange.getSourceAddress();
        if (peer == null || peer.getAddress() == null) {
            return "unknown";
        }
        return clientAddresses.of(peer.getAddress(), exchange.getRequestHeaders().getFirst("X-Forwarded-For"));
    }

    private static String text(JsonNode request) {
        JsonNode text = request.get("text");
        if (text == null || !text.isTextual()) {
            throw new IllegalArgumentException("text: the danmaku, a string");
        }
        return text.asText().strip();
    }

    /** DPlayer 1.2x sends a number (0xRRGGBB); older ones a CSS colour, "#fff" or "#ffffff". */
    static int color(JsonNode color) {
        if (color == null || color.isNull()) {
            return 0;
        }
        if (color.isIntegralNumber() && color.canConvertToInt()) {
            return color.asInt();
        }
        String text = color.isTextual() ? color.asText().strip() : "";
        if (text.matches("#[0-9A-Fa-f]{3}")) {
            text = "#" + text.charAt(1) + text.charAt(1) + text.charAt(2) + text.charAt(2) + text.charAt(3) + text.charAt(3);
        }
        if (text.matches("#[0-9A-Fa-f]{6}")) {
            return Integer.parseInt(text.substring(1), 16);
        }
        throw new IllegalArgumentException("color: a number 0xRRGGBB or \"#rrggbb\"");
    }

    /** DPlayer's types: 0 (or "right") scrolls, 1 ("top") and 2 ("bottom") stay. */
    static Mode mode(JsonNode type) {
        if (type == null || type.isNull()) {
            return Mode.SCROLL;
        }
        String value = type.asText();
        return switch (value) {
            case "0", "right" -> Mode.SCROLL;
            case "1", "top" -> Mode.TOP;
            case "2", "bottom" -> Mode.BOTTOM;
            default -> throw new IllegalArgumentException("type: 0 (scroll), 1 (top) or 2 (bottom)");
        };
    }

    /** DPlayer's {@code time}: where the sender's video was, in seconds. */
    static long videoOffsetMs(JsonNode time) {
        if (time == null || time.isNull()) {
            return 0;
        }
        if (!time.isNumber() || !(time.asDouble() >= 0) || time.asDouble() > 1e9) {
            throw new IllegalArgumentException("time: the video's position in seconds, 0 or more");
        }
        return Math.round(time.asDouble() * 1000);
    }
}
