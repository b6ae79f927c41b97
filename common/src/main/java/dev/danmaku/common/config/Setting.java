package dev.danmaku.common.config;

import java.util.Locale;

/**
 * One configuration setting: an environment variable, the command-line flag that overrides it,
 * and a default that works for {@code danmaku dev}.
 */
public record Setting(String env, String flag, String defaultValue, String description) {

    public Setting {
        if (!env.startsWith("DANMAKU_")) {
            throw new IllegalArgumentException("setting variables start with DANMAKU_: " + env);
        }
        if (!flag.startsWith("--")) {
            throw new IllegalArgumentException("flags start with --: " + flag);
        }
    }

    /** A setting whose flag is derived from the variable: DANMAKU_GATEWAY_PORT → --gateway-port. */
    public static Setting of(String env, String defaultValue, String description) {
        return new Setting(env, "--" + env.substring("DANMAKU_".length()).toLowerCase(Locale.ROOT).replace('_', '-'),
                defaultValue, description);
    }

    public Setting withFlag(String otherFlag) {
        return new Setting(env, otherFlag, defaultValue, description);
    }

    public Setting withDefault(String otherDefault) {
        return new Setting(env, flag, otherDefault, description);
    }

    /** Secrets are never logged or printed. */
    public boolean secret() {
        return env.contains("SECRET") || env.contains("PASSWORD");
    }
}
