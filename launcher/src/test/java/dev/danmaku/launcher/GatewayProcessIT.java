package dev.danmaku.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.config.SettingValues;
import dev.danmaku.common.http.HttpServer;
import dev.danmaku.common.http.Routes;
import dev.danmaku.gateway.Gateway;
import dev.danmaku.gateway.GatewayConfig;
import dev.danmaku.proto.v1.ClientFrame;
import dev.danmaku.proto.v1.Join;
import dev.danmaku.proto.v1.ServerFrame;
import dev.danmaku.testkit.DanmakuIT;
import dev.danmaku.testkit.KafkaCluster;
import dev.danmaku.testkit.ViewerClient;
import dev.danmaku.testkit.TestSecrets;

/** A gateway as its own process (`danmaku gateway`), killed without warning. */
@DanmakuIT
class GatewayProcessIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern LISTENING = Pattern.compile("Listening on http://127\\.0\\.0\\.1:(\\d+)");

    private static ChildProcess startChild(Map<String, String> env) throws IOException {
        return ChildProcess.start(env, LISTENING, "gateway", "--port", "0", "--gateway-allowed-origins", "*");
    }

    private static int lastPresence(ViewerClient viewer) {
        return viewer.received().stream().filter(ServerFrame::hasPresence)
                .reduce((a, b) -> b).map(f -> f.getPresence().getOnline()).orElse(-1);
    }

    private static ViewerClient joined(String url, String room) {
        ViewerClient viewer = ViewerClient.connect(url, ViewerClient.JSON);
        viewer.send(ClientFrame.newBuilder().setJoin(Join.newBuilder().setRoomId(room)).build());
        viewer.await(ServerFrame::hasJoined, WAIT);
        return viewer;
    }

    @Test
    void viewersOfAGatewayThatDiesStopBeingCountedElsewhere(KafkaCluster kafka) throws Exception {
        String prefix = "proc-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        Map<String, String> env = Map.of(
                "DANMAKU_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "DANMAKU_JWT_SECRET", TestSecrets.JWT,
                "DANMAKU_TOPIC_PREFIX", prefix,
                "DANMAKU_TOPIC_PARTITIONS", "2",
                "DANMAKU_BIND_HOST", "127.0.0.1",
                "DANMAKU_GATEWAY_PRESENCE_INTERVAL_MS", "300");
        CommonConfig common = CommonConfig.from(SettingValues.of(CommonConfig.SETTINGS, env));
        GatewayConfig config = GatewayConfig.defaults(common, "gw-survivor").withPresenceInterval(Duration.ofMillis(300));
        String room = "room-" + UUID.randomUUID().toString().substring(0, 8);
        try (Gateway survivor = Gateway.start(config, new SimpleMeterRegistry());
             HttpServer http = HttpServer.start("127.0.0.1", 0, survivor.mount(Routes.withProbes(survivor::ready,
                     new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))).handler());
             ChildProcess doomed = startChild(env);
             ViewerClient here = joined("ws://127.0.0.1:" + http.port() + "/ws", room);
             ViewerClient there = joined("ws://127.0.0.1:" + doomed.number(LISTENING) + "/ws", room)) {

            await().atMost(WAIT).until(() -> lastPresence(here) == 2 && lastPresence(there) == 2);

            doomed.process().destroyForcibly().waitFor();

            // its last report expires after three intervals; nobody withdrew it
            await().atMost(WAIT).until(() -> lastPresence(here) == 1);
        }
    }

    @Test
    void onSigtermAGatewayClosesItsViewersWith1001AndExits(KafkaCluster kafka) throws Exception {
        Map<String, String> env = Map.of(
                "DANMAKU_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "DANMAKU_JWT_SECRET", TestSecrets.JWT,
                "DANMAKU_TOPIC_PREFIX", "term-" + UUID.randomUUID().toString().substring(0, 8) + ".",
                "DANMAKU_BIND_HOST", "127.0.0.1");
        try (ChildProcess gateway = startChild(env);
             ViewerClient viewer = joined("ws://127.0.0.1:" + gateway.number(LISTENING) + "/ws", "lobby")) {
            long start = System.nanoTime();
            gateway.process().destroy();

            assertThat(viewer.awaitClose(WAIT)).isEqualTo(1001);
            assertThat(gateway.process().waitFor(15, TimeUnit.SECONDS)).as("exited within 15 s").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        }
    }
}
