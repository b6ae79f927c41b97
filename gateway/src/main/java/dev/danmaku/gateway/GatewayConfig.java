package dev.danmaku.gateway;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.config.InvalidSettingException;
import dev.danmaku.common.config.Setting;
import dev.danmaku.common.config.SettingValues;

/** The gateway's settings (DESIGN §7). */
public record GatewayConfig(
        CommonConfig common,
        int port,
        String gatewayId,
        boolean allowAnonymous,
        int maxTextLength,
        int recentSize,
        Duration idleRoomRetention) {

    public static final Setting PORT = new Setting("DANMAKU_GATEWAY_PORT", "--port", "8080",
            "Port of the WebSocket endpoint /ws and the web pages");
    public static final Setting ID = Setting.of("DANMAKU_GATEWAY_ID", "",
            "This gateway's id, unique among gateways; empty = generated at start");
    public static final Setting ALLOW_ANONYMOUS = Setting.of("DANMAKU_GATEWAY_ALLOW_ANONYMOUS", "true",
            "Let viewers join without a token (read-only)");
    public static final Setting MAX_TEXT_LENGTH = Setting.of("DANMAKU_GATEWAY_MAX_TEXT_LENGTH", "100",
            "Longest danmaku text accepted, in Unicode code points");
    public static final Setting RECENT_SIZE = Setting.of("DANMAKU_GATEWAY_RECENT_SIZE", "50",
            "Danmaku each room keeps for joined.recent and resumeAfter");
    public static final Setting IDLE_ROOM_RETENTION = Setting.of("DANMAKU_GATEWAY_IDLE_ROOM_SECONDS", "300",
            "How long a room without local viewers keeps its recent danmaku");

    public static final List<Setting> SETTINGS = Stream.concat(CommonConfig.SETTINGS.stream(),
            Stream.of(PORT, ID, ALLOW_ANONYMOUS, MAX_TEXT_LENGTH, RECENT_SIZE, IDLE_ROOM_RETENTION)).toList();

    public GatewayConfig {
        if (port < 0 || port > 65535) {
            throw SettingValues.invalid(PORT, Integer.toString(port), "a port number 0-65535");
        }
        if (gatewayId == null || gatewayId.isBlank()) {
            gatewayId = "gw-" + UUID.randomUUID().toString().substring(0, 8);
        }
        if (!gatewayId.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new InvalidSettingException(ID.env() + ": letters, digits, '.', '_' and '-' only, at most 64");
        }
        if (maxTextLength < 1) {
            throw SettingValues.invalid(MAX_TEXT_LENGTH, Integer.toString(maxTextLength), "at least 1");
        }
        if (recentSize < 0) {
            throw SettingValues.invalid(RECENT_SIZE, Integer.toString(recentSize), "0 or more");
        }
    }

    public static GatewayConfig from(SettingValues values) {
        return new GatewayConfig(
                CommonConfig.from(values),
                values.integer(PORT),
                values.string(ID),
                values.bool(ALLOW_ANONYMOUS),
                values.integer(MAX_TEXT_LENGTH),
                values.integer(RECENT_SIZE),
                Duration.ofSeconds(values.integer(IDLE_ROOM_RETENTION)));
    }

    public GatewayConfig withPortAndId(int otherPort, String otherId) {
        return new GatewayConfig(common, otherPort, otherId, allowAnonymous, maxTextLength, recentSize, idleRoomRetention);
    }
}
