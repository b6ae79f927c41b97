package dev.danmaku.launcher;

import java.util.concurrent.Callable;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import dev.danmaku.archiver.Archiver;
import dev.danmaku.archiver.ArchiverConfig;
import dev.danmaku.common.metrics.Metrics;

@Command(name = "archiver", mixinStandardHelpOptions = true,
        description = "Run the archiver: stores every verdict (PostgreSQL, or H2 by default) and serves /api/v1/archive.")
final class ArchiverCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ArchiverConfig config = ArchiverConfig.from(SettingOptions.resolve(spec, ArchiverConfig.SETTINGS));
        PrometheusMeterRegistry registry = Metrics.prometheusRegistry();
        try (Lifecycle lifecycle = new Lifecycle()) {
            Archiver archiver = lifecycle.add(Archiver.start(config, registry));
            lifecycle.add(ServiceListener.start(config.common(), config.port(), archiver::ready, registry,
                    archiver::mount));
            lifecycle.runUntilShutdown();
        }
        return 0;
    }
}
