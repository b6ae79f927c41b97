package dev.danmaku.common.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.StatusCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns an exception escaping a handler into a logged error and a JSON 500: clients never see a stack trace. */
final class ProblemOnFailure implements HttpHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemOnFailure.class);
    private final HttpHandler next;

    ProblemOnFailure(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        try {
            next.handleRequest(exchange);
        } catch (Exception e) {
            log.error("{} {} failed", exchange.getRequestMethod(), exchange.getRequestPath(), e);
            if (!exchange.isResponseStarted()) {
                Problem.send(exchange, StatusCodes.INTERNAL_SERVER_ERROR, "internal error; the server log has details");
            } else {
                exchange.endExchange();
            }
        }
    }
}
