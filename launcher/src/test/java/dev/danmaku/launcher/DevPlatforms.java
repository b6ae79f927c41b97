package dev.danmaku.launcher;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.danmaku.archiver.ArchiverConfig;
import dev.danmaku.common.config.SettingValues;
import dev.danmaku.filter.FilterConfig;
import dev.danmaku.gateway.GatewayConfig;

/** The {@code dev} platform for tests: embedded Kafka and H2 under a temporary directory, on free ports. */
final class DevPlatforms {

    private DevPlatforms() {
    }

    static DevPlatform start(Path dataDir, int gateways) {
        return start(dataDir, gateways, Map.of());
    }

    /** {@code settings} override the defaults, by environment variable name. */
    static DevPlatform start(Path dataDir, int gateways, Map<String, String> settings) {
        Map<String, String> values = new java.util.HashMap<>(Map.of(
                "DANMAKU_BIND_HOST", "127.0.0.1", "DANMAKU_GATEWAY_PORT", "0", "DANMAKU_GATEWAY_ALLOWED_ORIGINS", "*",
                "DANMAKU_DATA_DIR", dataDir.toString(), "DANMAKU_JWT_SECRET", DevSecret.of(dataDir)));
        values.putAll(settings);
        SettingValues resolved = SettingValues.of(Stream.of(GatewayConfig.SETTINGS, FilterConfig.SETTINGS,
                ArchiverConfig.SETTINGS).flatMap(List::stream).toList(), values);
        return DevPlatform.start(new DevPlatform.Options(GatewayConfig.from(resolved), FilterConfig.from(resolved),
                ArchiverConfig.from(resolved), gateways, 0, dataDir));
    }
}
