package dev.danmaku.archiver.api;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.undertow.Handlers;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.util.StatusCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.danmaku.archiver.store.ArchiveStore;
import dev.danmaku.archiver.store.ArchivedDanmaku;
import dev.danmaku.archiver.store.RoomQuery;
import dev.danmaku.common.auth.BearerAuth;
import dev.danmaku.common.auth.Identity;
import dev.danmaku.common.auth.Tokens;
import dev.danmaku.common.http.Json;
import dev.danmaku.common.http.Problem;
import dev.danmaku.proto.v1.Verdict;

/** The analyst API under /api/v1/archive (analyst or admin role). */
public final class ArchiveApi {

    public static final String PREFIX = "/api/v1/archive";
    private static final Logger log = LoggerFactory.getLogger(ArchiveApi.class);
    private static final Pattern ROOM_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;
    private static final Set<String> VERDICTS = Set.of("ACCEPTED", "MASKED", "SHADOWED", "REJECTED");

    private final ArchiveStore store;

    public ArchiveApi(ArchiveStore store) {
        this.store = store;
    }

    /** Mounted at {@link #PREFIX}; paths below are relative to it. */
    public HttpHandler handler(Tokens tokens) {
        HttpHandler routes = Handlers.routing()
                .get("/rooms/{room}/danmaku", new BlockingHandler(this::roomDanmaku))
                .setFallbackHandler(exchange -> Problem.send(exchange, StatusCodes.NOT_FOUND,
                        "no such archive resource: " + exchange.getRequestPath()))
                .setInvalidMethodHandler(exchange -> Problem.send(exchange, StatusCodes.METHOD_NOT_ALLOWED,
                        exchange.getRequestMethod() + " is not allowed on " + exchange.getRequestPath()));
        return new BearerAuth(tokens, Set.of(Identity.ANALYST, Identity.ADMIN), routes);
    }

    private void roomDanmaku(HttpServerExchange exchange) {
        RoomQuery query;
        try {
            query = parseQuery(exchange);
        } catch (IllegalArgumentException e) {
            Problem.badRequest(exchange, e.getMessage());
            return;
        }
        List<ArchivedDanmaku> rows;
        try {
            rows = store.query(query);
        } catch (SQLException e) {
            log.warn("Archive query failed: {}", e.getMessage());
            Problem.send(exchange, StatusCodes.SERVICE_UNAVAILABLE, "the archive database is unavailable; try again");
            return;
        }
        String next = null;
        if (rows.size() > query.limit()) {
            rows = rows.subList(0, query.limit());
            ArchivedDanmaku last = rows.get(rows.size() - 1);
            next = encodeCursor(new RoomQuery.Position(last.sentAtMs(), last.msgId()));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", rows);
        body.put("next", next);
        Json.send(exchange, StatusCodes.OK, body);
    }

    private static RoomQuery parseQuery(HttpServerExchange exchange) {
        String room = exchange.getQueryParameters().get("room").getFirst();
        if (!ROOM_ID.matcher(room).matches()) {
            throw new IllegalArgumentException("room: 1-64 letters, digits or . _ : -");
        }
        long from = time(exchange, "from", 0);
        long to = time(exchange, "to", Long.MAX_VALUE);
        if (from >= to) {
            throw new IllegalArgumentException("from must be before to");
        }
        int limit = (int) number(exchange, "limit", DEFAULT_LIMIT);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit: 1-" + MAX_LIMIT);
        }
        Set<String> verdicts = new LinkedHashSet<>();
        String verdictParam = param(exchange, "verdict");
        if (verdictParam != null) {
            for (String verdict : verdictParam.split(",")) {
                String name = verdict.trim().toUpperCase();
                if (!VERDICTS.contains(name)) {
                    throw new IllegalArgumentException("verdict: one or more of " + Arrays.toString(new Verdict[] {
                            Verdict.ACCEPTED, Verdict.MASKED, Verdict.SHADOWED, Verdict.REJECTED}));
                }
                verdicts.add(name);
            }
        }
        String cursor = param(exchange, "cursor");
        return new RoomQuery(room, from, to, verdicts, limit, cursor == null ? null : decodeCursor(cursor));
    }

    /** Epoch milliseconds or an ISO-8601 instant. */
    private static long time(HttpServerExchange exchange, String name, long absent) {
        String value = param(exchange, name);
        if (value == null) {
            return absent;
        }
        if (value.chars().allMatch(Character::isDigit)) {
            return number(exchange, name, absent);
        }
        try {
            return Instant.parse(value).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name + ": epoch milliseconds or an ISO-8601 instant such as"
                    + " 2026-01-31T20:00:00Z, got \"" + value + "\"");
        }
    }

    private static long number(HttpServerExchange exchange, String name, long absent) {
        String value = param(exchange, name);
        if (value == null) {
            return absent;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": a whole number, got \"" + value + "\"");
        }
    }

    private static String param(HttpServerExchange exchange, String name) {
        Deque<String> values = exchange.getQueryParameters().get(name);
        return values == null || values.isEmpty() || values.getFirst().isEmpty() ? null : values.getFirst();
    }

    static String encodeCursor(RoomQuery.Position position) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((position.sentAtMs() + ":" + position.msgId()).getBytes(StandardCharsets.UTF_8));
    }

    static RoomQuery.Position decodeCursor(String cursor) {
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return new RoomQuery.Position(Long.parseLong(decoded.substring(0, colon)), decoded.substring(colon + 1));
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("cursor: not a cursor this API returned");
        }
    }
}
