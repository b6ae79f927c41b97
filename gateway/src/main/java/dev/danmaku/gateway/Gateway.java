package dev.danmaku.gateway;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.resource.ClassPathResourceManager;
import io.undertow.server.handlers.resource.ResourceHandler;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.StatusCodes;
import io.undertow.websockets.WebSocketProtocolHandshakeHandler;
import io.undertow.websockets.core.protocol.version13.Hybi13Handshake;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.danmaku.common.http.Problem;
import dev.danmaku.common.http.Routes;
import dev.danmaku.common.http.SecurityHeaders;
import dev.danmaku.common.kafka.KafkaClients;
import dev.danmaku.gateway.handover.FeedHandover;
import dev.danmaku.gateway.handover.HttpPeers;
import dev.danmaku.gateway.kafka.BrokerLink;
import dev.danmaku.gateway.kafka.FilteredFeed;
import dev.danmaku.gateway.kafka.RawPublisher;
import dev.danmaku.gateway.kafka.RoomHistoryReader;
import dev.danmaku.gateway.player.DPlayerApi;
import dev.danmaku.gateway.presence.PresenceTracker;
import dev.danmaku.gateway.protocol.WireFormat;
import dev.danmaku.gateway.room.Broadcaster;
import dev.danmaku.gateway.room.Room;
import dev.danmaku.gateway.room.RoomMetrics;
import dev.danmaku.gateway.room.RoomRegistry;
import dev.danmaku.gateway.room.VerdictRouter;
import dev.danmaku.gateway.ws.DanmakuSocketHandler;
import dev.danmaku.gateway.ws.EdgeLimits;
import dev.danmaku.gateway.ws.SessionTable;

