package dev.danmaku.common.http;

import io.undertow.server.HttpHandler;
import io.undertow.util.HttpString;

/**
 * Headers every response carries: no MIME sniffing, no referrer (tokens may sit in URLs), and a
 * policy that lets a response run nothing and be framed nowhere. The gateway's pages replace that
 * policy with their own ({@link #pagePolicy}).
 */
public final class SecurityHeaders {

    public static final HttpString CONTENT_SECURITY_POLICY = HttpString.tryFromString("Content-Security-Policy");
    private static final HttpString NOSNIFF = HttpString.tryFromString("X-Content-Type-Options");
    private static final HttpString REFERRER_POLICY = HttpString.tryFromString("Referrer-Policy");
    private static final String NOTHING = "default-src 'none'; frame-ancestors 'none'";

    private SecurityHeaders() {
    }

    public static HttpHandler wrap(HttpHandler next) {
        return exchange -> {
            exchange.getResponseHeaders()
                    .put(NOSNIFF, "nosniff")
                    .put(REFERRER_POLICY, "no-referrer")
                    .put(CONTENT_SECURITY_POLICY, NOTHING);
            next.handleRequest(exchange);
        };
    }

    /**
     * A page's policy: its own scripts only, its own images, WebSockets and APIs of its own origin;
     * framed by {@code frameAncestors}. Inline styles are allowed because the danmaku overlay injects
     * its stylesheet, so it works on any page that embeds it; scripts never run inline.
     */
    public static String pagePolicy(String frameAncestors) {
        return "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self';"
                + " media-src 'self' blob: https: http:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors "
                + frameAncestors;
    }
}
