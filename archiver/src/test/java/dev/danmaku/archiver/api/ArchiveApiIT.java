package dev.danmaku.archiver.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.danmaku.archiver.store.ArchiveStore;
import dev.danmaku.common.auth.Identity;
import dev.danmaku.common.auth.Tokens;
import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.http.HttpServer;
import dev.danmaku.common.http.Json;
import dev.danmaku.common.http.Routes;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.Reason;
import dev.danmaku.proto.v1.Verdict;
import dev.danmaku.testkit.DanmakuIT;
import dev.danmaku.testkit.PostgresDatabase;
import dev.danmaku.testkit.TestSecrets;

/** The analyst API over real HTTP on the real PostgreSQL: roles, parameters, query, export, stats. */
@DanmakuIT
class ArchiveApiIT {

    static final Tokens TOKENS = new Tokens(TestSecrets.JWT);
    static final String ROOM = "api-" + UUID.randomUUID().toString().substring(0, 8);
    static final long T0 = 1_790_000_000_000L;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static ArchiveStore store;
    private static ArchiveApi api;
    private static HttpServer server;
    static String base;

    @BeforeAll
    static void start(PostgresDatabase database) throws Exception {
        store = ArchiveStore.open(database.jdbcUrl(), database.user(), database.password(), 4);
        api = new ArchiveApi(store, new SimpleMeterRegistry(), 4);
        server = HttpServer.start("127.0.0.1", 0, Routes.withProbes(() -> true,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).prefix(ArchiveApi.PREFIX, api.handler(TOKENS)).handler());
        base = "http://127.0.0.1:" + server.port() + ArchiveApi.PREFIX;
        List<ArchiveStore.Incoming> rows = new ArrayList<>();
        rows.add(row(ROOM, "m00", T0, Verdict.ACCEPTED, "alice", "=HYPERLINK(\"http://evil\")", 0));
        rows.add(row(ROOM, "m01", T0 + 10, Verdict.REJECTED, "bob", "buy, cheap \"stuff\"\nnow", 0));
        for (int i = 2; i < 30; i++) {
            rows.add(row(ROOM, String.format("m%02d", i), T0 + i * 1000L, i % 3 == 0 ? Verdict.MASKED : Verdict.ACCEPTED,
                    i % 2 == 0 ? "alice" : "carol", "message " + i, 0));
        }
        store.write(rows, List.of(new ArchiveStore.RecallMark(ROOM, ROOM + ":m02", T0 + 5000)));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (api != null) {
            api.close();
        }
        if (store != null) {
            store.close();
        }
    }

    static ArchiveStore store() {
        return store;
    }

    static ArchiveStore.Incoming row(String room, String shortId, long sentAtMs, Verdict verdict, String user, String text,
            long videoOffsetMs) {
        JudgedDanmaku.Builder judged = JudgedDanmaku.newBuilder().setVerdict(verdict).setRuleSetVersion(3)
                .setDanmaku(Danmaku.newBuilder().setMsgId(room + ":" + shortId).setRoomId(room).setUserId(user)
                        .setUserName(user.toUpperCase()).setText(text).setColor(0xFFFFFF).setSentAtMs(sentAtMs)
                        .setVideoOffsetMs(videoOffsetMs));
        if (verdict == Verdict.REJECTED) {
            judged.setReason(Reason.BLOCKED_KEYWORD).setOriginalText("original " + text);
        }
        return new ArchiveStore.Incoming(judged.build(), 0, 0);
    }

    static String analyst() {
        return TOKENS.issue("ana", "Ana", Set.of(Identity.ANALYST), Duration.ofMinutes(5));
    }

    record Response(int status, String contentType, String body) {
        JsonNode json() throws Exception {
            return Json.MAPPER.readTree(body);
        }
    }

