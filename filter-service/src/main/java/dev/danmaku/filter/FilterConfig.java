package dev.danmaku.filter;

import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.config.InvalidSettingException;
import dev.danmaku.common.config.Setting;
import dev.danmaku.common.config.SettingValues;
import dev.danmaku.filter.ratelimit.LimitDefaults;

/** The filter service's settings (DESIGN §7). */
public record FilterConfig(CommonConfig common, int port, String instanceId, List<String> blockedWords,
        LimitDefaults limits) {

    public static final Setting PORT = new Setting("DANMAKU_FILTER_PORT", "--port", "8090",
            "Port of the moderator API and the probes");
    public static final Setting INSTANCE_ID = Setting.of("DANMAKU_FILTER_INSTANCE_ID", "",
            "Id of this instance, in its Kafka client ids and logs; empty = generated");
    public static final Setting BLOCKED_WORDS = Setting.of("DANMAKU_FILTER_BLOCKED_WORDS", "",
            "Comma-separated words rejected in every room, on top of the rules in the control topic"
                    + " (matched on the normalized text, like every literal rule)");
    public static final Setting RATE_PER_SECOND = Setting.of("DANMAKU_FILTER_RATE_PER_SECOND", "3",
            "Danmaku per second one user may send in one room, on average (a room's settings may override)");
    public static final Setting BURST = Setting.of("DANMAKU_FILTER_BURST", "10",
            "Danmaku one user may send in one room in a quick burst (token bucket size)");
    public static final Setting MAX_TEXT_LENGTH = Setting.of("DANMAKU_FILTER_MAX_TEXT_LENGTH", "200",
            "Longest danmaku text in code points (a room's settings may lower or raise it)");
    public static final Setting DUPLICATE_WINDOW_SECONDS = Setting.of("DANMAKU_FILTER_DUPLICATE_WINDOW_SECONDS", "30",
            "The same normalized text from the same user in a room within this many seconds is refused; 0 = off");

    public static final List<Setting> SETTINGS = Stream.concat(CommonConfig.SETTINGS.stream(),
            Stream.of(PORT, INSTANCE_ID, BLOCKED_WORDS, RATE_PER_SECOND, BURST, MAX_TEXT_LENGTH,
                    DUPLICATE_WINDOW_SECONDS)).toList();

    /** Defaults that suit dev and tests. */
    public static final LimitDefaults DEFAULT_LIMITS = new LimitDefaults(3, 10, 200, 30_000);

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
        if (limits == null) {
            limits = DEFAULT_LIMITS;
        }
    }

    public FilterConfig(CommonConfig common, int port, String instanceId, List<String> blockedWords) {
        this(common, port, instanceId, blockedWords, DEFAULT_LIMITS);
    }

    public static FilterConfig from(SettingValues values) {
        double rate;
        String rawRate = values.string(RATE_PER_SECOND).trim();
        try {
            rate = Double.parseDouble(rawRate);
        } catch (NumberFormatException e) {
            throw SettingValues.invalid(RATE_PER_SECOND, rawRate, "a number above 0");
        }
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw SettingValues.invalid(RATE_PER_SECOND, rawRate, "a number above 0");
        }
        int burst = values.integer(BURST);
        if (burst < 1) {
            throw SettingValues.invalid(BURST, Integer.toString(burst), "at least 1");
        }
        int maxLength = values.integer(MAX_TEXT_LENGTH);
        if (maxLength < 1) {
            throw SettingValues.invalid(MAX_TEXT_LENGTH, Integer.toString(maxLength), "at least 1");
        }
        int window = values.integer(DUPLICATE_WINDOW_SECONDS);
        if (window < 0) {
            throw SettingValues.invalid(DUPLICATE_WINDOW_SECONDS, Integer.toString(window), "0 or more");
        }
        return new FilterConfig(CommonConfig.from(values), values.integer(PORT), values.string(INSTANCE_ID),
                values.list(BLOCKED_WORDS), new LimitDefaults(rate, burst, maxLength, window * 1000L));
    }
}
