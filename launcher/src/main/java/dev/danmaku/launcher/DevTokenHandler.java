package dev.danmaku.launcher;

import java.time.Clock;
import java.time.Duration;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;

import dev.danmaku.common.RoomIds;
import dev.danmaku.common.auth.Identity;
import dev.danmaku.common.auth.Tokens;
import dev.danmaku.common.http.Json;
import dev.danmaku.common.http.Problem;

/**
 * {@code GET /api/v1/dev/token?user=&name=&role=&rooms=}: mints a token for trying things out ({@code rooms}
 * limits a moderator to those rooms). Only {@code dev} mounts it.
 */
final class DevTokenHandler implements HttpHandler {

    static final String PATH = "/api/v1/dev/token";
    private static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

    private final Tokens tokens;

    DevTokenHandler(Tokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (!exchange.getRequestMethod().equals(Methods.GET)) {
            Problem.send(exchange, StatusCodes.METHOD_NOT_ALLOWED, "use GET");
            return;
        }
        String user = param(exchange, "user", "viewer-" + UUID.randomUUID().toString().substring(0, 6));
        String name = param(exchange, "name", user);
        String role = param(exchange, "role", Identity.VIEWER);
        if (!USER_ID.matcher(user).matches()) {
            Problem.badRequest(exchange, "user: 1-64 letters, digits or . _ @ -");
            return;
        }
        if (!Tokens.acceptableName(name)) {
            Problem.badRequest(exchange, "name: at most 64 printable characters");
            return;
        }
        if (!Identity.ALL_ROLES.contains(role)) {
            Problem.badRequest(exchange, "role: one of " + Identity.ALL_ROLES);
            return;
        }
        String roomList = param(exchange, "rooms", "");
        Set<String> rooms = roomList.isEmpty() ? Set.of() : new LinkedHashSet<>(List.of(roomList.split(",")));
        if (!rooms.stream().allMatch(RoomIds::isValid)) {
            Problem.badRequest(exchange, "rooms: comma-separated room ids, each " + RoomIds.RULE);
            return;
        }
        Duration lifetime = tokens.maxLifetime(Set.of(role)); // 24 h for a viewer, the staff lifetime for staff
        Json.send(exchange, StatusCodes.OK, Map.of(
                "token", tokens.issue(user, name, Set.of(role), rooms, lifetime, Clock.systemUTC()),
                "user", user, "name", name, "role", role, "rooms", List.copyOf(rooms),
                "expiresInSeconds", lifetime.toSeconds()));
    }

    private static String param(HttpServerExchange exchange, String name, String absent) {
        Deque<String> values = exchange.getQueryParameters().get(name);
        return values == null || values.isEmpty() || values.getFirst().isBlank() ? absent : values.getFirst().trim();
    }
}