/** One gateway: viewers' WebSocket endpoint, the pages, and its Kafka edges. */
public final class Gateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    /** Pages in their own folder of {@code web/}, answered at their name without the trailing slash too. */
    private static final List<String> PAGES = List.of("/moderator", "/analyst", "/overlay");
    /** Modules other sites load (a module from another origin needs CORS): public code, no credentials. */
    private static final List<String> LIBRARIES = List.of("/danmaku-client.js", "/danmaku-players.js");
    private static final HttpString ALLOW_ORIGIN = new HttpString("Access-Control-Allow-Origin");
    /** Staff pages are never framed; the others (the stream overlay too) as the viewer's frame policy says. */
    private static final List<String> STAFF_PAGES = List.of("/moderator", "/analyst");

    private final GatewayConfig config;
    private final SessionTable sessions;
    private final Broadcaster broadcaster;
    private final RawPublisher publisher;
    private final FilteredFeed feed;
    private final RoomHistoryReader history;
    private final PresenceTracker presence;
    private final HttpHandler webSocket;
    private final DPlayerApi dplayer;
    private final FeedHandover handover;
    private volatile boolean closing;

    private Gateway(GatewayConfig config, SessionTable sessions, Broadcaster broadcaster, RawPublisher publisher,
            FilteredFeed feed, RoomHistoryReader history, PresenceTracker presence, HttpHandler webSocket,
            DPlayerApi dplayer, FeedHandover handover) {
        this.config = config;
        this.sessions = sessions;
        this.broadcaster = broadcaster;
        this.publisher = publisher;
        this.feed = feed;
        this.history = history;
        this.presence = presence;
        this.webSocket = webSocket;
        this.dplayer = dplayer;
        this.handover = handover;
    }

    public static Gateway start(GatewayConfig config, MeterRegistry meters) {
        log.info("Starting gateway {} with {}", config.gatewayId(), config);
        KafkaClients clients = new KafkaClients(config.common());
        clients.createMissingTopics(Duration.ofSeconds(30));
        GatewayConfig.Broadcast broadcast = config.broadcast();
        Broadcaster broadcaster = new Broadcaster(config.gatewayId(), broadcast.threads());
        String clientId = "danmaku-gateway-" + config.gatewayId();
        RoomHistoryReader history = new RoomHistoryReader(clients.consumer(clientId + "-history", null, Map.of()),
                clients.topics().filtered(), config.gatewayId());
        RoomRegistry registry = new RoomRegistry(
                new Room.RoomSettings(broadcast.recentSize(), broadcast.recentMaxAge().toMillis(),
                        broadcast.flushWindow().toNanos(),
                        Room.RoomSettings.maxBatchBytesFor(broadcast.outboundQueueBytes())),
                broadcaster, new RoomMetrics(meters, config.gatewayId()), history);
        SessionTable sessions = new SessionTable(registry);

        KafkaProducer<String, byte[]> producer = clients.producer(clientId, RawPublisher.BOUNDED_DELIVERY);
        new KafkaClientMetrics(producer).bindTo(meters);
        RawPublisher publisher = new RawPublisher(producer, clients.topics().raw(), config.gatewayId());
        var feedConsumer = clients.consumer(clientId + "-feed", null, Map.of());
        new KafkaClientMetrics(feedConsumer).bindTo(meters);
        EdgeLimits edge = EdgeLimits.of(config);
        DPlayerApi dplayer = new DPlayerApi(config, edge, config.common().tokens(), registry, publisher,
                broadcaster.timer(), meters);
        FilteredFeed feed = new FilteredFeed(feedConsumer, clients.topics().filtered(), config.gatewayId(),
                new VerdictRouter(config.gatewayId(), registry, sessions, dplayer), meters);
        history.followLiveFeed(feed::deliveredUpTo);
        registry.followThrough(feed);
        feed.start(Duration.ofSeconds(30));
        var presenceConsumer = clients.consumer(clientId + "-presence", null, Map.of());
        PresenceTracker presence = new PresenceTracker(presenceConsumer, producer, clients.topics().presence(),
                config.gatewayId(), registry, config.presenceInterval());
        presence.start(broadcaster.timer());
        // the presence consumer follows every partition of its topic, so it always has a fetch waiting
        BrokerLink link = new BrokerLink(List.of(feedConsumer, presenceConsumer), System.nanoTime());
        FeedHandover handover = new FeedHandover(link::silentNanos, config.handover().kafkaSilenceLimit(),
                new HttpPeers(config.handover().peers()),
                () -> sessions.closeAll(DanmakuSocketHandler.CLOSE_GOING_AWAY, "this gateway lost its link to Kafka"),
                config.gatewayId(), meters);
        handover.start();

        var handler = new DanmakuSocketHandler(config, edge, registry, sessions, presence, publisher,
                config.common().tokens(), broadcaster.timer(), meters);
        long ping = config.limits().pingInterval().toMillis();
        broadcaster.timer().scheduleWithFixedDelay(handler::pingAll, ping, ping, TimeUnit.MILLISECONDS);
        broadcaster.timer().scheduleWithFixedDelay(
                () -> registry.sweepEmptyRooms(broadcast.emptyRoomGrace().toMillis()), 1, 1, TimeUnit.SECONDS);
        HttpHandler upgrade = handler.checkingOrigin(new WebSocketProtocolHandshakeHandler(
                List.of(new Hybi13Handshake(Set.of(WireFormat.PROTO.subprotocol(), WireFormat.JSON.subprotocol()), false)),
                handler,
                exchange -> Problem.badRequest(exchange, "/ws is a WebSocket endpoint: send an Upgrade request")));
        HttpHandler webSocket = exchange -> {
            if (handover.handedOver()) {
                exchange.getResponseHeaders().put(Headers.RETRY_AFTER, "1");
                Problem.send(exchange, StatusCodes.SERVICE_UNAVAILABLE,
                        "this gateway has lost its link to Kafka: connect to another one");
                return;
            }
            upgrade.handleRequest(exchange);
        };
        return new Gateway(config, sessions, broadcaster, publisher, feed, history, presence, webSocket, dplayer,
                handover);
    }

    public GatewayConfig config() {
        return config;
    }

    /**
     * Adds what the other gateways ask beside the probes: how long this one has heard Kafka without a
     * break, while it is ready ({@link FeedHandover}).
     */
    public Routes mountProbes(Routes routes) {
        return routes.exact(HttpPeers.PATH, exchange -> {
            long heard = ready() ? handover.heardMillis(System.nanoTime()) : -1;
            exchange.setStatusCode(heard >= 0 ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE);
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
            exchange.getResponseSender().send(HttpPeers.answer(heard));
        });
    }

    /** Adds /ws, DPlayer's danmaku API and the web pages to a listener's routes. */
    public Routes mount(Routes routes) {
        ResourceHandler files = new ResourceHandler(new ClassPathResourceManager(Gateway.class.getClassLoader(), "web"),
                exchange -> Problem.send(exchange, StatusCodes.NOT_FOUND, "no such page: " + exchange.getRequestPath()))
                .setWelcomeFiles("index.html");
        String viewerPolicy = SecurityHeaders.pagePolicy(config.viewerFrameAncestors());
        String staffPolicy = SecurityHeaders.pagePolicy("'none'");
        HttpHandler pages = exchange -> {
            boolean staff = STAFF_PAGES.stream().anyMatch(page -> exchange.getRequestPath().startsWith(page));
            exchange.getResponseHeaders().put(SecurityHeaders.CONTENT_SECURITY_POLICY, staff ? staffPolicy : viewerPolicy);
            if (LIBRARIES.contains(exchange.getRequestPath())) {
                exchange.getResponseHeaders().put(ALLOW_ORIGIN, "*");
            }
            files.handleRequest(exchange);
        };
        routes.exact("/ws", webSocket).prefix(DPlayerApi.PATH, dplayer).prefix("/", pages);
        for (String page : PAGES) {
            routes.exact(page, exchange -> {
                if (!exchange.getRequestPath().equals(page)) {
                    // an exact route also takes "/moderator/", with the relative path cut to ""
                    exchange.setRelativePath(exchange.getRequestPath());
                    pages.handleRequest(exchange);
                    return;
                }
                // The pages load their scripts by relative URLs, so they must be seen as folders.
                String query = exchange.getQueryString();
                exchange.setStatusCode(StatusCodes.FOUND);
                exchange.getResponseHeaders().put(Headers.LOCATION, page + "/" + (query.isEmpty() ? "" : "?" + query));
                exchange.endExchange();
            });
        }
        return routes;
    }

    public boolean ready() {
        return !closing && feed.running() && history.running() && presence.running() && handover.hearsKafka();
    }

    /** The partitions of danmaku.filtered.v1 this gateway follows now. */
    public Set<Integer> followedPartitions() {
        return feed.assignedPartitions();
    }

    /** The partition of danmaku.filtered.v1 that carries a room. */
    public int partitionOf(String roomId) {
        return feed.partitionOf(roomId);
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
        sessions.closeAll(DanmakuSocketHandler.CLOSE_GOING_AWAY, "gateway shutting down");
        awaitSessionsClosed(Duration.ofSeconds(2));
    }

    @Override
    public void close() {
        drain();
        handover.close();
        broadcaster.close();
        presence.withdraw();
        presence.close();
        feed.close();
        history.close();
        publisher.close();
    }

    /** Gives the close frames a moment to reach the viewers before the listener goes away. */
    private void awaitSessionsClosed(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (sessions.count() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
