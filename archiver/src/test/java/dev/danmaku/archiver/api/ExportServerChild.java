package dev.danmaku.archiver.api;

import java.time.Duration;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import dev.danmaku.archiver.store.ArchiveStore;
import dev.danmaku.common.auth.Tokens;
import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.http.HttpServer;
import dev.danmaku.common.http.Routes;
import dev.danmaku.common.metrics.Metrics;
import dev.danmaku.testkit.TestSecrets;

/**
 * The analyst API alone in a JVM of its own (a small heap, in the export test): args JDBC URL, user,
 * password, and the listener's write timeout in seconds.
 */
public final class ExportServerChild {

    private ExportServerChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        ArchiveStore store = ArchiveStore.open(args[0], args[1], args[2], 2);
        PrometheusMeterRegistry meters = Metrics.prometheusRegistry();
        ArchiveApi api = new ArchiveApi(store, meters, 1);
        HttpServer server = HttpServer.start("127.0.0.1", 0, Routes.withProbes(() -> true, meters)
                .prefix(ArchiveApi.PREFIX, api.handler(new Tokens(TestSecrets.JWT))).handler(),
                Duration.ofSeconds(30), Duration.ofSeconds(Long.parseLong(args[3])));
        System.out.println("PORT " + server.port());
        System.out.flush();
        Thread.currentThread().join(); // until the test stops it
    }
}
