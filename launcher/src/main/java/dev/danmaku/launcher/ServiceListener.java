package dev.danmaku.launcher;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import dev.danmaku.common.http.HttpServer;
import dev.danmaku.common.http.Routes;

/** The HTTP listener of a service: probes, metrics and whatever the service mounts. */
final class ServiceListener {

    private ServiceListener() {
    }

    static HttpServer start(String host, int port, BooleanSupplier ready, PrometheusMeterRegistry registry,
            UnaryOperator<Routes> mount) {
        return HttpServer.start(host, port, mount.apply(Routes.withProbes(ready, registry)).handler());
    }

    /** A listener whose connections must send their request (a WebSocket handshake) within {@code requestTimeout}. */
    static HttpServer start(String host, int port, Duration requestTimeout, BooleanSupplier ready,
            PrometheusMeterRegistry registry, UnaryOperator<Routes> mount) {
        return HttpServer.start(host, port, mount.apply(Routes.withProbes(ready, registry)).handler(), requestTimeout);
    }
}
