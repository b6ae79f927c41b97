package dev.danmaku.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.danmaku.archiver.Archiver;
import dev.danmaku.archiver.ArchiverConfig;
import dev.danmaku.common.auth.Identity;
import dev.danmaku.common.auth.Tokens;
import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.config.SettingValues;
import dev.danmaku.common.http.HttpServer;
import dev.danmaku.common.http.Json;
import dev.danmaku.common.http.Routes;
import dev.danmaku.filter.FilterConfig;
import dev.danmaku.filter.FilterService;
import dev.danmaku.gateway.Gateway;
import dev.danmaku.gateway.GatewayConfig;
import dev.danmaku.proto.v1.ClientFrame;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.Join;
import dev.danmaku.proto.v1.Mode;
import dev.danmaku.proto.v1.Reason;
import dev.danmaku.proto.v1.Send;
import dev.danmaku.proto.v1.ServerFrame;
import dev.danmaku.proto.v1.Verdict;
import dev.danmaku.testkit.DanmakuIT;
import dev.danmaku.testkit.KafkaCluster;
import dev.danmaku.testkit.PostgresDatabase;
import dev.danmaku.testkit.ViewerClient;
import dev.danmaku.testkit.TestSecrets;

/**
 * The whole path as separate services would run it: two gateways, one real broker, the filter,
 * and the archiver on real PostgreSQL; viewers are real WebSocket clients.
 */
