package dev.danmaku.common.config;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Resolved settings: a flag wins over an environment variable, which wins over the default.
 * Typed getters fail with a message that names the variable and the flag.
 */
public final class SettingValues {

    private final Map<String, String> values;
    private final Map<String, Setting> settings;
    private final Map<String, String> environment;

    private SettingValues(Map<String, Setting> settings, Map<String, String> values, Map<String, String> environment) {
        this.settings = settings;
        this.values = values;
        this.environment = environment;
    }

    /**
     * @param flags values given on the command line, keyed by the setting's environment variable
     */
    public static SettingValues resolve(Collection<Setting> settings, Map<String, String> environment,
            Map<String, String> flags) {
        Map<String, Setting> byEnv = new LinkedHashMap<>();
        Map<String, String> values = new LinkedHashMap<>();
        for (Setting setting : settings) {
            byEnv.putIfAbsent(setting.env(), setting);
            String value = flags.getOrDefault(setting.env(), environment.getOrDefault(setting.env(), setting.defaultValue()));
            values.putIfAbsent(setting.env(), value);
        }
        return new SettingValues(byEnv, values, Map.copyOf(environment));
    }

    /** Defaults and the process environment, no flags: how tests and embedded use build configs. */
    public static SettingValues of(Collection<Setting> settings, Map<String, String> overrides) {
        return resolve(settings, overrides, Map.of());
    }

    public String string(Setting setting) {
        return values.get(known(setting).env());
    }

    public int integer(Setting setting) {
        String raw = string(setting).trim();
        try {
            return Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw invalid(setting, raw, "a whole number");
        }
    }

    public long longValue(Setting setting) {
        String raw = string(setting).trim();
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw invalid(setting, raw, "a whole number");
        }
    }

    public double decimal(Setting setting) {
        String raw = string(setting).trim();
        try {
            return Double.parseDouble(raw);
        } catch (NumberFormatException e) {
            throw invalid(setting, raw, "a number");
        }
    }

    public boolean bool(Setting setting) {
        String raw = string(setting).trim().toLowerCase();
        return switch (raw) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw invalid(setting, raw, "true or false");
        };
    }

    /** A comma-separated list; blanks dropped. */
    public List<String> list(Setting setting) {
        return Arrays.stream(string(setting).split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    /** Every variable of the process environment that starts with {@code prefix}, prefix removed. */
    public Map<String, String> environmentWithPrefix(String prefix) {
        return environment.entrySet().stream()
                .filter(e -> e.getKey().startsWith(prefix))
                .collect(Collectors.toMap(e -> e.getKey().substring(prefix.length()), Map.Entry::getValue));
    }

    public static InvalidSettingException invalid(Setting setting, String value, String expected) {
        return new InvalidSettingException(setting.env() + " / " + setting.flag() + ": expected " + expected
                + ", got \"" + value + "\"");
    }

    private Setting known(Setting setting) {
        if (!settings.containsKey(setting.env())) {
            throw new IllegalStateException(setting.env() + " was not declared for this service");
        }
        return setting;
    }

    /** The effective settings, secrets hidden: logged once at start. */
    @Override
    public String toString() {
        return settings.values().stream()
                .map(s -> s.env() + "=" + (s.secret() ? "******" : values.get(s.env())))
                .collect(Collectors.joining(", ", "{", "}"));
    }
}
