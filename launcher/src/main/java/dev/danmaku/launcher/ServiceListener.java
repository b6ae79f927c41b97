package dev.danmaku.launcher;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.http.HttpServer;
import dev.danmaku.common.http.Routes;

/**
 * The HTTP listeners of a service: what the service mounts, with the probes and metrics beside it or,
 * with a management port, alone on that port.
 */
final class ServiceListener implements AutoCloseable {

    private final HttpServer service;
    private final HttpServer management;

    private ServiceListener(HttpServer service, HttpServer management) {
        this.service = service;
        this.management = management;
    }

    static ServiceListener start(CommonConfig common, int port, BooleanSupplier ready, PrometheusMeterRegistry registry,
            UnaryOperator<Routes> mount) {
        return start(common.bindHost(), common.managementPort(), port, null, false, ready, registry,
                UnaryOperator.identity(), mount);
    }

    static ServiceListener start(CommonConfig common, int port, Duration requestTimeout, boolean proxyProtocol,
            BooleanSupplier ready, PrometheusMeterRegistry registry, UnaryOperator<Routes> probes,
            UnaryOperator<Routes> mount) {
        return start(common.bindHost(), common.managementPort(), port, requestTimeout, proxyProtocol, ready, registry,
                probes, mount);
    }

    /**
     * @param managementPort the port of the probes and metrics alone; -1 puts them on {@code port}
     * @param requestTimeout when not null: how soon a connection must send its request (a WebSocket handshake)
     * @param proxyProtocol the service port's connections start with a PROXY protocol header (never the
     *     management port's: probes do not send one)
     * @param probes adds routes that belong beside the probes, on the management port when there is one
     */
    static ServiceListener start(String host, int managementPort, int port, Duration requestTimeout,
            boolean proxyProtocol, BooleanSupplier ready, PrometheusMeterRegistry registry, UnaryOperator<Routes> probes,
            UnaryOperator<Routes> mount) {
        Routes probeRoutes = probes.apply(Routes.withProbes(ready, registry));
        if (managementPort < 0) {
            return new ServiceListener(listen(host, port, requestTimeout, proxyProtocol, mount.apply(probeRoutes)), null);
        }
        HttpServer management = HttpServer.start(host, managementPort, probeRoutes.handler());
        try {
            return new ServiceListener(listen(host, port, requestTimeout, proxyProtocol, mount.apply(Routes.empty())),
                    management);
        } catch (RuntimeException e) {
            management.close();
            throw e;
        }
    }

    private static HttpServer listen(String host, int port, Duration requestTimeout, boolean proxyProtocol,
            Routes routes) {
        return HttpServer.start(host, port, routes.handler(),
                requestTimeout == null ? HttpServer.DEFAULT_REQUEST_TIMEOUT : requestTimeout, HttpServer.WRITE_TIMEOUT,
                proxyProtocol);
    }

    int port() {
        return service.port();
    }

    /** The port of the probes and metrics: the management port, or the service's own. */
    int managementPort() {
        return management == null ? service.port() : management.port();
    }

    @Override
    public void close() {
        service.close();
        if (management != null) {
            management.close();
        }
    }
}
