package dev.danmaku.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.danmaku.bench.LoadGenerator;
import dev.danmaku.bench.Report;

/**
 * The benchmark harness's smoke: a few seconds of load on two gateways of the dev platform, and
 * every expected delivery accounted for, on both subprotocols. Behaviour only; speed is measured
 * by bench/run.sh.
 */
@Timeout(120)
class LoadGeneratorIT {

    @TempDir
    static Path dataDir;
    private static DevPlatform platform;

    @BeforeAll
    static void start() {
        platform = DevPlatforms.start(dataDir, 2, Map.of(
                "DANMAKU_FILTER_RATE_PER_SECOND", "1000", "DANMAKU_FILTER_BURST", "1000",
                "DANMAKU_FILTER_DUPLICATE_WINDOW_SECONDS", "0",
                "DANMAKU_GATEWAY_SEND_RATE", "1000", "DANMAKU_GATEWAY_SEND_BURST", "1000"));
    }

    @AfterAll
    static void stop() {
        platform.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"PROTO", "JSON"})
    void everyDeliveryIsAccountedForAcrossTwoGateways(String subprotocol) {
        ObjectNode result = LoadGenerator.run(
                "--servers", "ws://127.0.0.1:" + platform.ports().get(0) + "/ws,ws://127.0.0.1:" + platform.ports().get(1) + "/ws",
                "--profile", "smoke", "--rooms", "2", "--viewers-per-room", "8", "--senders-per-room", "2",
                "--rate-per-sender", "10", "--duration-s", "5", "--warmup-s", "1", "--tail-exclude-s", "1",
                "--drain-s", "5", "--subprotocol", subprotocol, "--jwt-secret", DevSecret.of(dataDir));

        assertThat(Report.accountingProblems(result)).isEmpty();
        // 2 rooms x 2 senders x 10/s over a 3 s window, each seen by the 10 connections of its room;
        // a send the sending thread made late (this JVM also runs the platform) may cross a window edge
        double lateSeconds = result.path("input").path("sender_max_late_ms").asDouble() / 1000;
        long slack = 4 * ((long) Math.ceil(10 * lateSeconds) + 1);
        assertThat(result.path("input").path("sent_counted").asLong()).isBetween(120 - slack, 120 + slack);
        assertThat(result.path("deliveries").path("expected").asLong())
                .isEqualTo(result.path("input").path("sent_counted").asLong() * 10);
        assertThat(result.path("latency_cross_server_ms").path("count").asLong()).isPositive();
        assertThat(result.path("connections").path("per_server").findValuesAsText("connections")).containsExactly("10", "10");
    }
}
