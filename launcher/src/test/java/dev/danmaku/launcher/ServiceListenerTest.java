package dev.danmaku.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

import dev.danmaku.common.metrics.Metrics;

class ServiceListenerTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static int status(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void withAManagementPortTheProbesAndMetricsLeaveTheServicePort() throws Exception {
        try (ServiceListener listener = ServiceListener.start("127.0.0.1", 0, 0, null, false, () -> true,
                Metrics.prometheusRegistry(), routes -> routes.exact("/readyz/kafka", exchange -> exchange.getResponseSender().send("{}")),
                routes -> routes.exact("/api", exchange -> exchange.getResponseSender().send("ok")))) {
            assertThat(listener.managementPort()).isNotEqualTo(listener.port());
            assertThat(status(listener.port(), "/api")).isEqualTo(200);
            for (String probe : new String[] {"/metrics", "/readyz", "/healthz", "/readyz/kafka"}) {
                assertThat(status(listener.port(), probe)).as(probe + " on the service port").isEqualTo(404);
                assertThat(status(listener.managementPort(), probe)).as(probe + " on the management port").isEqualTo(200);
            }
            assertThat(status(listener.managementPort(), "/api")).isEqualTo(404);
        }
    }

    @Test
    void withoutOneEverythingSharesTheServicePort() throws Exception {
        try (ServiceListener listener = ServiceListener.start("127.0.0.1", -1, 0, null, false, () -> false,
                Metrics.prometheusRegistry(), routes -> routes, routes -> routes)) {
            assertThat(listener.managementPort()).isEqualTo(listener.port());
            assertThat(status(listener.port(), "/metrics")).isEqualTo(200);
            assertThat(status(listener.port(), "/readyz")).isEqualTo(503);
        }
    }
}
