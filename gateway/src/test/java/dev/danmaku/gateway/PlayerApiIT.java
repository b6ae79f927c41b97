package dev.danmaku.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.danmaku.common.http.Json;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.Mode;
import dev.danmaku.proto.v1.RawDanmaku;
import dev.danmaku.proto.v1.Reason;
import dev.danmaku.proto.v1.Verdict;
import dev.danmaku.testkit.DanmakuIT;
import dev.danmaku.testkit.KafkaCluster;
import dev.danmaku.testkit.ViewerClient;

/**
 * DPlayer's danmaku API on the gateway, with DPlayer's own request shape: a send goes the normal way
 * (published for the filter, shown to the room) and is answered with its verdict; everything that
 * cannot be a send is refused with a clear code and nothing published.
 */
@DanmakuIT
class PlayerApiIT {

    private static GatewayFixture fixture;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start(KafkaCluster kafka) {
        fixture = new GatewayFixture(kafka, 2);
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private static URI api(GatewayFixture.Running gateway) {
        return URI.create("http://127.0.0.1:" + gateway.http().port() + "/api/v1/player/dplayer/v3/");
    }

    /** What DPlayer 1.27 posts: axios sends the object as JSON. */
    private static Map<String, Object> dplayerSend(String token, String room, String text) {
        return Map.of("token", token, "id", room, "author", "someone else", "time", 12.5, "text", text,
                "color", 0xFF0000, "type", 1);
    }

    private CompletableFuture<HttpResponse<String>> post(GatewayFixture.Running gateway, Object body) throws Exception {
        return http.sendAsync(HttpRequest.newBuilder(api(gateway)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return Json.MAPPER.readTree(response.body());
    }

    @Test
    void aSendIsPublishedAsAskedShownToTheRoomAndAnsweredWithItsVerdict() throws Exception {
        String room = GatewayFixture.room();
        try (var gateway = fixture.start("gw-player", c -> c);
                ViewerClient watcher = GatewayFixture.joined(gateway.url(), room, "")) {
            var answer = post(gateway, dplayerSend(fixture.viewerToken("alice"), room, "  hello from DPlayer "));
            await().atMost(GatewayFixture.WAIT).until(() -> fixture.published(room).size() == 1);
            RawDanmaku sent = fixture.published(room).get(0);
            Danmaku danmaku = sent.getDanmaku();
            assertThat(danmaku.getText()).isEqualTo("hello from DPlayer");
            assertThat(danmaku.getUserId()).isEqualTo("alice");
            assertThat(danmaku.getUserName()).as("the token's name, not DPlayer's author").isEqualTo("alice");
            assertThat(danmaku.getColor()).isEqualTo(0xFF0000);
            assertThat(danmaku.getMode()).isEqualTo(Mode.TOP);
            assertThat(danmaku.getVideoOffsetMs()).isEqualTo(12_500);
            assertThat(answer).as("no answer before the verdict").isNotDone();

            fixture.judge(sent, Verdict.ACCEPTED);
            fixture.flush();
            HttpResponse<String> response = answer.get(15, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(json(response).path("code").asInt()).isZero();
            assertThat(json(response).path("data").path("msgId").asText()).isEqualTo(danmaku.getMsgId());
            await().atMost(GatewayFixture.WAIT).until(() -> watcher.danmaku().stream()
                    .anyMatch(d -> d.getMsgId().equals(danmaku.getMsgId())));
            assertThat(fixture.counter("danmaku_gateway_player_sends_total", "gw-player")).isEqualTo(1);
        }
    }

    @Test
    void aRefusalIsAnsweredWithANonZeroCodeAndAMessageDPlayerShows() throws Exception {
        String room = GatewayFixture.room();
        try (var gateway = fixture.start("gw-player-refused", c -> c)) {
            var answer = post(gateway, dplayerSend(fixture.viewerToken("bob"), room, "a bad word"));
            await().atMost(GatewayFixture.WAIT).until(() -> fixture.published(room).size() == 1);
            fixture.reject(fixture.published(room).get(0), Reason.BLOCKED_KEYWORD);
            fixture.flush();

            HttpResponse<String> response = answer.get(15, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(json(response).path("code").asInt()).isNotZero();
            assertThat(json(response).path("msg").asText()).isEqualTo("Not sent: it contains a blocked word");
            assertThat(json(response).path("reason").asText()).isEqualTo("BLOCKED_KEYWORD");
        }
    }

    @Test
    void aSendWithoutAVerdictInTimeIsAnsweredUnavailable() throws Exception {
        String room = GatewayFixture.room();
        try (var gateway = fixture.start("gw-player-late",
                c -> c.withLimits(c.limits().withAnswerTimeout(Duration.ofMillis(500))))) {
            HttpResponse<String> response = post(gateway, dplayerSend(fixture.viewerToken("carol"), room, "anyone?"))
                    .get(15, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).isPresent();
            assertThat(json(response).path("code").asInt()).isEqualTo(503);
            assertThat(fixture.published(room)).as("it was published; its verdict may still come").hasSize(1);
        }
    }

    @Test
    void whatCannotBeASendIsRefusedClearlyAndNothingIsPublished() throws Exception {
        String room = GatewayFixture.room();
        String token = fixture.viewerToken("dave");
        try (var gateway = fixture.start("gw-player-bad", c -> c.withAccess(true, List.of("https://site.example")))) {
            assertThat(post(gateway, dplayerSend("", room, "hi")).get().statusCode()).isEqualTo(401);
            assertThat(post(gateway, dplayerSend("forged.token.here", room, "hi")).get().statusCode()).isEqualTo(401);
            assertThat(post(gateway, dplayerSend(token, "no spaces allowed", "hi")).get().statusCode()).isEqualTo(400);
            assertThat(post(gateway, Map.of("token", token, "id", room, "text", "hi", "type", 7)).get().statusCode())
                    .isEqualTo(400);
            assertThat(post(gateway, Map.of("token", token, "id", room, "text", "hi", "color", "red")).get().statusCode())
                    .isEqualTo(400);
            assertThat(post(gateway, Map.of("token", token, "id", room, "text", "hi", "time", -1)).get().statusCode())
                    .isEqualTo(400);
            assertThat(post(gateway, List.of("not", "an", "object")).get().statusCode()).isEqualTo(400);
            HttpResponse<String> tooLong = post(gateway, dplayerSend(token, room, "长".repeat(500))).get();
            assertThat(json(tooLong).path("reason").asText()).isEqualTo("TOO_LONG");
            HttpResponse<String> viewerOnly = post(gateway, dplayerSend(fixture.token("eve", "analyst"), room, "hi")).get();
            assertThat(json(viewerOnly).path("reason").asText()).isEqualTo("NOT_ALLOWED");

            HttpResponse<String> form = http.send(HttpRequest.newBuilder(api(gateway))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("text=hi")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(form.statusCode()).isEqualTo(400);
            HttpResponse<String> huge = http.send(HttpRequest.newBuilder(api(gateway)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"" + "x".repeat(20_000) + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(huge.statusCode()).isEqualTo(413);

            HttpResponse<String> foreign = http.send(HttpRequest.newBuilder(api(gateway)).header("Origin", "https://evil.example")
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(foreign.statusCode()).isEqualTo(403);
            HttpResponse<String> preflight = http.send(HttpRequest.newBuilder(api(gateway)).header("Origin", "https://site.example")
                    .header("Access-Control-Request-Method", "POST")
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(preflight.statusCode()).isEqualTo(204);
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://site.example");
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers")).hasValue("Content-Type");

            HttpResponse<String> read = http.send(HttpRequest.newBuilder(URI.create(api(gateway) + "?id=" + room)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(json(read).path("code").asInt()).isZero();
            assertThat(json(read).path("data").isArray()).isTrue();

            assertThat(fixture.published(room)).isEmpty();
        }
    }

    @Test
    void aUserSendsFromOneBudgetWhetherThroughThePlayerOrTheirConnection() throws Exception {
        String room = GatewayFixture.room();
        String token = fixture.viewerToken("frank");
        try (var gateway = fixture.start("gw-player-rate", c -> c.withLimits(new GatewayConfig.Limits(
                c.limits().maxFrameBytes(), c.limits().maxTextLength(), 0.01, 1, c.limits().maxConnections(),
                c.limits().maxConnectionsPerAddress(), c.limits().joinsPerAddressPerSecond(),
                c.limits().maxConnectionsPerUser(), c.limits().outboundBudgetBytes(), c.limits().handshakeTimeout(),
                c.limits().joinTimeout(), c.limits().pingInterval(), c.limits().answerTimeout())));
                ViewerClient connection = GatewayFixture.joined(gateway.url(), room, token)) {
            connection.send(GatewayFixture.send("c-1", "from the page"));
            await().atMost(GatewayFixture.WAIT).until(() -> fixture.published(room).size() == 1);

            HttpResponse<String> response = post(gateway, dplayerSend(token, room, "from DPlayer")).get();
            assertThat(json(response).path("reason").asText()).isEqualTo("RATE_LIMITED");
            assertThat(fixture.published(room)).hasSize(1);
        }
    }
}
