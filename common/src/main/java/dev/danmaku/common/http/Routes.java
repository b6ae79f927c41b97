package dev.danmaku.common.http;

import java.util.function.BooleanSupplier;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.undertow.Handlers;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.PathHandler;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;

/**
 * The URL space of one listener: the probes every service answers, plus the service's own paths.
 * Unknown paths answer a JSON 404, handler failures a JSON 500 without a stack trace; every answer
 * carries {@link SecurityHeaders}.
 */
public final class Routes {

    private final PathHandler paths = Handlers.path(exchange ->
            Problem.send(exchange, StatusCodes.NOT_FOUND, "no such path: " + exchange.getRequestPath()));

    private Routes() {
    }

    /** No paths yet: a listener whose probes are served elsewhere. */
    public static Routes empty() {
        return new Routes();
    }

    /** {@code /healthz} (process alive), {@code /readyz} (ready for traffic), {@code /metrics} (Prometheus). */
    public static Routes withProbes(BooleanSupplier ready, PrometheusMeterRegistry registry) {
        Routes routes = new Routes();
        routes.paths.addExactPath("/healthz", exchange -> plain(exchange, StatusCodes.OK, "ok\n"));
        routes.paths.addExactPath("/readyz", exchange -> {
            if (ready.getAsBoolean()) {
                plain(exchange, StatusCodes.OK, "ready\n");
            } else {
                plain(exchange, StatusCodes.SERVICE_UNAVAILABLE, "not ready\n");
            }
        });
        routes.paths.addExactPath("/metrics", exchange -> {
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
            exchange.getResponseSender().send(registry.scrape());
        });
        return routes;
    }

    public Routes prefix(String path, HttpHandler handler) {
        paths.addPrefixPath(path, handler);
        return this;
    }

    public Routes exact(String path, HttpHandler handler) {
        paths.addExactPath(path, handler);
        return this;
    }

    public HttpHandler handler() {
        return new ProblemOnFailure(SecurityHeaders.wrap(paths));
    }

    private static void plain(HttpServerExchange exchange, int status, String body) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getResponseSender().send(body);
    }
}
