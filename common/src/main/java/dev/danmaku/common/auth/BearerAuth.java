package dev.danmaku.common.auth;

import java.util.Set;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;

import dev.danmaku.common.http.Problem;

/** Lets a request through only with a valid {@code Authorization: Bearer} token carrying one of the roles. */
public final class BearerAuth implements HttpHandler {

    public static final AttachmentKey<Identity> IDENTITY = AttachmentKey.create(Identity.class);

    private final Tokens tokens;
    private final Set<String> roles;
    private final HttpHandler next;

    public BearerAuth(Tokens tokens, Set<String> roles, HttpHandler next) {
        this.tokens = tokens;
        this.roles = Set.copyOf(roles);
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String header = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer");
            Problem.send(exchange, StatusCodes.UNAUTHORIZED, "an Authorization: Bearer <token> header is required");
            return;
        }
        Identity identity;
        try {
            identity = tokens.verify(header.substring(7).trim());
        } catch (InvalidTokenException e) {
            exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
            Problem.send(exchange, StatusCodes.UNAUTHORIZED, e.getMessage());
            return;
        }
        if (!identity.hasAnyRole(roles)) {
            Problem.send(exchange, StatusCodes.FORBIDDEN, "this needs one of the roles " + roles);
            return;
        }
        exchange.putAttachment(IDENTITY, identity);
        next.handleRequest(exchange);
    }
}
