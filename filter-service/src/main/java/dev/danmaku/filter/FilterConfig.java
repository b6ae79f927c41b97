package dev.danmaku.filter;

import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.config.InvalidSettingException;
import dev.danmaku.common.config.Setting;
import dev.danmaku.common.config.SettingValues;

/** The filter service's settings (DESIGN §7). */
public record FilterConfig(CommonConfig common, int port, String instanceId, List<String> blockedWords) {

    public static final Setting PORT = new Setting("DANMAKU_FILTER_PORT", "--port", "8090",
            "Port of the moderator API and the probes");
    public static final Setting INSTANCE_ID = Setting.of("DANMAKU_FILTER_INSTANCE_ID", "",
            "Stable id of this instance (its Kafka transactional id derives from it); empty = generated");
    public static final Setting BLOCKED_WORDS = Setting.of("DANMAKU_FILTER_BLOCKED_WORDS", "",
            "Comma-separated words; a danmaku containing one (ignoring case) is rejected");

    public static final List<Setting> SETTINGS = Stream.concat(CommonConfig.SETTINGS.stream(),
            Stream.of(PORT, INSTANCE_ID, BLOCKED_WORDS)).toList();

    public FilterConfig {
        if (port < 0 || port > 65535) {
            throw SettingValues.invalid(PORT, Integer.toString(port), "a port number 0-65535");
        }
        if (instanceId == null || instanceId.isBlank()) {
            instanceId = UUID.randomUUID().toString().substring(0, 8);
        }
        if (!instanceId.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new InvalidSettingException(INSTANCE_ID.env() + ": letters, digits, '.', '_' and '-' only, at most 64");
        }
        blockedWords = List.copyOf(blockedWords);
    }

    public static FilterConfig from(SettingValues values) {
        return new FilterConfig(CommonConfig.from(values), values.integer(PORT), values.string(INSTANCE_ID),
                values.list(BLOCKED_WORDS));
    }
}
