package dev.danmaku.archiver.api;

import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.undertow.Handlers;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.danmaku.common.RoomIds;
import dev.danmaku.archiver.replay.ReplayEndpoint;
import dev.danmaku.archiver.replay.ReplayRequest;
import dev.danmaku.archiver.replay.ReplayTickets;
import dev.danmaku.archiver.store.ArchiveFilter;
import dev.danmaku.archiver.store.ArchiveStore;
import dev.danmaku.archiver.store.ArchivedDanmaku;
import dev.danmaku.archiver.store.RoomActivity;
import dev.danmaku.archiver.store.RoomQuery;
import dev.danmaku.archiver.store.RoomStats;
import dev.danmaku.common.auth.BearerAuth;
import dev.danmaku.common.auth.Identity;
import dev.danmaku.common.auth.InvalidTokenException;
import dev.danmaku.common.auth.Tokens;
import dev.danmaku.common.http.Json;
import dev.danmaku.common.http.Problem;

/**
 * The analyst API under /api/v1/archive (analyst or admin role): rooms, keyset-paged queries,
 * streaming export, stats per time bucket, and the replay WebSocket.
 */
public final class ArchiveApi {

    public static final String PREFIX = "/api/v1/archive";
    private static final Logger log = LoggerFactory.getLogger(ArchiveApi.class);
    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;
    private static final int MAX_TOP_SENDERS = 100;
    private static final Map<String, Long> BUCKETS = Map.of("1m", 60_000L, "1h", 3_600_000L, "1d", 86_400_000L);

    /** Reads a database answer; may fail with SQLException. */
    @FunctionalInterface
    private interface Read<T> {
        T get() throws SQLException;
    }

    private final ArchiveStore store;
    private final MeterRegistry meters;
    private final ReplayEndpoint replay;
    private final BilibiliXml bilibili;
    private final Duration retention;
    private final ReplayTickets tickets;
    private final PlayerApi player;

    public ArchiveApi(ArchiveStore store, MeterRegistry meters, int maxReplays) {
        this(store, meters, maxReplays, randomKey(), Duration.ZERO, false);
    }

    /**
     * @param senderKey keys the sender hash of Bilibili XML exports: the same on every archiver of an installation
     * @param retention how long the archive keeps danmaku (zero: for ever): an import skips older ones
     * @param playerApi whether {@code /player/dplayer/v3/} answers without a token ({@link PlayerApi})
     */
    public ArchiveApi(ArchiveStore store, MeterRegistry meters, int maxReplays, byte[] senderKey, Duration retention,
            boolean playerApi) {
        this.retention = retention;
        this.bilibili = new BilibiliXml(senderKey);
        this.tickets = new ReplayTickets(senderKey, Clock.systemUTC());
        this.store = store;
        this.meters = meters;
        this.replay = new ReplayEndpoint(store, maxReplays, meters);
        this.player = new PlayerApi(store, bilibili, playerApi);
    }

    /** Mounted at {@link #PREFIX}; paths below are relative to it. */
    public HttpHandler handler(Tokens tokens) {
        HttpHandler routes = Handlers.routing()
                .get("/rooms", new BlockingHandler(this::rooms))
                .get("/rooms/{room}/danmaku", new BlockingHandler(this::roomDanmaku))
                .get("/rooms/{room}/stats", new BlockingHandler(this::stats))
                .get("/rooms/{room}/export", new BlockingHandler(new ExportHandler(store, bilibili, meters)))
                .post("/rooms/{room}/import", new BlockingHandler(new ImportHandler(store, retention, meters)))
                .get("/rooms/{room}/replay", replay.handler(ArchiveApi::replayRequest))
                .post("/replay-tickets", this::replayTicket)
                .setFallbackHandler(exchange -> Problem.send(exchange, StatusCodes.NOT_FOUND,
                        "no such archive resource: " + exchange.getRequestPath()))
                .setInvalidMethodHandler(exchange -> Problem.send(exchange, StatusCodes.METHOD_NOT_ALLOWED,
                        exchange.getRequestMethod() + " is not allowed on " + exchange.getRequestPath()));
        Set<String> staff = Set.of(Identity.ANALYST, Identity.ADMIN);
        HttpHandler authorized = new BearerAuth(tokens, staff, routes);
        HttpHandler players = new BlockingHandler(player::dplayer);
        return exchange -> {
            String path = exchange.getRelativePath();
            if (path.equals(PlayerApi.DPLAYER_PATH) || path.equals(PlayerApi.DPLAYER_PATH + "/")) {
                if (!exchange.getRequestMethod().equals(io.undertow.util.Methods.GET)) {
                    Problem.send(exchange, StatusCodes.METHOD_NOT_ALLOWED, "the player API only reads (GET)");
                    return;
                }
                players.handleRequest(exchange); // public, without a token, when the archive serves it at all
                return;
            }
            String ticket = exchange.getRequestPath().endsWith("/replay") ? first(exchange, "ticket") : null;
            if (ticket == null) {
                authorized.handleRequest(exchange);
                return;
            }
            // a WebSocket cannot carry an Authorization header: the replay takes a ticket instead
            Identity identity;
            try {
                identity = tickets.verify(ticket);
            } catch (InvalidTokenException e) {
                Problem.send(exchange, StatusCodes.UNAUTHORIZED, e.getMessage());
                return;
            }
            if (!identity.hasAnyRole(staff)) {
                Problem.send(exchange, StatusCodes.FORBIDDEN, "this needs one of the roles " + staff);
                return;
            }
            exchange.putAttachment(BearerAuth.IDENTITY, identity);
            routes.handleRequest(exchange);
        };
    }

