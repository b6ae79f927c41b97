package dev.danmaku.launcher;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import dev.danmaku.common.config.Setting;
import dev.danmaku.common.config.SettingValues;

/** Turns a service's settings into command-line options, so --help lists every one with its variable. */
final class SettingOptions {

    private SettingOptions() {
    }

    /** Builds a command whose options are {@code settings} (a flag declared twice is added once). */
    static CommandLine command(Object command, List<Setting> settings) {
        CommandLine commandLine = new CommandLine(command);
        CommandSpec spec = commandLine.getCommandSpec();
        Set<String> flags = new HashSet<>();
        for (Setting setting : settings) {
            if (!flags.add(setting.flag())) {
                continue;
            }
            String shown = setting.secret() ? "(hidden)" : setting.defaultValue().isEmpty() ? "(empty)" : setting.defaultValue();
            spec.addOption(OptionSpec.builder(setting.flag())
                    .paramLabel("<" + setting.flag().substring(2).toUpperCase(Locale.ROOT).replace('-', '_') + ">")
                    .type(String.class)
                    .description(setting.description() + ".", "  env " + setting.env() + ", default " + shown)
                    .build());
        }
        return commandLine;
    }

    /** Flag, then environment variable, then default. */
    static SettingValues resolve(CommandSpec spec, List<Setting> settings) {
        Map<String, String> flags = new HashMap<>();
        for (Setting setting : settings) {
            OptionSpec option = spec.findOption(setting.flag());
            if (option != null && spec.commandLine().getParseResult().hasMatchedOption(option)) {
                flags.putIfAbsent(setting.env(), option.getValue());
            }
        }
        return SettingValues.resolve(settings, System.getenv(), flags);
    }
}
