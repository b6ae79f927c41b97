package dev.danmaku.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.danmaku.common.auth.Identity;
import dev.danmaku.common.auth.Tokens;
import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.config.SettingValues;
import dev.danmaku.common.http.HttpServer;
import dev.danmaku.common.http.Routes;
import dev.danmaku.filter.FilterConfig;
import dev.danmaku.filter.FilterService;
import dev.danmaku.gateway.Gateway;
import dev.danmaku.gateway.GatewayConfig;
import dev.danmaku.proto.v1.ClientFrame;
import dev.danmaku.proto.v1.Join;
import dev.danmaku.proto.v1.Send;
import dev.danmaku.proto.v1.ServerFrame;
import dev.danmaku.proto.v1.Verdict;
import dev.danmaku.testkit.ViewerClient;
import dev.danmaku.testkit.TestSecrets;

/** The broker goes away and comes back: senders hear of it in bounded time, and service resumes by itself. */
class KafkaOutageIT {

    private static final Pattern BROKER_READY = Pattern.compile("Kafka broker ready");
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }

    private static ServerFrame sendAndAwait(ViewerClient viewer, String clientMsgId) {
        viewer.send(ClientFrame.newBuilder().setSend(Send.newBuilder().setClientMsgId(clientMsgId).setText("hi " + clientMsgId))
                .build());
        return viewer.await(f -> (f.hasAck() && f.getAck().getClientMsgId().equals(clientMsgId))
                || (f.hasError() && f.getError().getClientMsgId().equals(clientMsgId)), WAIT);
    }

    @Test
    @Timeout(240)
    void sendsFailClearlyDuringAnOutageAndEverythingResumesAfter(@TempDir Path data) throws Exception {
        int kafkaPort = freePort();
        String[] brokerArgs = {"kafka", "--kafka-port", Integer.toString(kafkaPort), "--data-dir", data.toString()};
        ChildProcess broker = ChildProcess.start(Map.of(), BROKER_READY, brokerArgs);
        CommonConfig common = CommonConfig.from(SettingValues.of(CommonConfig.SETTINGS, Map.of("DANMAKU_JWT_SECRET", TestSecrets.JWT,
                "DANMAKU_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + kafkaPort, "DANMAKU_TOPIC_PARTITIONS", "1")));
        Tokens tokens = new Tokens(common.jwtSecret());
        try (FilterService filter = FilterService.start(new FilterConfig(common, 0, "outage", List.of()), new SimpleMeterRegistry());
             Gateway gateway = Gateway.start(GatewayConfig.defaults(common, "gw-outage"), new SimpleMeterRegistry());
             HttpServer http = HttpServer.start("127.0.0.1", 0, gateway.mount(Routes.withProbes(gateway::ready,
                     new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))).handler());
             ViewerClient viewer = ViewerClient.connect("ws://127.0.0.1:" + http.port() + "/ws", ViewerClient.JSON)) {
            viewer.send(ClientFrame.newBuilder().setJoin(Join.newBuilder().setRoomId("lobby")
                    .setToken(tokens.issue("alice", "Alice", java.util.Set.of(Identity.VIEWER), Duration.ofHours(1)))).build());
            viewer.await(ServerFrame::hasJoined, WAIT);
            assertThat(sendAndAwait(viewer, "before").getAck().getVerdict()).isEqualTo(Verdict.ACCEPTED);

            broker.kill();
            long down = System.nanoTime();
            ServerFrame duringOutage = sendAndAwait(viewer, "during");
            assertThat(duringOutage.hasError()).as("a clear error, not silence: %s", duringOutage).isTrue();
            assertThat(duringOutage.getError().getCode()).isEqualTo("unavailable");
            assertThat(Duration.ofNanos(System.nanoTime() - down)).isLessThan(Duration.ofSeconds(20));

            broker = ChildProcess.start(Map.of(), BROKER_READY, brokerArgs);
            ServerFrame after = null;
            // the first sends after the restart may still meet a reconnecting producer
            for (int attempt = 0; attempt < 10 && (after == null || !after.hasAck()); attempt++) {
                after = sendAndAwait(viewer, "after-" + attempt);
            }
            assertThat(after.hasAck()).as("resumed: %s", after).isTrue();
            assertThat(after.getAck().getVerdict()).isEqualTo(Verdict.ACCEPTED);
            String msgId = after.getAck().getMsgId();
            viewer.await(f -> f.hasBatch() && f.getBatch().getDanmakuList().stream().anyMatch(d -> d.getMsgId().equals(msgId)),
                    WAIT);
        } finally {
            broker.close();
        }
    }
}
