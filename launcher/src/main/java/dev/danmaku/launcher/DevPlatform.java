package dev.danmaku.launcher;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.danmaku.archiver.Archiver;
import dev.danmaku.archiver.ArchiverConfig;
import dev.danmaku.common.auth.Identity;
import dev.danmaku.common.auth.Tokens;
import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.metrics.Metrics;
import dev.danmaku.filter.FilterConfig;
import dev.danmaku.filter.FilterService;
import dev.danmaku.gateway.Gateway;
import dev.danmaku.gateway.GatewayConfig;
import dev.danmaku.kafka.embedded.EmbeddedKafkaBroker;

/**
 * Everything in one JVM: an embedded Kafka broker, the filter, the archiver and one or more
 * gateways, each gateway listener also serving the moderation and archive APIs and dev tokens.
 */
final class DevPlatform implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DevPlatform.class);

    /** What {@code danmaku dev} was asked for. */
    record Options(GatewayConfig gateway, FilterConfig filter, ArchiverConfig archiver, int gateways, int kafkaPort,
            Path dataDir) {
    }

    private final Lifecycle parts = new Lifecycle();
    private final List<Gateway> gateways = new ArrayList<>();
    private final List<ServiceListener> listeners = new ArrayList<>();
    private String kafkaBootstrapServers;
    private Tokens tokens;
    private String bindHost;

    private DevPlatform() {
    }

    static DevPlatform start(Options options) {
        DevPlatform platform = new DevPlatform();
        try {
            platform.startParts(options);
        } catch (RuntimeException e) {
            platform.close();
            throw e;
        }
        return platform;
    }

    private void startParts(Options options) {
        int kafkaPort = portOrAnyIfTaken(options.kafkaPort());
        EmbeddedKafkaBroker broker = parts.add(EmbeddedKafkaBroker.start(options.dataDir().resolve("kafka"), kafkaPort));
        kafkaBootstrapServers = broker.bootstrapServers();
        CommonConfig common = options.gateway().common().withKafkaBootstrapServers(kafkaBootstrapServers);
        tokens = common.tokens();
        bindHost = common.bindHost();
        PrometheusMeterRegistry registry = Metrics.prometheusRegistry();

        FilterService filter = parts.add(FilterService.start(
                new FilterConfig(common, 0, options.filter().instanceId(), options.filter().blockedWords(),
                        options.filter().limits()), registry));
        ArchiverConfig archiverConfig = options.archiver();
        Archiver archiver = parts.add(Archiver.start(archiverConfig.withPortAndCommon(0, common), registry));
        GatewayConfig base = options.gateway();
        for (int i = 0; i < options.gateways(); i++) {
            int port = base.port() == 0 ? 0 : base.port() + i;
            Gateway gateway = parts.add(Gateway.start(base.with(common, port, "dev-gw-" + (i + 1)), registry));
            gateways.add(gateway);
            DevTokenHandler devTokens = new DevTokenHandler(tokens);
            listeners.add(parts.add(ServiceListener.start(bindHost, -1, port, base.limits().handshakeTimeout(), false,
                    () -> filter.ready() && archiver.ready() && gateway.ready(), registry, gateway::mountProbes,
                    routes -> filter.mount(archiver.mount(gateway.mount(routes))).exact(DevTokenHandler.PATH, devTokens))));
        }
        // closed first: viewers get 1001 while the listeners still run
        gateways.forEach(gateway -> parts.add(gateway::drain));
    }

    /** Keeps the usual Kafka port when free; a broker already there (say, `danmaku kafka`) is left alone. */
    private static int portOrAnyIfTaken(int port) {
        if (port == 0) {
            return 0;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return port;
        } catch (IOException e) {
            log.warn("Port {} is taken; the embedded Kafka broker takes a free port instead", port);
            return 0;
        }
    }

    List<Integer> ports() {
        return listeners.stream().map(ServiceListener::port).toList();
    }

    String kafkaBootstrapServers() {
        return kafkaBootstrapServers;
    }

    String bindHost() {
        return bindHost;
    }

    String token(String user, String name, Set<String> roles) {
        return tokens.issue(user, name, roles, tokens.maxLifetime(roles));
    }

    String adminToken() {
        return token("dev", "Dev", Set.of(Identity.ADMIN, Identity.MODERATOR, Identity.ANALYST, Identity.VIEWER));
    }

    @Override
    public void close() {
        parts.close();
    }
}