    /** {@code POST /replay-tickets}: a ticket that opens one replay within a minute, for whoever asks with a token. */
    private void replayTicket(HttpServerExchange exchange) {
        String ticket = tickets.issue(exchange.getAttachment(BearerAuth.IDENTITY));
        Json.send(exchange, StatusCodes.CREATED, Map.of("ticket", ticket,
                "expiresInSeconds", ReplayTickets.LIFETIME.toSeconds()));
    }

    private static String first(HttpServerExchange exchange, String parameter) {
        var values = exchange.getQueryParameters().get(parameter);
        return values == null || values.isEmpty() || values.getFirst().isBlank() ? null : values.getFirst();
    }

    public void close() {
        replay.close();
    }

    private static byte[] randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }

    private void rooms(HttpServerExchange exchange) {
        QueryParams params = new QueryParams(exchange.getQueryParameters());
        long from;
        long to;
        int limit;
        String after;
        try {
            from = params.time("from", 0);
            to = params.time("to", Long.MAX_VALUE);
            if (from >= to) {
                throw new IllegalArgumentException("from must be before to");
            }
            limit = params.integer("limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
            String cursor = params.string("cursor");
            after = cursor == null ? null : roomCursor(cursor);
        } catch (IllegalArgumentException e) {
            Problem.badRequest(exchange, e.getMessage());
            return;
        }
        List<RoomActivity> rooms = read(exchange, "rooms", () -> store.rooms(from, to, after, limit + 1));
        if (rooms == null) {
            return;
        }
        String next = null;
        if (rooms.size() > limit) {
            rooms = rooms.subList(0, limit);
            next = QueryParams.encode(rooms.get(limit - 1).roomId());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", rooms);
        body.put("next", next);
        Json.send(exchange, StatusCodes.OK, body);
    }

    private static String roomCursor(String cursor) {
        try {
            String room = QueryParams.decode(cursor);
            if (RoomIds.isValid(room)) {
                return room;
            }
        } catch (IllegalArgumentException e) {
            // falls through to the message below
        }
        throw new IllegalArgumentException("cursor: not a cursor this API returned");
    }

    private void roomDanmaku(HttpServerExchange exchange) {
        RoomQuery query;
        try {
            query = new QueryParams(exchange.getQueryParameters()).roomQuery(DEFAULT_LIMIT, MAX_LIMIT);
        } catch (IllegalArgumentException e) {
            Problem.badRequest(exchange, e.getMessage());
            return;
        }
        List<ArchivedDanmaku> rows = read(exchange, "danmaku", () -> store.query(query));
        if (rows == null) {
            return;
        }
        String next = null;
        if (rows.size() > query.limit()) {
            rows = rows.subList(0, query.limit());
            ArchivedDanmaku last = rows.get(rows.size() - 1);
            next = QueryParams.encodeCursor(new RoomQuery.Position(last.sentAtMs(), last.msgId()));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", rows);
        body.put("next", next);
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        Json.send(exchange, StatusCodes.OK, body);
    }

    private void stats(HttpServerExchange exchange) {
        QueryParams params = new QueryParams(exchange.getQueryParameters());
        ArchiveFilter filter;
        long bucketMs;
        int top;
        try {
            filter = params.filter();
            bucketMs = BUCKETS.get(params.choice("bucket", "1m", BUCKETS.keySet()));
            top = params.integer("top", 10, 1, MAX_TOP_SENDERS);
        } catch (IllegalArgumentException e) {
            Problem.badRequest(exchange, e.getMessage());
            return;
        }
        RoomStats stats;
        try {
            stats = read(exchange, "stats", () -> store.stats(filter, bucketMs, top));
        } catch (ArchiveStore.TooManyBuckets e) {
            Problem.badRequest(exchange, "bucket: " + e.getMessage());
            return;
        }
        if (stats != null) {
            Json.send(exchange, StatusCodes.OK, stats);
        }
    }

    private static ReplayRequest replayRequest(HttpServerExchange exchange) {
        QueryParams params = new QueryParams(exchange.getQueryParameters());
        ArchiveFilter filter = params.filter();
        boolean vod = params.choice("mode", "live", Set.of("live", "vod")).equals("vod");
        double speed = params.decimal("speed", 1, ReplayRequest.MIN_SPEED, ReplayRequest.MAX_SPEED);
        return new ReplayRequest(filter, vod ? ArchiveStore.Order.VIDEO_OFFSET : ArchiveStore.Order.SENT_AT, speed);
    }

    /** Runs a read, timing it; on a database failure answers 503 and returns null. */
    private <T> T read(HttpServerExchange exchange, String endpoint, Read<T> read) {
        Timer.Sample sample = Timer.start(meters);
        try {
            return read.get();
        } catch (SQLException e) {
            meters.counter("danmaku_archive_query_errors", "endpoint", endpoint).increment();
            log.warn("Archive {} query failed: {}", endpoint, e.getMessage());
            Problem.send(exchange, StatusCodes.SERVICE_UNAVAILABLE, "the archive database is unavailable; try again");
            return null;
        } finally {
            sample.stop(Timer.builder("danmaku_archive_query").description("Analyst query latency")
                    .tag("endpoint", endpoint).publishPercentiles(0.5, 0.99).register(meters));
        }
    }

    static String encodeCursor(RoomQuery.Position position) {
        return QueryParams.encodeCursor(position);
    }

    static RoomQuery.Position decodeCursor(String cursor) {
        return QueryParams.decodeCursor(cursor);
    }
}
