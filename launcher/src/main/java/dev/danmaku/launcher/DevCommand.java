package dev.danmaku.launcher;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import dev.danmaku.archiver.ArchiverConfig;
import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.config.Setting;
import dev.danmaku.common.config.SettingValues;
import dev.danmaku.filter.FilterConfig;
import dev.danmaku.gateway.GatewayConfig;

@Command(name = "dev", mixinStandardHelpOptions = true,
        description = "Run everything in one JVM: embedded Kafka, filter, archiver (H2 under the data directory) and"
                + " gateways on http://localhost:8080 (and 8081.. with --gateways). Ctrl-C stops it.")
final class DevCommand implements Callable<Integer> {

    static final Setting GATEWAYS = Setting.of("DANMAKU_DEV_GATEWAYS", "1",
            "Gateways to run, on consecutive ports from --port, to try cross-gateway broadcast").withFlag("--gateways");

    /**
     * Read but not offered: dev starts its own broker, names its gateways dev-gw-1, dev-gw-2, ...,
     * and serves the filter's and archiver's APIs on the gateways' ports.
     */
    private static final List<Setting> NOT_OPTIONS = List.of(CommonConfig.KAFKA_BOOTSTRAP_SERVERS, GatewayConfig.ID,
            FilterConfig.PORT, ArchiverConfig.PORT);

    /** Every service's settings that mean something in dev. */
    static final List<Setting> SETTINGS = Stream.of(
                    Stream.of(CommonConfig.BIND_HOST.withDefault("127.0.0.1"), GATEWAYS, KafkaCommand.KAFKA_PORT,
                            GatewayConfig.ALLOWED_ORIGINS.withDefault("*")), // dev is for trying things out
                    GatewayConfig.SETTINGS.stream(),
                    FilterConfig.SETTINGS.stream(),
                    ArchiverConfig.SETTINGS.stream())
            .flatMap(s -> s)
            .filter(s -> !NOT_OPTIONS.contains(s))
            .toList();

    @Spec
    CommandSpec spec;

    private static int checkGateways(SettingValues values) {
        int gateways = values.integer(GATEWAYS);
        if (gateways < 1 || gateways > 16) {
            throw SettingValues.invalid(GATEWAYS, Integer.toString(gateways), "1 to 16");
        }
        return gateways;
    }

    @Override
    public Integer call() throws Exception {
        List<Setting> settings = Stream.concat(SETTINGS.stream(), NOT_OPTIONS.stream()).toList();
        SettingValues values = SettingOptions.resolve(spec, settings);
        checkGateways(values); // before anything is written to the data directory
        if (values.string(CommonConfig.JWT_SECRET).isEmpty()) {
            // the data directory's own secret stands in for the default (the first setting of a name wins)
            String secret = DevSecret.of(Path.of(values.string(ArchiverConfig.DATA_DIR)));
            values = SettingOptions.resolve(spec, Stream.concat(Stream.of(CommonConfig.JWT_SECRET.withDefault(secret)),
                    settings.stream()).toList());
        }
        int gateways = checkGateways(values);
        Path dataDir = Path.of(values.string(ArchiverConfig.DATA_DIR));
        DevPlatform.Options options = new DevPlatform.Options(GatewayConfig.from(values), FilterConfig.from(values),
                ArchiverConfig.from(values), gateways, values.integer(KafkaCommand.KAFKA_PORT), dataDir);
        PrintWriter out = spec.commandLine().getOut();
        out.println("Starting danmaku dev (first start takes a few seconds) ...");
        out.flush();
        try (DevPlatform platform = DevPlatform.start(options)) {
            printWelcome(out, platform, dataDir);
            Lifecycle lifecycle = new Lifecycle();
            lifecycle.add(platform);
            lifecycle.runUntilShutdown();
        }
        return 0;
    }

    private static void printWelcome(PrintWriter out, DevPlatform platform, Path dataDir) {
        String host = "0.0.0.0".equals(platform.bindHost()) ? "localhost" : platform.bindHost();
        if ("127.0.0.1".equals(host)) {
            host = "localhost";
        }
        List<Integer> ports = platform.ports();
        String first = "http://" + host + ":" + ports.get(0);
        out.println();
        out.println("danmaku dev is ready.");
        out.println("  Viewer page    " + first + "/?room=lobby");
        for (int i = 1; i < ports.size(); i++) {
            out.println("  Gateway " + (i + 1) + "      http://" + host + ":" + ports.get(i) + "/?room=lobby");
        }
        out.println("  WebSocket      ws://" + host + ":" + ports.get(0) + "/ws  (subprotocols danmaku.v1.json, danmaku.v1.proto)");
        out.println("  Archive API    " + first + "/api/v1/archive/rooms/lobby/danmaku");
        out.println("  Dev tokens     " + first + "/api/v1/dev/token?user=alice&role=viewer");
        out.println("  Metrics        " + first + "/metrics");
        out.println("  Kafka          " + platform.kafkaBootstrapServers());
        out.println("  Data           " + dataDir.toAbsolutePath().normalize());
        out.println("  Token (user dev, every role, 24 h):");
        out.println("    " + platform.adminToken());
        out.println("Press Ctrl-C to stop.");
        out.flush();
    }
}
