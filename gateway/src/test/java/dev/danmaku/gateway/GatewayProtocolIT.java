package dev.danmaku.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.danmaku.common.auth.Identity;
import dev.danmaku.common.auth.Tokens;
import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.config.SettingValues;
import dev.danmaku.common.http.HttpServer;
import dev.danmaku.common.http.Routes;
import dev.danmaku.gateway.ws.DanmakuSocketHandler;
import dev.danmaku.proto.v1.ClientFrame;
import dev.danmaku.proto.v1.Join;
import dev.danmaku.proto.v1.Ping;
import dev.danmaku.proto.v1.Reason;
import dev.danmaku.proto.v1.Send;
import dev.danmaku.proto.v1.ServerFrame;
import dev.danmaku.proto.v1.Verdict;
import dev.danmaku.testkit.DanmakuIT;
import dev.danmaku.testkit.KafkaCluster;
import dev.danmaku.testkit.ViewerClient;
import dev.danmaku.testkit.TestSecrets;

/** The gateway's answers to well-formed and malformed viewer frames, over real WebSockets. */
@DanmakuIT
class GatewayProtocolIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static CommonConfig common;
    private static Gateway gateway;
    private static HttpServer http;
    private static Tokens tokens;
    private static final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    @BeforeAll
    static void start(KafkaCluster kafka) {
        common = CommonConfig.from(SettingValues.of(CommonConfig.SETTINGS, Map.of("DANMAKU_JWT_SECRET", TestSecrets.JWT,
                "DANMAKU_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "DANMAKU_TOPIC_PREFIX", "gateway-it-" + UUID.randomUUID().toString().substring(0, 8) + ".",
                "DANMAKU_TOPIC_PARTITIONS", "2")));
        tokens = new Tokens(common.jwtSecret());
        gateway = Gateway.start(config("gw-protocol"), meters);
        http = HttpServer.start("127.0.0.1", 0, gateway.mount(Routes.withProbes(gateway::ready, meters)).handler());
    }

    @AfterAll
    static void stop() {
        http.close();
        gateway.close();
    }

    private static GatewayConfig config(String id) {
        GatewayConfig defaults = GatewayConfig.defaults(common, id);
        return defaults.withLimits(defaults.limits().withMaxTextLength(10));
    }

    private static HttpServer serve(Gateway target) {
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        return HttpServer.start("127.0.0.1", 0, target.mount(Routes.withProbes(target::ready, meters)).handler());
    }

    private static String url(HttpServer server) {
        return "ws://127.0.0.1:" + server.port() + "/ws";
    }

    private static ClientFrame join(String room, String token) {
        return ClientFrame.newBuilder().setJoin(Join.newBuilder().setRoomId(room).setToken(token)).build();
    }

    private static ClientFrame send(String clientMsgId, String text) {
        return ClientFrame.newBuilder().setSend(Send.newBuilder().setClientMsgId(clientMsgId).setText(text)).build();
    }

    private static String viewerToken() {
        return tokens.issue("alice", "Alice", Set.of(Identity.VIEWER), Duration.ofMinutes(5));
    }

    @Test
    void answersPingWithItsNonceInEitherSubprotocol() {
        for (String subprotocol : new String[] {ViewerClient.JSON, ViewerClient.PROTO, null}) {
            try (ViewerClient viewer = ViewerClient.connect(url(http), subprotocol)) {
                viewer.send(ClientFrame.newBuilder().setPing(Ping.newBuilder().setNonce("n-7")).build());
                assertThat(viewer.await(ServerFrame::hasPong, WAIT).getPong().getNonce()).isEqualTo("n-7");
                assertThat(viewer.negotiated()).isEqualTo(subprotocol == null ? "" : subprotocol);
            }
        }
    }

    @Test
    void refusesASendBeforeJoin() {
        try (ViewerClient viewer = ViewerClient.connect(url(http), ViewerClient.JSON)) {
            viewer.send(send("c1", "hello"));
            ServerFrame error = viewer.await(ServerFrame::hasError, WAIT);
            assertThat(error.getError().getCode()).isEqualTo("not_joined");
            assertThat(error.getError().getClientMsgId()).isEqualTo("c1");
        }
    }

    @Test
    void anonymousViewersMayWatchButNotSend() {
        try (ViewerClient viewer = ViewerClient.connect(url(http), ViewerClient.JSON)) {
            viewer.send(join("lobby", ""));
            ServerFrame joined = viewer.await(ServerFrame::hasJoined, WAIT);
            assertThat(joined.getJoined().getCanSend()).isFalse();
            assertThat(joined.getJoined().getUser()).startsWith("anonymous-");
            assertThat(joined.getJoined().getOnline()).isEqualTo(1);

            viewer.send(send("c1", "hello"));
            ServerFrame ack = viewer.await(ServerFrame::hasAck, WAIT);
            assertThat(ack.getAck().getVerdict()).isEqualTo(Verdict.REJECTED);
            assertThat(ack.getAck().getReason()).isEqualTo(Reason.NOT_ALLOWED);
        }
    }

    @Test
    void refusesTooLongTextAndEmptyText() {
        try (ViewerClient viewer = ViewerClient.connect(url(http), ViewerClient.PROTO)) {
            viewer.send(join("lobby", viewerToken()));
            assertThat(viewer.await(ServerFrame::hasJoined, WAIT).getJoined().getCanSend()).isTrue();

            viewer.send(send("long", "弹".repeat(11)));
            ServerFrame ack = viewer.await(f -> f.hasAck() && f.getAck().getClientMsgId().equals("long"), WAIT);
            assertThat(ack.getAck().getVerdict()).isEqualTo(Verdict.REJECTED);
            assertThat(ack.getAck().getReason()).isEqualTo(Reason.TOO_LONG);

            viewer.send(send("empty", "   "));
            ServerFrame error = viewer.await(f -> f.hasError() && f.getError().getClientMsgId().equals("empty"), WAIT);
            assertThat(error.getError().getCode()).isEqualTo("empty_text");
        }
    }

    @Test
    void refusesAnUnknownModeAndOutOfRangeColourOrSizeAndStaysOpen() {
        try (ViewerClient viewer = ViewerClient.connect(url(http), ViewerClient.PROTO)) {
            viewer.send(join("lobby", viewerToken()));
            viewer.await(ServerFrame::hasJoined, WAIT);
            // unsigned on the wire: values a signed comparison would let through, and an enum number from the future
            Map<String, Send.Builder> bad = Map.of(
                    "mode", Send.newBuilder().setModeValue(42),
                    "color", Send.newBuilder().setColor(0x80000000),
                    "size", Send.newBuilder().setFontSize(-1));
            bad.forEach((name, frame) -> {
                viewer.send(ClientFrame.newBuilder().setSend(frame.setClientMsgId(name).setText("hello")).build());
                ServerFrame error = viewer.await(f -> f.hasError() && f.getError().getClientMsgId().equals(name), WAIT);
                assertThat(error.getError().getCode()).as(name).isEqualTo("bad_request");
            });
            viewer.send(ClientFrame.newBuilder().setPing(Ping.newBuilder().setNonce("still-open")).build());
            assertThat(viewer.await(ServerFrame::hasPong, WAIT).getPong().getNonce()).isEqualTo("still-open");
        }
    }

    @Test
    void refusesABadRoomId() {
        try (ViewerClient viewer = ViewerClient.connect(url(http), ViewerClient.JSON)) {
            viewer.send(join("no spaces allowed", ""));
            assertThat(viewer.await(ServerFrame::hasError, WAIT).getError().getCode()).isEqualTo("bad_room");
        }
    }

    @Test
    void holdsBackAConnectionThatChurnsRoomsAndStaysInTheLastItJoined() {
        try (ViewerClient viewer = ViewerClient.connect(url(http), ViewerClient.JSON)) {
            for (int i = 0; i < DanmakuSocketHandler.JOIN_BURST; i++) {
                String room = "churn-" + i;
                viewer.send(join(room, ""));
                viewer.await(f -> f.hasJoined() && f.getJoined().getRoomId().equals(room), WAIT);
            }
            viewer.send(join("churn-too-many", ""));
            assertThat(viewer.await(ServerFrame::hasError, WAIT).getError().getCode()).isEqualTo("rate_limited");
            viewer.send(ClientFrame.newBuilder().setPing(Ping.newBuilder().setNonce("still-open")).build());
            assertThat(viewer.await(ServerFrame::hasPong, WAIT).getPong().getNonce()).isEqualTo("still-open");
            assertThat(viewer.received()).noneMatch(f -> f.hasJoined() && f.getJoined().getRoomId().equals("churn-too-many"));
        }
    }

    @Test
    void closesWith4001OnABadToken() {
        try (ViewerClient viewer = ViewerClient.connect(url(http), ViewerClient.JSON)) {
            String forged = new Tokens("some-other-secret-0123456789").issue("eve", "Eve", Set.of(Identity.ADMIN),
                    Duration.ofMinutes(5));
            viewer.send(join("lobby", forged));
            assertThat(viewer.await(ServerFrame::hasError, WAIT).getError().getCode()).isEqualTo("bad_token");
            assertThat(viewer.awaitClose(WAIT)).isEqualTo(4001);
        }
    }

    @Test
    void closesWith4008OnAFrameThatIsNotAFrame() {
        try (ViewerClient viewer = ViewerClient.connect(url(http), ViewerClient.JSON)) {
            viewer.sendText("{\"shout\": \"hello\"}");
            assertThat(viewer.await(ServerFrame::hasError, WAIT).getError().getCode()).isEqualTo("bad_frame");
            assertThat(viewer.awaitClose(WAIT)).isEqualTo(4008);
        }
    }

    @Test
    void metricsCoverConnectionsTrafficRefusalsAndLatency() throws Exception {
        try (ViewerClient viewer = ViewerClient.connect(url(http), ViewerClient.JSON)) {
            viewer.send(send("c1", "before joining"));
            viewer.await(ServerFrame::hasError, WAIT);
            String metrics = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics)
                    .contains("danmaku_gateway_sessions{gateway=\"gw-protocol\"}")
                    .contains("danmaku_gateway_rooms{")
                    .contains("danmaku_gateway_frames_in_total{")
                    .contains("danmaku_gateway_bytes_out_total{")
                    .contains("danmaku_gateway_deliveries_total{")
                    .contains("danmaku_gateway_batches_total{")
                    .contains("danmaku_gateway_batches_dropped_total{")
                    .contains("danmaku_gateway_slow_viewers_closed_total{")
                    .contains("danmaku_gateway_refused_total{gateway=\"gw-protocol\",reason=\"not_joined\"}")
                    .contains("danmaku_gateway_delivery_latency_seconds_bucket{")
                    .contains("kafka_producer_");
        }
    }

    @Test
    void aPlainGetOfTheSocketPathIsAClearError() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/ws")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(response.body()).contains("WebSocket");
    }

    @Test
    void closesEverySessionWith1001OnShutdownAndTurnsUnready(KafkaCluster kafka) {
        Gateway leaving = Gateway.start(config("gw-leaving"), new SimpleMeterRegistry());
        HttpServer server = serve(leaving);
        try (ViewerClient viewer = ViewerClient.connect(url(server), ViewerClient.JSON)) {
            viewer.send(join("lobby", ""));
            viewer.await(ServerFrame::hasJoined, WAIT);
            assertThat(leaving.ready()).isTrue();

            leaving.close();

            assertThat(leaving.ready()).isFalse();
            assertThat(viewer.awaitClose(WAIT)).isEqualTo(1001);
        } finally {
            server.close();
        }
    }
}
