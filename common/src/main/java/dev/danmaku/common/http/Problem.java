package dev.danmaku.common.http;

import java.util.LinkedHashMap;
import java.util.Map;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.StatusCodes;

/** An RFC 9457 problem details response: every HTTP error the platform returns has this shape. */
public final class Problem {

    private Problem() {
    }

    public static void send(HttpServerExchange exchange, int status, String detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "about:blank");
        body.put("title", StatusCodes.getReason(status));
        body.put("status", status);
        body.put("detail", detail);
        body.put("instance", exchange.getRequestPath());
        Json.send(exchange, status, "application/problem+json", body);
    }

    public static void badRequest(HttpServerExchange exchange, String detail) {
        send(exchange, StatusCodes.BAD_REQUEST, detail);
    }
}
