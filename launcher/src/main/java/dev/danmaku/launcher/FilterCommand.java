package dev.danmaku.launcher;

import java.util.concurrent.Callable;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import dev.danmaku.common.metrics.Metrics;
import dev.danmaku.filter.FilterConfig;
import dev.danmaku.filter.FilterService;

@Command(name = "filter", mixinStandardHelpOptions = true,
        description = "Run a filter-service instance: judges every raw danmaku exactly once and publishes the verdict;"
                + " serves the moderator API under /api/v1/moderation.")
final class FilterCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        FilterConfig config = FilterConfig.from(SettingOptions.resolve(spec, FilterConfig.SETTINGS));
        PrometheusMeterRegistry registry = Metrics.prometheusRegistry();
        try (Lifecycle lifecycle = new Lifecycle()) {
            FilterService filter = lifecycle.add(FilterService.start(config, registry));
            lifecycle.add(ServiceListener.start(config.common(), config.port(), filter::ready, registry,
                    filter::mount));
            lifecycle.runUntilShutdown();
        }
        return 0;
    }
}
