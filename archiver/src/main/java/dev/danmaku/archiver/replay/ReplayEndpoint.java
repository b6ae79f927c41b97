package dev.danmaku.archiver.replay;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.micrometer.core.instrument.MeterRegistry;
import io.undertow.Handlers;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;
import io.undertow.websockets.WebSocketConnectionCallback;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.spi.WebSocketHttpExchange;

import dev.danmaku.archiver.store.ArchiveStore;
import dev.danmaku.common.http.Problem;

/**
 * {@code GET /rooms/{room}/replay?from=&to=&speed=&mode=live|vod} upgraded to a WebSocket: the
 * parameters are checked (and the replay count limited) before the upgrade, so a bad request gets
 * a problem-details answer like every other endpoint.
 */
public final class ReplayEndpoint {

    private static final AttachmentKey<ReplayRequest> REQUEST = AttachmentKey.create(ReplayRequest.class);
    private static final int MAX_CONTROL_FRAME_CHARS = 4096;

    private final ArchiveStore store;
    private final int maxReplays;
    private final AtomicInteger open = new AtomicInteger();
    private final Set<ReplaySession> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicInteger threads = new AtomicInteger();

    public ReplayEndpoint(ArchiveStore store, int maxReplays, MeterRegistry meters) {
        this.store = store;
        this.maxReplays = maxReplays;
        meters.gauge("danmaku_archive_replays_open", open);
    }

    /** {@code parser} reads the request's parameters, failing with IllegalArgumentException on a bad one. */
    public HttpHandler handler(Function<HttpServerExchange, ReplayRequest> parser) {
        HttpHandler upgrade = Handlers.websocket(new Callback(), exchange -> Problem.send(exchange,
                StatusCodes.UPGRADE_REQUIRED, "replay is a WebSocket: connect with ws:// and an Upgrade: websocket header"));
        return exchange -> {
            ReplayRequest request;
            try {
                request = parser.apply(exchange);
            } catch (IllegalArgumentException e) {
                Problem.badRequest(exchange, e.getMessage());
                return;
            }
            if (open.get() >= maxReplays) {
                exchange.getResponseHeaders().put(Headers.RETRY_AFTER, "30");
                Problem.send(exchange, StatusCodes.SERVICE_UNAVAILABLE, maxReplays + " replays are open, the most"
                        + " this archiver allows; try again later");
                return;
            }
            exchange.putAttachment(REQUEST, request);
            upgrade.handleRequest(exchange);
        };
    }

    private final class Callback implements WebSocketConnectionCallback {
        @Override
        public void onConnect(WebSocketHttpExchange exchange, WebSocketChannel channel) {
            ReplayRequest request = exchange.getAttachment(REQUEST);
            ReplaySession session = new ReplaySession(store, request, channel);
            sessions.add(session);
            open.incrementAndGet();
            channel.addCloseTask(closed -> {
                session.close();
                if (sessions.remove(session)) {
                    open.decrementAndGet();
                }
            });
            channel.getReceiveSetter().set(new AbstractReceiveListener() {
                @Override
                protected void onFullTextMessage(WebSocketChannel socket, BufferedTextMessage message) {
                    session.control(message.getData());
                }

                @Override
                protected long getMaxTextBufferSize() {
                    return MAX_CONTROL_FRAME_CHARS;
                }
            });
            Thread thread = new Thread(session, "replay-" + threads.incrementAndGet());
            thread.setDaemon(true);
            thread.start();
            channel.resumeReceives();
        }
    }

    /** Ends every replay (the service is stopping). */
    public void close() {
        sessions.forEach(ReplaySession::close);
    }
}
