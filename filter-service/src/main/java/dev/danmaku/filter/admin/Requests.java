package dev.danmaku.filter.admin;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;

import dev.danmaku.common.http.Json;
import dev.danmaku.common.http.Problem;

/** Reading the moderator API's requests, bounded and validated, and answering refusals as problem details. */
final class Requests {

    static final int MAX_BODY_BYTES = 64 * 1024;

    private Requests() {
    }

    @FunctionalInterface
    interface Action {
        void run(HttpServerExchange exchange) throws ApiException, IOException;
    }

    /** Runs off the IO thread (writes wait for Kafka) and turns refusals into problem details. */
    static HttpHandler handle(Action action) {
        return new BlockingHandler(exchange -> {
            try {
                action.run(exchange);
            } catch (ApiException e) {
                if (e.errors().isEmpty()) {
                    Problem.send(exchange, e.status(), e.getMessage());
                } else {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("type", "about:blank");
                    body.put("title", StatusCodes.getReason(e.status()));
                    body.put("status", e.status());
                    body.put("detail", e.getMessage());
                    body.put("instance", exchange.getRequestPath());
                    body.put("errors", e.errors());
                    Json.send(exchange, e.status(), "application/problem+json", body);
                }
            }
        });
    }

    static double number(JsonNode body, String field, double min, double max) throws ApiException {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return min > 0 ? fail(field, min, max) : 0;
        }
        if (!value.isNumber() || value.asDouble() < min || value.asDouble() > max || Double.isNaN(value.asDouble())) {
            return fail(field, min, max);
        }
        return value.asDouble();
    }

    static double fail(String field, double min, double max) throws ApiException {
        throw ApiException.badRequest(field + ": a number from " + (long) min + " to " + (long) max);
    }

    static String contentType(HttpServerExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        if (header == null) {
            return "";
        }
        int semicolon = header.indexOf(';');
        return (semicolon < 0 ? header : header.substring(0, semicolon)).trim().toLowerCase();
    }

    static JsonNode jsonBody(HttpServerExchange exchange) throws ApiException, IOException {
        String type = contentType(exchange);
        if (!type.isEmpty() && !type.equals("application/json")) {
            throw new ApiException(StatusCodes.UNSUPPORTED_MEDIA_TYPE, "send application/json, not \"" + type + "\"");
        }
        String body = body(exchange, MAX_BODY_BYTES);
        if (body.isBlank()) {
            throw ApiException.badRequest("a JSON body is required");
        }
        try {
            JsonNode node = Json.MAPPER.readTree(body);
            if (node == null || !node.isObject()) {
                throw ApiException.badRequest("the body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("malformed JSON: " + e.getOriginalMessage());
        }
    }

    static String body(HttpServerExchange exchange, int maxBytes) throws ApiException, IOException {
        try (InputStream in = exchange.getInputStream()) {
            byte[] bytes = in.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw new ApiException(StatusCodes.REQUEST_ENTITY_TOO_LARGE, "the body is larger than " + maxBytes + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    static String pathParam(HttpServerExchange exchange, String name) {
        return exchange.getQueryParameters().get(name).getFirst();
    }

    static String param(HttpServerExchange exchange, String name) {
        Deque<String> values = exchange.getQueryParameters().get(name);
        return values == null || values.isEmpty() || values.getFirst().isEmpty() ? null : values.getFirst();
    }
}
