package dev.danmaku.gateway;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.resource.ClassPathResourceManager;
import io.undertow.server.handlers.resource.ResourceHandler;
import io.undertow.util.StatusCodes;
import io.undertow.websockets.WebSocketProtocolHandshakeHandler;
import io.undertow.websockets.core.protocol.version13.Hybi13Handshake;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.danmaku.common.auth.Tokens;
import dev.danmaku.common.http.Problem;
import dev.danmaku.common.http.Routes;
import dev.danmaku.common.kafka.KafkaClients;
import dev.danmaku.gateway.kafka.FilteredFeed;
import dev.danmaku.gateway.kafka.RawPublisher;
import dev.danmaku.gateway.room.RoomRegistry;
import dev.danmaku.gateway.ws.DanmakuSocketHandler;
import dev.danmaku.gateway.ws.WireFormat;

/** One gateway: viewers' WebSocket endpoint, the pages, and its two Kafka edges. */
public final class Gateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Gateway.class);
    private static final int GOING_AWAY = 1001;

    private final GatewayConfig config;
    private final RoomRegistry registry;
    private final RawPublisher publisher;
    private final FilteredFeed feed;
    private final HttpHandler webSocket;
    private final ScheduledExecutorService sweeper;
    private volatile boolean closing;

    private Gateway(GatewayConfig config, RoomRegistry registry, RawPublisher publisher, FilteredFeed feed,
            HttpHandler webSocket, ScheduledExecutorService sweeper) {
        this.config = config;
        this.registry = registry;
        this.publisher = publisher;
        this.feed = feed;
        this.webSocket = webSocket;
        this.sweeper = sweeper;
    }

    public static Gateway start(GatewayConfig config, MeterRegistry meters) {
        log.info("Starting gateway {} with {}", config.gatewayId(), config.common());
        KafkaClients clients = new KafkaClients(config.common());
        clients.createMissingTopics(Duration.ofSeconds(30));
        RoomRegistry registry = new RoomRegistry(config.recentSize());
        RawPublisher publisher = new RawPublisher(clients, config.gatewayId());
        FilteredFeed feed = new FilteredFeed(clients.consumer("danmaku-gateway-" + config.gatewayId(), null,
                java.util.Map.of()), clients.topics().filtered(), config.gatewayId(), registry, meters);
        feed.start(Duration.ofSeconds(30));
        var handler = new DanmakuSocketHandler(config, registry, publisher, new Tokens(config.common().jwtSecret()), meters);
        HttpHandler webSocket = new WebSocketProtocolHandshakeHandler(
                List.of(new Hybi13Handshake(Set.of(WireFormat.PROTO.subprotocol(), WireFormat.JSON.subprotocol()), false)),
                handler,
                exchange -> Problem.badRequest(exchange, "/ws is a WebSocket endpoint: send an Upgrade request"));
        ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "room-sweeper-" + config.gatewayId());
            thread.setDaemon(true);
            return thread;
        });
        sweeper.scheduleWithFixedDelay(() -> registry.sweepIdleRooms(config.idleRoomRetention()), 30, 30, TimeUnit.SECONDS);
        return new Gateway(config, registry, publisher, feed, webSocket, sweeper);
    }

    public GatewayConfig config() {
        return config;
    }

    /** Adds /ws and the web pages to a listener's routes. */
    public Routes mount(Routes routes) {
        ResourceHandler pages = new ResourceHandler(new ClassPathResourceManager(Gateway.class.getClassLoader(), "web"),
                exchange -> Problem.send(exchange, StatusCodes.NOT_FOUND, "no such page: " + exchange.getRequestPath()))
                .setWelcomeFiles("index.html");
        return routes.exact("/ws", webSocket).prefix("/", pages);
    }

    public boolean ready() {
        return !closing && feed.running();
    }

    /**
     * Turns unready and closes every session with 1001, so viewers reconnect elsewhere; the
     * listener may close after this, the Kafka edges close in {@link #close()}.
     */
    public void drain() {
        if (closing) {
            return;
        }
        closing = true;
        registry.closeAll(GOING_AWAY, "gateway shutting down");
        awaitSessionsClosed(Duration.ofSeconds(2));
    }

    @Override
    public void close() {
        drain();
        sweeper.shutdownNow();
        feed.close();
        publisher.close();
    }

    /** Gives the close frames a moment to reach the viewers before the listener goes away. */
    private void awaitSessionsClosed(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (registry.sessionCount() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