@DanmakuIT
class EndToEndIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final List<AutoCloseable> running = new ArrayList<>();
    private static Tokens tokens;
    private static String gatewayA;
    private static String gatewayB;
    private static String archiveApi;

    @BeforeAll
    static void start(KafkaCluster kafka, PostgresDatabase postgres) {
        CommonConfig common = CommonConfig.from(SettingValues.of(CommonConfig.SETTINGS, Map.of("DANMAKU_JWT_SECRET", TestSecrets.JWT,
                "DANMAKU_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "DANMAKU_TOPIC_PREFIX", "e2e-" + UUID.randomUUID().toString().substring(0, 8) + ".",
                "DANMAKU_TOPIC_PARTITIONS", "3",
                "DANMAKU_BIND_HOST", "127.0.0.1")));
        tokens = new Tokens(common.jwtSecret());
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

        FilterService filter = started(FilterService.start(new FilterConfig(common, 0, "e2e", List.of("badword")), meters));
        Archiver archiver = started(Archiver.start(
                new ArchiverConfig(common, 0, postgres.jdbcUrl(), postgres.user(), postgres.password(), 2), meters));
        archiveApi = "http://127.0.0.1:" + listen(archiver.mount(Routes.withProbes(archiver::ready, meters))) + "/api/v1/archive";
        gatewayA = gateway(common, "gw-a", meters);
        gatewayB = gateway(common, "gw-b", meters);
        assertThat(filter.ready()).isTrue();
    }

    private static String gateway(CommonConfig common, String id, PrometheusMeterRegistry meters) {
        Gateway gateway = started(Gateway.start(GatewayConfig.defaults(common, id), meters));
        return "ws://127.0.0.1:" + listen(gateway.mount(Routes.withProbes(gateway::ready, meters))) + "/ws";
    }

    private static int listen(Routes routes) {
        return started(HttpServer.start("127.0.0.1", 0, routes.handler())).port();
    }

    private static <T extends AutoCloseable> T started(T part) {
        running.add(0, part);
        return part;
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable part : running) {
            part.close();
        }
    }

    private static String token(String user) {
        return tokens.issue(user, user.toUpperCase(), Set.of(Identity.VIEWER), Duration.ofMinutes(10));
    }

    /** Connects and joins; waits for {@code joined}. */
    private static ViewerClient viewer(String url, String subprotocol, String room, String token) {
        ViewerClient viewer = ViewerClient.connect(url, subprotocol);
        viewer.send(ClientFrame.newBuilder().setJoin(Join.newBuilder().setRoomId(room).setToken(token)).build());
        viewer.await(ServerFrame::hasJoined, WAIT);
        return viewer;
    }

    private static ServerFrame sendAndAwaitAck(ViewerClient sender, String clientMsgId, String text) {
        sender.send(ClientFrame.newBuilder().setSend(Send.newBuilder()
                .setClientMsgId(clientMsgId).setText(text).setColor(0x00FF00).setMode(Mode.TOP)).build());
        return sender.await(f -> f.hasAck() && f.getAck().getClientMsgId().equals(clientMsgId), WAIT);
    }

    private static Danmaku awaitDanmaku(ViewerClient viewer, String msgId) {
        ServerFrame batch = viewer.await(f -> f.hasBatch()
                && f.getBatch().getDanmakuList().stream().anyMatch(d -> d.getMsgId().equals(msgId)), WAIT);
        return batch.getBatch().getDanmakuList().stream().filter(d -> d.getMsgId().equals(msgId)).findFirst().orElseThrow();
    }

    private static boolean received(ViewerClient viewer, String msgId) {
        return viewer.received().stream().filter(ServerFrame::hasBatch)
                .flatMap(f -> f.getBatch().getDanmakuList().stream())
                .anyMatch(d -> d.getMsgId().equals(msgId));
    }

    private static String room() {
        return "room-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void aDanmakuSentOnOneGatewayReachesTheRoomOnTheOtherAndNoOtherRoom() throws InterruptedException {
        String room = room();
        try (ViewerClient alice = viewer(gatewayA, ViewerClient.JSON, room, token("alice"));
             ViewerClient bob = viewer(gatewayB, ViewerClient.JSON, room, "");
             ViewerClient elsewhere = viewer(gatewayB, ViewerClient.JSON, room(), "")) {

            ServerFrame ack = sendAndAwaitAck(alice, "c1", "hello from A 你好");

            assertThat(ack.getAck().getVerdict()).isEqualTo(Verdict.ACCEPTED);
            String msgId = ack.getAck().getMsgId();
            Danmaku seenByBob = awaitDanmaku(bob, msgId);
            assertThat(seenByBob.getText()).isEqualTo("hello from A 你好");
            assertThat(seenByBob.getUserId()).isEqualTo("alice");
            assertThat(seenByBob.getRoomId()).isEqualTo(room);
            assertThat(seenByBob.getColor()).isEqualTo(0x00FF00);
            assertThat(seenByBob.getMode()).isEqualTo(Mode.TOP);
            assertThat(seenByBob.getSentAtMs()).isPositive();
            awaitDanmaku(alice, msgId);
            Thread.sleep(500);
            assertThat(received(elsewhere, msgId)).isFalse();
        }
    }

    @Test
    void aBlockedKeywordIsRefusedToTheSenderAndShownToNobody() {
        String room = room();
        try (ViewerClient alice = viewer(gatewayA, ViewerClient.JSON, room, token("alice"));
             ViewerClient bob = viewer(gatewayB, ViewerClient.JSON, room, "")) {

            ServerFrame refused = sendAndAwaitAck(alice, "bad", "this has a BadWord in it");
            assertThat(refused.getAck().getVerdict()).isEqualTo(Verdict.REJECTED);
            assertThat(refused.getAck().getReason()).isEqualTo(Reason.BLOCKED_KEYWORD);

            // one room is one partition: once the next danmaku has arrived, the refused one never will
            ServerFrame next = sendAndAwaitAck(alice, "good", "a clean one");
            awaitDanmaku(bob, next.getAck().getMsgId());
            awaitDanmaku(alice, next.getAck().getMsgId());
            assertThat(received(bob, refused.getAck().getMsgId())).isFalse();
            assertThat(received(alice, refused.getAck().getMsgId())).isFalse();
        }
    }

    @Test
    void protobufAndJsonViewersShareARoom() {
        String room = room();
        try (ViewerClient proto = viewer(gatewayA, ViewerClient.PROTO, room, token("pat"));
             ViewerClient json = viewer(gatewayB, ViewerClient.JSON, room, token("jo"))) {

            String fromProto = sendAndAwaitAck(proto, "p1", "binary hello").getAck().getMsgId();
            assertThat(awaitDanmaku(json, fromProto).getText()).isEqualTo("binary hello");

            String fromJson = sendAndAwaitAck(json, "j1", "text hello").getAck().getMsgId();
            assertThat(awaitDanmaku(proto, fromJson).getText()).isEqualTo("text hello");

            assertThat(json.receivedText()).anySatisfy(text -> assertThat(text)
                    .contains("\"verdict\":\"ACCEPTED\"").contains("\"clientMsgId\":\"j1\""));
        }
    }

    @Test
    void aLateJoinerGetsRecentDanmakuAndCanResume() {
        String room = room();
        List<String> sent = new ArrayList<>();
        try (ViewerClient alice = viewer(gatewayA, ViewerClient.JSON, room, token("alice"));
             ViewerClient watcher = viewer(gatewayB, ViewerClient.JSON, room, "")) {
            for (int i = 0; i < 3; i++) {
                sent.add(sendAndAwaitAck(alice, "c" + i, "message " + i).getAck().getMsgId());
            }
            awaitDanmaku(watcher, sent.get(2));
        }
        try (ViewerClient late = ViewerClient.connect(gatewayB, ViewerClient.JSON)) {
            late.send(ClientFrame.newBuilder().setJoin(Join.newBuilder().setRoomId(room)).build());
            assertThat(late.await(ServerFrame::hasJoined, WAIT).getJoined().getRecentList())
                    .extracting(Danmaku::getMsgId).containsExactlyElementsOf(sent);
        }
        try (ViewerClient resuming = ViewerClient.connect(gatewayB, ViewerClient.JSON)) {
            resuming.send(ClientFrame.newBuilder().setJoin(Join.newBuilder().setRoomId(room).setResumeAfter(sent.get(0))).build());
            ServerFrame joined = resuming.await(ServerFrame::hasJoined, WAIT);
            assertThat(joined.getJoined().getResumed()).isTrue();
            assertThat(joined.getJoined().getRecentList()).extracting(Danmaku::getMsgId).containsExactly(sent.get(1), sent.get(2));
        }
    }

    @Test
    void theArchiveReturnsTheRoomsDanmakuInOrder() throws Exception {
        String room = room();
        List<String> accepted = new ArrayList<>();
        try (ViewerClient alice = viewer(gatewayA, ViewerClient.JSON, room, token("alice"))) {
            accepted.add(sendAndAwaitAck(alice, "c1", "first").getAck().getMsgId());
            sendAndAwaitAck(alice, "c2", "badword second");
            accepted.add(sendAndAwaitAck(alice, "c3", "third").getAck().getMsgId());
        }
        String analyst = tokens.issue("ana", "Ana", Set.of(Identity.ANALYST), Duration.ofMinutes(5));
        String acceptedOnly = archiveApi + "/rooms/" + room + "/danmaku?verdict=ACCEPTED";

        JsonNode page = awaitArchive(acceptedOnly, analyst, 2);
        assertThat(page.get("items")).extracting(item -> item.get("msgId").asText()).containsExactlyElementsOf(accepted);
        assertThat(page.get("items")).extracting(item -> item.get("text").asText()).containsExactly("first", "third");
        assertThat(page.get("next").isNull()).isTrue();

        JsonNode everything = awaitArchive(archiveApi + "/rooms/" + room + "/danmaku", analyst, 3);
        JsonNode refused = everything.get("items").get(1);
        assertThat(refused.get("verdict").asText()).isEqualTo("REJECTED");
        assertThat(refused.get("reason").asText()).isEqualTo("BLOCKED_KEYWORD");
        assertThat(refused.get("originalText").asText()).isEqualTo("badword second");

        JsonNode firstPage = awaitArchive(archiveApi + "/rooms/" + room + "/danmaku?limit=2", analyst, 2);
        JsonNode secondPage = get(archiveApi + "/rooms/" + room + "/danmaku?limit=2&cursor="
                + firstPage.get("next").asText(), analyst).body();
        assertThat(secondPage.get("items")).extracting(item -> item.get("text").asText()).containsExactly("third");
    }

    @Test
    void theArchiveRefusesStrangersAndBadParameters() throws Exception {
        String url = archiveApi + "/rooms/lobby/danmaku";
        assertThat(get(url, null).status()).isEqualTo(401);
        String viewer = token("vic");
        Response forbidden = get(url, viewer);
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.body().get("detail").asText()).contains("analyst");

        String analyst = tokens.issue("ana", "Ana", Set.of(Identity.ANALYST), Duration.ofMinutes(5));
        Response badTime = get(url + "?from=yesterday", analyst);
        assertThat(badTime.status()).isEqualTo(400);
        assertThat(badTime.body().get("detail").asText()).contains("from");
        assertThat(get(url + "?limit=0", analyst).status()).isEqualTo(400);
        assertThat(get(url + "?verdict=MAYBE", analyst).status()).isEqualTo(400);
        assertThat(get(url + "?cursor=garbage", analyst).status()).isEqualTo(400);
    }

    record Response(int status, JsonNode body) {
    }

    private static Response get(String url, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), Json.MAPPER.readTree(response.body()));
    }

    /** The archiver stores asynchronously: poll until the page has the expected number of items. */
    private static JsonNode awaitArchive(String url, String token, int items) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Response response;
        do {
            response = get(url, token);
            assertThat(response.status()).isEqualTo(200);
            if (response.body().get("items").size() >= items) {
                return response.body();
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("archive did not reach " + items + " items: " + response.body());
    }
}
