package dev.danmaku.launcher;

import java.util.concurrent.Callable;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import dev.danmaku.common.metrics.Metrics;
import dev.danmaku.gateway.Gateway;
import dev.danmaku.gateway.GatewayConfig;

@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = "Run a WebSocket gateway: viewers join rooms on /ws, send and receive danmaku; serves the pages.")
final class GatewayCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        GatewayConfig config = GatewayConfig.from(SettingOptions.resolve(spec, GatewayConfig.SETTINGS));
        PrometheusMeterRegistry registry = Metrics.prometheusRegistry();
        try (Lifecycle lifecycle = new Lifecycle()) {
            Gateway gateway = lifecycle.add(Gateway.start(config, registry));
            lifecycle.add(ServiceListener.start(config.common(), config.port(),
                    config.limits().handshakeTimeout(), config.proxyProtocol(), gateway::ready, registry, gateway::mountProbes, gateway::mount));
            // closed first: readiness turns false and viewers get 1001 while the listener still runs
            lifecycle.add(gateway::drain);
            lifecycle.runUntilShutdown();
        }
        return 0;
    }
}
