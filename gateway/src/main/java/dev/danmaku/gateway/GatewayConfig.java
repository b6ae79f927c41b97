package dev.danmaku.gateway;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.UUID;
import java.util.stream.Stream;

import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.config.InvalidSettingException;
import dev.danmaku.common.config.Setting;
import dev.danmaku.common.config.SettingValues;
import dev.danmaku.common.http.HttpServer;
import dev.danmaku.gateway.ws.ClientAddresses;

/** The gateway's settings (DESIGN §7). Every limit is here, with a default that works for dev. */
public record GatewayConfig(
        CommonConfig common,
        int port,
        String gatewayId,
        boolean allowAnonymous,
        List<String> allowedOrigins,
        String viewerFrameAncestors,
        List<String> trustedProxies,
        boolean proxyProtocol,
        Limits limits,
        Broadcast broadcast,
        Duration presenceInterval,
        Handover handover) {

    /** What one connection, one user, one address and the whole gateway may do. */
    public record Limits(
            int maxFrameBytes,
            int maxTextLength,
            double sendRatePerSecond,
            int sendBurst,
            int maxConnections,
            int maxConnectionsPerAddress,
            double joinsPerAddressPerSecond,
            int maxConnectionsPerUser,
            long outboundBudgetBytes,
            Duration handshakeTimeout,
            Duration joinTimeout,
            Duration pingInterval,
            Duration answerTimeout) {

        public Limits withAnswerTimeout(Duration otherAnswerTimeout) {
            return new Limits(maxFrameBytes, maxTextLength, sendRatePerSecond, sendBurst, maxConnections,
                    maxConnectionsPerAddress, joinsPerAddressPerSecond, maxConnectionsPerUser, outboundBudgetBytes, handshakeTimeout, joinTimeout, pingInterval,
                    otherAnswerTimeout);
        }

        public Limits withMaxTextLength(int otherMaxTextLength) {
            return new Limits(maxFrameBytes, otherMaxTextLength, sendRatePerSecond, sendBurst, maxConnections,
                    maxConnectionsPerAddress, joinsPerAddressPerSecond, maxConnectionsPerUser, outboundBudgetBytes, handshakeTimeout, joinTimeout, pingInterval,
                    answerTimeout);
        }
    }

    /** How rooms fan danmaku out and how long they remember them. */
    public record Broadcast(
            Duration flushWindow,
            int outboundQueueBytes,
            Duration slowViewerTimeout,
            int recentSize,
            Duration recentMaxAge,
            Duration emptyRoomGrace,
            int threads) {
    }

    /** When this gateway hands its viewers over to another, and which others there are. */
    public record Handover(List<URI> peers, Duration kafkaSilenceLimit) {

        public Handover {
            peers = List.copyOf(peers);
        }
    }

    public static final Setting PORT = new Setting("DANMAKU_GATEWAY_PORT", "--port", "8080",
            "Port of the WebSocket endpoint /ws and the web pages");
    public static final Setting ID = Setting.of("DANMAKU_GATEWAY_ID", "",
            "This gateway's id, unique among gateways; empty = generated at start");
    public static final Setting ALLOW_ANONYMOUS = Setting.of("DANMAKU_GATEWAY_ALLOW_ANONYMOUS", "true",
            "Let viewers join without a token (read-only)");
    public static final Setting ALLOWED_ORIGINS = Setting.of("DANMAKU_GATEWAY_ALLOWED_ORIGINS", "",
            "Comma-separated browser origins allowed to open /ws and send through the player API (https://example.com),"
                    + " or * for any; required"
                    + " (dev: *). Clients that send no Origin (non-browsers) are always allowed");
    public static final Setting FRAME_ANCESTORS = Setting.of("DANMAKU_GATEWAY_FRAME_ANCESTORS", "'self'",
            "Who may show the viewer page in a frame (CSP frame-ancestors): 'self', 'none', * or space-separated"
                    + " origins such as https://example.com; the moderator and analyst pages are never framed");
    public static final Setting TRUSTED_PROXIES = Setting.of("DANMAKU_GATEWAY_TRUSTED_PROXIES", "",
            "Comma-separated addresses or CIDR blocks of the proxies in front (the ingress, 10.0.0.0/8): a connection"
                    + " through them counts against the address their X-Forwarded-For names, not theirs; empty = none");
    public static final Setting PROXY_PROTOCOL = Setting.of("DANMAKU_GATEWAY_PROXY_PROTOCOL", "false",
            "true behind a TCP load balancer that speaks the PROXY protocol (v1 or v2): each connection counts"
                    + " against the client address it names, and a connection without its header is refused; needs"
                    + " DANMAKU_MANAGEMENT_PORT, since probes do not speak it");
    public static final Setting MAX_FRAME_BYTES = Setting.of("DANMAKU_GATEWAY_MAX_FRAME_BYTES", "4096",
            "Largest frame a viewer may send; larger closes with 1009");
    public static final Setting MAX_TEXT_LENGTH = Setting.of("DANMAKU_GATEWAY_MAX_TEXT_LENGTH", "100",
            "Longest danmaku text accepted, in Unicode code points");
    public static final Setting SEND_RATE = Setting.of("DANMAKU_GATEWAY_SEND_RATE", "5",
            "Danmaku per second one user may send, across their connections to this gateway (refused as"
                    + " RATE_LIMITED before reaching Kafka)");
    public static final Setting SEND_BURST = Setting.of("DANMAKU_GATEWAY_SEND_BURST", "10",
            "Danmaku one user may send at once before the rate applies");
    public static final Setting MAX_CONNECTIONS = Setting.of("DANMAKU_GATEWAY_MAX_CONNECTIONS", "100000",
            "Connections this gateway holds at most; more are closed with 4029");
    public static final Setting MAX_CONNECTIONS_PER_ADDRESS = Setting.of(
            "DANMAKU_GATEWAY_MAX_CONNECTIONS_PER_ADDRESS", "1000",
            "Connections one client address may hold; more are closed with 4029");
    public static final Setting JOINS_PER_ADDRESS = Setting.of("DANMAKU_GATEWAY_JOINS_PER_ADDRESS_PER_SECOND", "50",
            "Joins per second one client address may make across its connections, after a burst as large as its"
                    + " connection cap (refused with error rate_limited)");
    public static final Setting MAX_CONNECTIONS_PER_USER = Setting.of("DANMAKU_GATEWAY_MAX_CONNECTIONS_PER_USER", "10",
            "Connections one signed-in user may hold on this gateway (they share one send budget); a join on one more"
                    + " is closed with 4029");
    public static final Setting HANDSHAKE_TIMEOUT = Setting.of("DANMAKU_GATEWAY_HANDSHAKE_TIMEOUT_MS", "10000",
            "Time a new connection has to complete its HTTP upgrade request");
    public static final Setting JOIN_TIMEOUT = Setting.of("DANMAKU_GATEWAY_JOIN_TIMEOUT_MS", "10000",
            "Time a new WebSocket has to send its first join; otherwise closed with 4008");
    public static final Setting PING_INTERVAL = Setting.of("DANMAKU_GATEWAY_PING_INTERVAL_MS", "25000",
            "Server ping interval; a viewer that sends nothing (not even a pong) for two intervals is closed");
    public static final Setting ANSWER_TIMEOUT = Setting.of("DANMAKU_GATEWAY_ANSWER_TIMEOUT_MS", "4000",
            "Time a send waits for its verdict before the sender is told `unavailable` (retryable: a retry with the"
                    + " same clientMsgId is shown once; the ack still follows if the verdict comes later). 4 s, so that"
                    + " every send is answered within 5 s");
    public static final Setting FLUSH_WINDOW = Setting.of("DANMAKU_GATEWAY_FLUSH_WINDOW_MS", "50",
            "Under load, a room's danmaku are coalesced into one batch frame for at most this long;"
                    + " an idle room's first danmaku goes out at once");
    public static final Setting OUTBOUND_BUDGET_BYTES = Setting.of("DANMAKU_GATEWAY_OUTBOUND_BUDGET_BYTES", "268435456",
            "Bytes queued for all viewers together; past it, every viewer that is behind drops its queued batches and"
                    + " has the slow-viewer timeout to catch up");
    public static final Setting OUTBOUND_QUEUE_BYTES = Setting.of("DANMAKU_GATEWAY_OUTBOUND_QUEUE_BYTES", "1048576",
            "Bytes waiting for one slow viewer before its oldest batches are dropped");
    public static final Setting SLOW_VIEWER_TIMEOUT = Setting.of("DANMAKU_GATEWAY_SLOW_VIEWER_TIMEOUT_MS", "5000",
            "A viewer whose queue keeps overflowing this long is closed with 4009");
    public static final Setting RECENT_SIZE = Setting.of("DANMAKU_GATEWAY_RECENT_SIZE", "100",
            "Danmaku each room keeps for joined.recent and resumeAfter");
    public static final Setting RECENT_MAX_AGE = Setting.of("DANMAKU_GATEWAY_RECENT_MAX_AGE_SECONDS", "300",
            "Oldest danmaku a room keeps for joined.recent and resumeAfter");
    public static final Setting EMPTY_ROOM_GRACE = Setting.of("DANMAKU_GATEWAY_EMPTY_ROOM_GRACE_SECONDS", "30",
            "How long a room keeps following Kafka after its last local viewer left, so a reconnect resumes");
    public static final Setting BROADCAST_THREADS = Setting.of("DANMAKU_GATEWAY_BROADCAST_THREADS", "0",
            "Threads writing broadcasts to sessions; 0 = one per CPU core");
    public static final Setting PRESENCE_INTERVAL = Setting.of("DANMAKU_GATEWAY_PRESENCE_INTERVAL_MS", "5000",
            "How often this gateway publishes its per-room viewer counts");

    public static final Setting PEERS = Setting.of("DANMAKU_GATEWAY_PEERS", "",
            "Comma-separated probe listeners of the other gateways (http://host:port, where their /readyz and"
                    + " /readyz/kafka answer; a host with several addresses, such as a headless Service, means each of"
                    + " them): a gateway that hears nothing from Kafka while one of them has heard it all along closes"
                    + " its viewers with 1001 so they resume on another; empty = viewers stay and wait");
    public static final Setting KAFKA_SILENCE_LIMIT = Setting.of("DANMAKU_GATEWAY_KAFKA_SILENCE_LIMIT_MS", "3000",
            "How long this gateway may hear nothing from Kafka (a healthy broker answers its fetches at least every"
                    + " 500 ms) before /readyz says not ready and, if a peer still hears Kafka, its viewers are handed over");

    public static final List<Setting> SETTINGS = Stream.concat(CommonConfig.SETTINGS.stream(), Stream.of(
            PORT, ID, ALLOW_ANONYMOUS, ALLOWED_ORIGINS, FRAME_ANCESTORS, TRUSTED_PROXIES, PROXY_PROTOCOL, MAX_FRAME_BYTES, MAX_TEXT_LENGTH, SEND_RATE, SEND_BURST,
            MAX_CONNECTIONS, MAX_CONNECTIONS_PER_ADDRESS, JOINS_PER_ADDRESS, MAX_CONNECTIONS_PER_USER, OUTBOUND_BUDGET_BYTES, HANDSHAKE_TIMEOUT, JOIN_TIMEOUT, PING_INTERVAL, ANSWER_TIMEOUT, FLUSH_WINDOW,
            OUTBOUND_QUEUE_BYTES, SLOW_VIEWER_TIMEOUT, RECENT_SIZE, RECENT_MAX_AGE, EMPTY_ROOM_GRACE,
            BROADCAST_THREADS, PRESENCE_INTERVAL, PEERS, KAFKA_SILENCE_LIMIT)).toList();

    public GatewayConfig {
        try {
            ClientAddresses.trusting(trustedProxies);
        } catch (IllegalArgumentException e) {
            throw SettingValues.invalid(TRUSTED_PROXIES, String.join(",", trustedProxies), e.getMessage());
        }
        trustedProxies = List.copyOf(trustedProxies);
        if (proxyProtocol && common.managementPort() < 0) {
            throw SettingValues.invalid(PROXY_PROTOCOL, "true", "DANMAKU_MANAGEMENT_PORT too: probes and scrapes do not"
                    + " speak the PROXY protocol");
        }
        if (port < 0 || port > 65535) {
            throw SettingValues.invalid(PORT, Integer.toString(port), "a port number 0-65535");
        }
        if (gatewayId == null || gatewayId.isBlank()) {
            gatewayId = "gw-" + UUID.randomUUID().toString().substring(0, 8);
        }
        if (!gatewayId.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new InvalidSettingException(ID.env() + ": letters, digits, '.', '_' and '-' only, at most 64");
        }
        allowedOrigins = List.copyOf(allowedOrigins);
        if (allowedOrigins.isEmpty()) {
            throw new InvalidSettingException(ALLOWED_ORIGINS.env() + " is not set: list the sites whose pages open /ws"
                    + " (https://example.com,https://www.example.com), or * to let any site");
        }
        if (!FRAME_SOURCES.matcher(viewerFrameAncestors.strip()).matches()) {
            throw SettingValues.invalid(FRAME_ANCESTORS, viewerFrameAncestors,
                    "'self', 'none', * or space-separated origins like https://example.com");
        }
        atLeast(MAX_FRAME_BYTES, limits.maxFrameBytes(), 256);
        atLeast(MAX_TEXT_LENGTH, limits.maxTextLength(), 1);
        if (!(limits.sendRatePerSecond() > 0)) {
            throw SettingValues.invalid(SEND_RATE, Double.toString(limits.sendRatePerSecond()), "more than 0");
        }
        atLeast(SEND_BURST, limits.sendBurst(), 1);
        atLeast(MAX_CONNECTIONS, limits.maxConnections(), 1);
        atLeast(MAX_CONNECTIONS_PER_ADDRESS, limits.maxConnectionsPerAddress(), 1);
        if (!(limits.joinsPerAddressPerSecond() > 0)) {
            throw SettingValues.invalid(JOINS_PER_ADDRESS, Double.toString(limits.joinsPerAddressPerSecond()), "more than 0");
        }
        atLeast(MAX_CONNECTIONS_PER_USER, limits.maxConnectionsPerUser(), 1);
        atLeast(OUTBOUND_BUDGET_BYTES, limits.outboundBudgetBytes(), broadcast.outboundQueueBytes());
        atLeast(HANDSHAKE_TIMEOUT, limits.handshakeTimeout().toMillis(), 100);
        atLeast(JOIN_TIMEOUT, limits.joinTimeout().toMillis(), 100);
        atLeast(PING_INTERVAL, limits.pingInterval().toMillis(), 100);
        atLeast(ANSWER_TIMEOUT, limits.answerTimeout().toMillis(), 100);
        atLeast(FLUSH_WINDOW, broadcast.flushWindow().toMillis(), 0);
        atLeast(OUTBOUND_QUEUE_BYTES, broadcast.outboundQueueBytes(), 4096);
        atLeast(SLOW_VIEWER_TIMEOUT, broadcast.slowViewerTimeout().toMillis(), 0);
        if (broadcast.slowViewerTimeout().compareTo(HttpServer.WRITE_TIMEOUT) >= 0) {
            // the listener would cut the viewer off first, without the 4009 that tells it why
            throw SettingValues.invalid(SLOW_VIEWER_TIMEOUT, Long.toString(broadcast.slowViewerTimeout().toMillis()),
                    "less than " + HttpServer.WRITE_TIMEOUT.toMillis());
        }
        atLeast(RECENT_SIZE, broadcast.recentSize(), 0);
        atLeast(RECENT_MAX_AGE, broadcast.recentMaxAge().toSeconds(), 0);
        atLeast(EMPTY_ROOM_GRACE, broadcast.emptyRoomGrace().toSeconds(), 0);
        atLeast(BROADCAST_THREADS, broadcast.threads(), 1);
        atLeast(PRESENCE_INTERVAL, presenceInterval.toMillis(), 100);
        // a healthy broker answers a waiting fetch every 500 ms: less than a few of those is no silence
        atLeast(KAFKA_SILENCE_LIMIT, handover.kafkaSilenceLimit().toMillis(), 1500);
        for (URI peer : handover.peers()) {
            if (peer.getHost() == null || peer.getPort() < 0 || !List.of("http", "https").contains(peer.getScheme())
                    || !(peer.getRawPath() == null || peer.getRawPath().isEmpty() || peer.getRawPath().equals("/"))) {
                throw SettingValues.invalid(PEERS, peer.toString(), "http://host:port of another gateway's probes, no path");
            }
        }
    }

    private static void atLeast(Setting setting, long value, long minimum) {
        if (value < minimum) {
            throw SettingValues.invalid(setting, Long.toString(value), "at least " + minimum);
        }
    }

    /** CSP sources without anything that could end the directive (no ; , or stray quotes). */
    private static final Pattern FRAME_SOURCES = Pattern.compile(
            "'none'|(('self'|\\*|[a-z][a-z0-9+.-]*:|([a-z][a-z0-9+.-]*://)?(\\*\\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?)( +|$))+");

    public static GatewayConfig from(SettingValues values) {
        int threads = values.integer(BROADCAST_THREADS);
        return new GatewayConfig(
                CommonConfig.from(values),
                values.integer(PORT),
                values.string(ID),
                values.bool(ALLOW_ANONYMOUS),
                values.list(ALLOWED_ORIGINS),
                values.string(FRAME_ANCESTORS),
                values.list(TRUSTED_PROXIES),
                values.bool(PROXY_PROTOCOL),
                new Limits(
                        values.integer(MAX_FRAME_BYTES),
                        values.integer(MAX_TEXT_LENGTH),
                        values.decimal(SEND_RATE),
                        values.integer(SEND_BURST),
                        values.integer(MAX_CONNECTIONS),
                        values.integer(MAX_CONNECTIONS_PER_ADDRESS),
                        values.decimal(JOINS_PER_ADDRESS),
                        values.integer(MAX_CONNECTIONS_PER_USER),
                        values.longValue(OUTBOUND_BUDGET_BYTES),
                        Duration.ofMillis(values.longValue(HANDSHAKE_TIMEOUT)),
                        Duration.ofMillis(values.longValue(JOIN_TIMEOUT)),
                        Duration.ofMillis(values.longValue(PING_INTERVAL)),
                        Duration.ofMillis(values.longValue(ANSWER_TIMEOUT))),
                new Broadcast(
                        Duration.ofMillis(values.longValue(FLUSH_WINDOW)),
                        values.integer(OUTBOUND_QUEUE_BYTES),
                        Duration.ofMillis(values.longValue(SLOW_VIEWER_TIMEOUT)),
                        values.integer(RECENT_SIZE),
                        Duration.ofSeconds(values.longValue(RECENT_MAX_AGE)),
                        Duration.ofSeconds(values.longValue(EMPTY_ROOM_GRACE)),
                        threads == 0 ? Runtime.getRuntime().availableProcessors() : threads),
                Duration.ofMillis(values.longValue(PRESENCE_INTERVAL)),
                new Handover(peers(values.list(PEERS)), Duration.ofMillis(values.longValue(KAFKA_SILENCE_LIMIT))));
    }

    private static List<URI> peers(List<String> listed) {
        return listed.stream().map(peer -> {
            try {
                return new URI(peer);
            } catch (java.net.URISyntaxException e) {
                throw SettingValues.invalid(PEERS, peer, "http://host:port of another gateway's probes");
            }
        }).toList();
    }

    /** The defaults with the given common settings: what tests and embedders start from. */
    public static GatewayConfig defaults(CommonConfig common, String gatewayId) {
        return from(SettingValues.of(SETTINGS, java.util.Map.of(CommonConfig.JWT_SECRET.env(), common.jwtSecret(),
                ALLOWED_ORIGINS.env(), "*")))
                .with(common, 0, gatewayId);
    }

    public GatewayConfig with(CommonConfig otherCommon, int otherPort, String otherId) {
        return new GatewayConfig(otherCommon, otherPort, otherId, allowAnonymous, allowedOrigins, viewerFrameAncestors,
                trustedProxies, proxyProtocol, limits, broadcast, presenceInterval, handover);
    }

    public GatewayConfig withLimits(Limits otherLimits) {
        return new GatewayConfig(common, port, gatewayId, allowAnonymous, allowedOrigins, viewerFrameAncestors,
                trustedProxies, proxyProtocol, otherLimits, broadcast, presenceInterval, handover);
    }

    public GatewayConfig withBroadcast(Broadcast otherBroadcast) {
        return new GatewayConfig(common, port, gatewayId, allowAnonymous, allowedOrigins, viewerFrameAncestors,
                trustedProxies, proxyProtocol, limits, otherBroadcast, presenceInterval, handover);
    }

    public GatewayConfig withAccess(boolean anonymous, List<String> origins) {
        return new GatewayConfig(common, port, gatewayId, anonymous, origins, viewerFrameAncestors, trustedProxies,
                proxyProtocol, limits, broadcast, presenceInterval, handover);
    }

    public GatewayConfig withTrustedProxies(List<String> proxies) {
        return new GatewayConfig(common, port, gatewayId, allowAnonymous, allowedOrigins, viewerFrameAncestors,
                proxies, proxyProtocol, limits, broadcast, presenceInterval, handover);
    }

    public GatewayConfig withProxyProtocol(boolean proxied) {
        return new GatewayConfig(common, port, gatewayId, allowAnonymous, allowedOrigins, viewerFrameAncestors,
                trustedProxies, proxied, limits, broadcast, presenceInterval, handover);
    }

    public GatewayConfig withHandover(Handover otherHandover) {
        return new GatewayConfig(common, port, gatewayId, allowAnonymous, allowedOrigins, viewerFrameAncestors,
                trustedProxies, proxyProtocol, limits, broadcast, presenceInterval, otherHandover);
    }

    public GatewayConfig withPresenceInterval(Duration interval) {
        return new GatewayConfig(common, port, gatewayId, allowAnonymous, allowedOrigins, viewerFrameAncestors,
                trustedProxies, proxyProtocol, limits, broadcast, interval, handover);
    }

    /**
     * Whether a browser page of {@code origin} may open /ws or send through the player API: the
     * gateway's own pages (the origin's host is the request's {@code host}) always may.
     */
    public boolean admitsOrigin(String origin, String host) {
        boolean ownPage = origin != null && host != null && origin.substring(origin.indexOf("://") + 3).equals(host);
        return ownPage || originAllowed(origin);
    }

    public boolean originAllowed(String origin) {
        return origin == null || allowedOrigins.contains("*") || allowedOrigins.contains(origin);
    }
}