    static Response get(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Response(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), response.body());
    }

    private static String encoded(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Test
    void thePlayerApiServesWhatViewersSawInDPlayersShapeWithoutATokenOnlyWhenTurnedOn() throws Exception {
        String path = "/player/dplayer/v3/?id=" + ROOM + "&max=1000";
        Response off = get(path, null);
        assertThat(off.status()).isEqualTo(404);
        assertThat(off.json().get("code").asInt()).isNotZero();
        assertThat(off.json().get("msg").asText()).contains("DANMAKU_ARCHIVE_PLAYER_API");

        ArchiveApi on = new ArchiveApi(store, new SimpleMeterRegistry(), 1, new byte[32], Duration.ZERO, true);
        HttpServer player = HttpServer.start("127.0.0.1", 0, Routes.withProbes(() -> true,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).prefix(ArchiveApi.PREFIX, on.handler(TOKENS)).handler());
        String playerBase = "http://127.0.0.1:" + player.port() + ArchiveApi.PREFIX;
        try {
            HttpResponse<String> served = HTTP.send(HttpRequest.newBuilder(URI.create(playerBase + path)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            assertThat(served.statusCode()).isEqualTo(200);
            assertThat(served.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
            JsonNode body = Json.MAPPER.readTree(served.body());
            assertThat(body.get("code").asInt()).isZero();
            JsonNode data = body.get("data");
            // m00 and m03-m29: m01 was rejected and m02 recalled, so viewers never saw them
            assertThat(data).hasSize(28);
            JsonNode first = data.get(0);
            assertThat(first.get(0).asDouble()).isZero();
            assertThat(first.get(1).asInt()).as("scrolling").isZero();
            assertThat(first.get(2).asInt()).isEqualTo(0xFFFFFF);
            assertThat(first.get(3).asText()).matches("[0-9a-f]{8}").isNotEqualTo("alice");
            assertThat(first.get(4).asText()).as("DPlayer draws text as HTML").isEqualTo("=HYPERLINK(&quot;http://evil&quot;)");
            assertThat(data.get(1).get(0).asDouble()).isEqualTo(3.0);
            assertThat(served.body()).doesNotContain("buy, cheap", ":m02\"");

            HttpResponse<String> two = HTTP.send(HttpRequest.newBuilder(URI.create(playerBase
                    + "/player/dplayer/v3/?id=" + ROOM + "&max=2")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(Json.MAPPER.readTree(two.body()).get("data")).hasSize(2);
            HttpResponse<String> noRoom = HTTP.send(HttpRequest.newBuilder(URI.create(playerBase + "/player/dplayer/v3/"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(noRoom.statusCode()).isEqualTo(400);
            assertThat(Json.MAPPER.readTree(noRoom.body()).get("msg").asText()).startsWith("id: ");
            HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create(playerBase + path))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(playerBase + "/rooms/" + ROOM + "/danmaku")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).as("the rest still needs a token").isEqualTo(401);
        } finally {
            player.close();
            on.close();
        }
    }

    @Test
    void refusesWithoutTheAnalystOrAdminRole() throws Exception {
        String path = "/rooms/" + ROOM + "/danmaku";
        assertThat(get(path, null).status()).isEqualTo(401);
        assertThat(get(path, "not-a-token").status()).isEqualTo(401);
        assertThat(get(path, TOKENS.issue("v", "V", Set.of(Identity.VIEWER), Duration.ofMinutes(1))).status()).isEqualTo(403);
        assertThat(get(path, TOKENS.issue("m", "M", Set.of(Identity.MODERATOR), Duration.ofMinutes(1))).status())
                .isEqualTo(403);
        assertThat(get(path, TOKENS.issue("a", "A", Set.of(Identity.ADMIN), Duration.ofMinutes(1))).status()).isEqualTo(200);
        for (String other : List.of("/rooms", "/rooms/" + ROOM + "/stats", "/rooms/" + ROOM + "/export",
                "/rooms/" + ROOM + "/replay")) {
            Response refused = get(other, TOKENS.issue("v", "V", Set.of(Identity.VIEWER), Duration.ofMinutes(1)));
            assertThat(refused.status()).as(other).isEqualTo(403);
            assertThat(refused.contentType()).isEqualTo("application/problem+json");
        }
    }

    @Test
    void answersEveryBadParameterWithProblemDetailsNamingIt() throws Exception {
        String room = "/rooms/" + ROOM;
        List<List<String>> cases = List.of(
                List.of(room + "/danmaku?from=yesterday", "from"),
                List.of(room + "/danmaku?to=2026-13-01", "to"),
                List.of(room + "/danmaku?from=2000&to=1000", "from must be before to"),
                List.of(room + "/danmaku?limit=0", "limit"),
                List.of(room + "/danmaku?limit=1001", "limit"),
                List.of(room + "/danmaku?limit=ten", "limit"),
                List.of(room + "/danmaku?verdict=ACCEPTED,MAYBE", "verdict"),
                List.of(room + "/danmaku?cursor=garbage", "cursor"),
                List.of(room + "/danmaku?user=" + "u".repeat(129), "user"),
                List.of(room + "/danmaku?text=" + "t".repeat(201), "text"),
                List.of("/rooms/" + encoded("no spaces") + "/danmaku", "room"),
                List.of("/rooms?cursor=" + encoded("!!"), "cursor"),
                List.of("/rooms?limit=-1", "limit"),
                List.of(room + "/export?format=pdf", "format"),
                List.of(room + "/export?bom=perhaps", "bom"),
                List.of(room + "/export?verdict=NONE", "verdict"),
                List.of(room + "/stats?bucket=5m", "bucket"),
                List.of(room + "/stats?top=0", "top"),
                List.of(room + "/replay?speed=0", "speed"),
                List.of(room + "/replay?speed=fast", "speed"),
                List.of(room + "/replay?speed=100", "speed"),
                List.of(room + "/replay?mode=backwards", "mode"),
                List.of(room + "/replay?from=soon", "from"));
        for (List<String> bad : cases) {
            Response response = get(bad.get(0), analyst());
            assertThat(response.status()).as(bad.get(0)).isEqualTo(400);
            assertThat(response.contentType()).as(bad.get(0)).isEqualTo("application/problem+json");
            JsonNode problem = response.json();
            assertThat(problem.get("status").asInt()).isEqualTo(400);
            assertThat(problem.get("detail").asText()).as(bad.get(0)).contains(bad.get(1));
        }
        Response unknown = get("/nothing-here", analyst());
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(get(room + "/replay", analyst()).status()).as("replay without a WebSocket upgrade").isEqualTo(426);
    }

    @Test
    void queriesWithFiltersAndStableCursors() throws Exception {
        JsonNode alice = get("/rooms/" + ROOM + "/danmaku?user=alice&verdict=ACCEPTED,MASKED&limit=100", analyst()).json();
        assertThat(alice.get("items")).allSatisfy(item -> assertThat(item.get("userId").asText()).isEqualTo("alice"));
        assertThat(alice.get("items")).hasSize(15);
        assertThat(alice.get("next").isNull()).isTrue();

        JsonNode text = get("/rooms/" + ROOM + "/danmaku?text=" + encoded("MESSAGE 1"), analyst()).json();
        assertThat(text.get("items")).extracting(item -> item.get("text").asText())
                .containsExactly("message 10", "message 11", "message 12", "message 13", "message 14", "message 15",
                        "message 16", "message 17", "message 18", "message 19");

        JsonNode refused = get("/rooms/" + ROOM + "/danmaku?verdict=REJECTED", analyst()).json().get("items").get(0);
        assertThat(refused.get("reason").asText()).isEqualTo("BLOCKED_KEYWORD");
        assertThat(refused.get("originalText").asText()).startsWith("original ");
        assertThat(refused.get("ruleSetVersion").asLong()).isEqualTo(3);

        List<String> paged = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = get("/rooms/" + ROOM + "/danmaku?limit=7" + (cursor == null ? "" : "&cursor=" + cursor),
                    analyst()).json();
            page.get("items").forEach(item -> paged.add(item.get("msgId").asText()));
            cursor = page.get("next").isNull() ? null : page.get("next").asText();
        } while (cursor != null);
        assertThat(paged).hasSize(30).doesNotHaveDuplicates().isSorted();

        JsonNode recalled = get("/rooms/" + ROOM + "/danmaku?from=" + (T0 + 2000) + "&to=" + (T0 + 2001), analyst()).json();
        assertThat(recalled.get("items").get(0).get("recalledAtMs").asLong()).isEqualTo(T0 + 5000);
    }

    @Test
    void exportsNdjson() throws Exception {
        Response export = get("/rooms/" + ROOM + "/export?verdict=ACCEPTED,REJECTED", analyst());
        assertThat(export.status()).isEqualTo(200);
        assertThat(export.contentType()).startsWith("application/x-ndjson");
        String[] lines = export.body().split("\n");
        assertThat(export.body()).endsWith("\n");
        assertThat(lines).hasSize(21);
        JsonNode first = Json.MAPPER.readTree(lines[0]);
        assertThat(first.get("msgId").asText()).isEqualTo(ROOM + ":m00");
        assertThat(Json.MAPPER.readTree(lines[1]).get("text").asText()).isEqualTo("buy, cheap \"stuff\"\nnow");
    }

    @Test
    void exportsSpreadsheetSafeCsvWithAnOptionalBom() throws Exception {
        Response csv = get("/rooms/" + ROOM + "/export?format=csv&to=" + (T0 + 11), analyst());
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.contentType()).startsWith("text/csv");
        assertThat(csv.body()).doesNotStartWith("\uFEFF");
        String[] lines = csv.body().split("\r\n");
        assertThat(lines[0]).startsWith("msgId,roomId,userId,userName,text,");
        // the formula is defused with a leading quote, and quoted because it holds a quote
        assertThat(lines[1]).contains(",\"'=HYPERLINK(\"\"http://evil\"\")\",");
        assertThat(csv.body()).contains("\"buy, cheap \"\"stuff\"\"\nnow\"");
        assertThat(lines[1]).contains(",#FFFFFF,SCROLL,0," + T0 + ",");

        Response withBom = get("/rooms/" + ROOM + "/export?format=csv&bom=true&to=" + (T0 + 11), analyst());
        assertThat(withBom.body()).startsWith("\uFEFFmsgId,");

        Response empty = get("/rooms/" + ROOM + "/export?format=csv&from=1&to=2", analyst());
        assertThat(empty.body()).isEqualTo(CsvRows.HEADER);
    }

    @Test
    void countsPerBucket() throws Exception {
        JsonNode stats = get("/rooms/" + ROOM + "/stats?bucket=1m&top=2", analyst()).json();
        assertThat(stats.get("total").asLong()).isEqualTo(30);
        assertThat(stats.get("uniqueSenders").asLong()).isEqualTo(3);
        assertThat(stats.get("topSenders").get(0).get("userId").asText()).isEqualTo("alice");
        assertThat(stats.get("topSenders")).hasSize(2);
        long bucketSum = 0;
        for (JsonNode bucket : stats.get("buckets")) {
            bucketSum += bucket.get("total").asLong();
            assertThat(bucket.get("startMs").asLong() % 60_000).isZero();
        }
        assertThat(bucketSum).isEqualTo(30);
        assertThat(stats.get("totalByVerdict").get("REJECTED").asLong()).isEqualTo(1);
        assertThat(stats.get("peak").get("total").asLong()).isPositive();
    }

    @Test
    void listsRoomsWithActivity() throws Exception {
        JsonNode rooms = get("/rooms?from=" + T0 + "&to=" + (T0 + 60_000), analyst()).json();
        JsonNode ours = null;
        for (JsonNode room : rooms.get("items")) {
            if (room.get("roomId").asText().equals(ROOM)) {
                ours = room;
            }
        }
        assertThat(ours).isNotNull();
        assertThat(ours.get("count").asLong()).isEqualTo(30);
        assertThat(ours.get("firstAtMs").asLong()).isEqualTo(T0);
        assertThat(ours.get("lastAtMs").asLong()).isEqualTo(T0 + 29_000);
    }

    @Test
    void exportsBilibiliXmlAndImportsItIntoAnotherRoomGivingTheSameLinesBack() throws Exception {
        Response exported = get("/rooms/" + ROOM + "/export?format=xml", analyst());
        assertThat(exported.status()).isEqualTo(200);
        assertThat(exported.contentType()).startsWith("application/xml");
        List<String> lines = exported.body().lines().filter(line -> line.startsWith("<d ")).toList();
        assertThat(lines).as("accepted and masked, not rejected, not recalled").hasSize(28);
        assertThat(lines.get(0)).startsWith("<d p=\"0.000,1,25,16777215,").endsWith(">=HYPERLINK(\"http://evil\")</d>")
                .doesNotContain("alice");

        String copy = "imported-" + UUID.randomUUID().toString().substring(0, 8);
        String withBadLine = exported.body().replace("</i>", "<d p=\"1,7,25,0,1767225600,0,ab,99\">code</d>\n</i>");
        for (int attempt = 0; attempt < 2; attempt++) { // a second import stores nothing twice
            HttpResponse<String> imported = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/rooms/" + copy + "/import"))
                    .header("Authorization", "Bearer " + analyst()).header("Content-Type", "application/xml")
                    .POST(HttpRequest.BodyPublishers.ofString(withBadLine)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(imported.statusCode()).as(imported.body()).isEqualTo(200);
            JsonNode report = Json.MAPPER.readTree(imported.body());
            assertThat(report.get("stored").asInt()).isEqualTo(28);
            assertThat(report.get("skipped").get(0).get("reason").asText()).contains("mode 7");
        }
        Response again = get("/rooms/" + copy + "/export?format=xml", analyst());
        assertThat(again.body().lines().filter(line -> line.startsWith("<d ")).toList()).isEqualTo(lines);
        Response rows = get("/rooms/" + copy + "/danmaku?limit=100", analyst());
        assertThat(rows.json().get("items")).hasSize(28)
                .allMatch(item -> item.get("msgId").asText().matches("imported:[0-9]+:" + BilibiliXml.roomTag(copy)));

        HttpResponse<String> notXml = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/rooms/" + copy + "/import"))
                .header("Authorization", "Bearer " + analyst()).header("Content-Type", "application/xml")
                .POST(HttpRequest.BodyPublishers.ofString("<i><d p=")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(notXml.statusCode()).isEqualTo(400);
        assertThat(notXml.body()).contains("not a well-formed XML document").doesNotContain("Exception");
    }
}
