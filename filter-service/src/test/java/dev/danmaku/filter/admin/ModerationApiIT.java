package dev.danmaku.filter.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.danmaku.common.auth.Tokens;
import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.config.SettingValues;
import dev.danmaku.common.http.HttpServer;
import dev.danmaku.common.http.Json;
import dev.danmaku.common.http.Routes;
import dev.danmaku.common.kafka.KafkaClients;
import dev.danmaku.common.metrics.Metrics;
import dev.danmaku.filter.FilterConfig;
import dev.danmaku.filter.FilterService;
import dev.danmaku.proto.v1.AuditEntry;
import dev.danmaku.proto.v1.ControlRecord;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.Origin;
import dev.danmaku.proto.v1.RawDanmaku;
import dev.danmaku.proto.v1.Reason;
import dev.danmaku.proto.v1.RoomEvent;
import dev.danmaku.proto.v1.Verdict;
import dev.danmaku.testkit.DanmakuIT;
import dev.danmaku.testkit.KafkaCluster;
import dev.danmaku.testkit.TestSecrets;

/** Two filter instances on a real broker, each with its moderator API on its own listener. */
@DanmakuIT
class ModerationApiIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final List<AutoCloseable> STARTED = new ArrayList<>();
    private static CommonConfig common;
    private static Tokens tokens;
    private static String moderator;
    private static String admin;
    private static String urlA;
    private static String urlB;
    private static KafkaClients clients;
    private static KafkaProducer<String, byte[]> producer;
    private static KafkaConsumer<String, byte[]> events;
    private static PrometheusMeterRegistry metricsA;

    @BeforeAll
    static void start(KafkaCluster kafka) {
        common = CommonConfig.from(SettingValues.of(CommonConfig.SETTINGS, Map.of("DANMAKU_JWT_SECRET", TestSecrets.JWT,
                "DANMAKU_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "DANMAKU_TOPIC_PREFIX", "moderation-it-" + UUID.randomUUID().toString().substring(0, 8) + ".",
                "DANMAKU_TOPIC_PARTITIONS", "2")));
        tokens = new Tokens(common.jwtSecret());
        moderator = tokens.issue("mod-1", "Mia", Set.of("moderator"), Duration.ofHours(1));
        admin = tokens.issue("adm-1", "Ada", Set.of("admin"), Duration.ofHours(1));
        metricsA = Metrics.prometheusRegistry();
        urlA = startInstance("a", metricsA);
        urlB = startInstance("b", Metrics.prometheusRegistry());
        clients = new KafkaClients(common);
        producer = clients.producer("it-producer", Map.of());
        events = clients.consumer("it-events", null, Map.of());
        List<TopicPartition> partitions = events.partitionsFor(clients.topics().filtered()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        events.assign(partitions);
        events.seekToEnd(partitions);
        partitions.forEach(events::position);
    }

    private static String startInstance(String id, PrometheusMeterRegistry registry) {
        FilterService filter = FilterService.start(new FilterConfig(common, 0, id, List.of("configword")), registry);
        STARTED.add(filter);
        HttpServer server = HttpServer.start("127.0.0.1", 0,
                filter.mount(Routes.withProbes(filter::ready, registry)).handler());
        STARTED.add(0, server);
        return "http://127.0.0.1:" + server.port() + "/api/v1/moderation";
    }

    @AfterAll
    static void stop() throws Exception {
        events.close();
        producer.close();
        for (AutoCloseable part : STARTED) {
            part.close();
        }
    }

    private static HttpResponse<String> call(String method, String url, String token, String contentType, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return Json.MAPPER.readTree(response.body());
    }

    private static HttpResponse<String> post(String url, String body) throws Exception {
        return call("POST", url, moderator, "application/json", body);
    }

    private static JsonNode dryRun(String url, String text, String room) throws Exception {
        return json(post(url + "/dry-run", Json.MAPPER.writeValueAsString(Map.of("text", text, "roomId", room))));
    }

    @Test
    void aRuleAddedOnOneInstanceIsEnforcedByBothWithinOneSecond() throws Exception {
        HttpResponse<String> created = call("POST", urlA + "/rules", admin, "application/json",
                "{\"pattern\": \"spoilerword\", \"action\": \"REJECT\", \"kind\": \"LITERAL\", \"roomId\": null,"
                        + " \"wholeWord\": false, \"note\": \"test\"}");
        long createdAt = System.nanoTime();
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = json(created).get("id").asText();
        assertThat(created.headers().firstValue("Location")).hasValue("/api/v1/moderation/rules/" + id);

        assertThat(dryRun(urlA, "s.p.o.i.l.e.r.w.o.r.d", "any").get("verdict").asText())
                .as("in force on the instance that took it when the API answers").isEqualTo("REJECTED");
        JsonNode onB;
        do {
            onB = dryRun(urlB, "ＳＰＯＩＬＥＲＷＯＲＤ", "any");
        } while (!onB.get("verdict").asText().equals("REJECTED") && System.nanoTime() - createdAt < 5_000_000_000L);
        long elapsedMs = (System.nanoTime() - createdAt) / 1_000_000;
        assertThat(onB.get("verdict").asText()).isEqualTo("REJECTED");
        assertThat(elapsedMs).as("enforced by the other instance within 1 s").isLessThan(1000);
        assertThat(onB.get("matches").get(0).get("ruleId").asText()).isEqualTo(id);

        // and in the pipeline, whichever instance owns the room's partition
        long version = onB.get("ruleSetVersion").asLong();
        RawDanmaku raw = RawDanmaku.newBuilder()
                .setDanmaku(Danmaku.newBuilder().setMsgId("m-spoiler").setRoomId("room-live").setUserId("u1")
                        .setText("big SPOILERWORD ahead").setSentAtMs(System.currentTimeMillis()))
                .setOrigin(Origin.newBuilder().setClientMsgId("c1")).build();
        producer.send(new ProducerRecord<>(clients.topics().raw(), "room-live", raw.toByteArray()));
        producer.flush();
        JudgedDanmaku judged = awaitEvent(e -> e.hasDanmaku() && e.getDanmaku().getDanmaku().getMsgId().equals("m-spoiler"))
                .getDanmaku();
        assertThat(judged.getVerdict()).isEqualTo(Verdict.REJECTED);
        assertThat(judged.getReason()).isEqualTo(Reason.BLOCKED_KEYWORD);
        assertThat(judged.getRuleSetVersion()).isGreaterThanOrEqualTo(version);
    }

    /** Polled but not yet claimed: one poll may bring the events of several assertions. */
    private static final List<RoomEvent> BACKLOG = new ArrayList<>();

    private static RoomEvent awaitEvent(java.util.function.Predicate<RoomEvent> match) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            for (var it = BACKLOG.iterator(); it.hasNext(); ) {
                RoomEvent event = it.next();
                if (match.test(event)) {
                    it.remove();
                    return event;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no matching room event within 30 s");
            }
            for (ConsumerRecord<String, byte[]> record : events.poll(Duration.ofMillis(200))) {
                BACKLOG.add(RoomEvent.parseFrom(record.value()));
            }
        }
    }

    @Test
    void refusesWithoutTokenWithTheWrongRoleAndWithAnExpiredToken() throws Exception {
        HttpResponse<String> none = call("GET", urlA + "/rules", null, null, null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(json(none).get("detail").asText()).contains("Bearer");

        String viewer = tokens.issue("v", "Viv", Set.of("viewer", "analyst"), Duration.ofHours(1));
        HttpResponse<String> wrongRole = call("POST", urlA + "/rules", viewer, "application/json", "{\"pattern\": \"x\"}");
        assertThat(wrongRole.statusCode()).isEqualTo(403);
        assertThat(json(wrongRole).get("status").asInt()).isEqualTo(403);

        Clock past = Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC);
        String expired = tokens.issue("mod-1", "Mia", Set.of("moderator"), Duration.ofHours(1), past);
        HttpResponse<String> stale = call("GET", urlA + "/rules", expired, null, null);
        assertThat(stale.statusCode()).isEqualTo(401);
        assertThat(json(stale).get("detail").asText()).contains("expired");

        String forged = new Tokens("another-secret-of-enough-length").issue("mod-1", "Mia", Set.of("admin"), Duration.ofHours(1));
        assertThat(call("GET", urlA + "/rules", forged, null, null).statusCode()).isEqualTo(401);
        String admin = tokens.issue("adm", "Ada", Set.of("admin"), Duration.ofHours(1));
        assertThat(call("GET", urlA + "/rules", admin, null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void rulesCrudWithClearErrorsAndAnAuditTrail() throws Exception {
        JsonNode rule = json(post(urlA + "/rules", "{\"pattern\": \"darn\", \"action\": \"MASK\", \"roomId\": \"crud-room\"}"));
        String id = rule.get("id").asText();
        assertThat(rule.get("roomId").asText()).isEqualTo("crud-room");
        assertThat(rule.get("updatedBy").asText()).isEqualTo("mod-1");

        JsonNode list = json(call("GET", urlA + "/rules?roomId=crud-room", moderator, null, null));
        assertThat(list.get("items")).extracting(item -> item.get("id").asText()).contains(id);

        HttpResponse<String> updated = call("PUT", urlA + "/rules/" + id, moderator, "application/json",
                "{\"pattern\": \"darn\", \"action\": \"SHADOW\", \"roomId\": \"crud-room\"}");
        assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
        assertThat(dryRun(urlA, "darn it", "crud-room").get("verdict").asText()).isEqualTo("SHADOWED");
        await().atMost(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(dryRun(urlB, "darn it", "crud-room").get("verdict").asText()).isEqualTo("SHADOWED"));
        assertThat(dryRun(urlB, "darn it", "other-room").get("verdict").asText()).isEqualTo("ACCEPTED");

        assertThat(call("DELETE", urlA + "/rules/" + id, moderator, null, null).statusCode()).isEqualTo(204);
        assertThat(call("GET", urlA + "/rules/" + id, moderator, null, null).statusCode()).isEqualTo(404);
        assertThat(call("DELETE", urlA + "/rules/" + id, moderator, null, null).statusCode()).isEqualTo(404);
        await().atMost(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(call("GET", urlB + "/rules/" + id, moderator, null, null).statusCode()).isEqualTo(404));

        HttpResponse<String> badRegex = post(urlA + "/rules", "{\"pattern\": \"(open\", \"kind\": \"REGEX\"}");
        assertThat(badRegex.statusCode()).isEqualTo(400);
        assertThat(badRegex.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(json(badRegex).get("detail").asText()).contains("malformed regex");
        assertThat(json(post(urlA + "/rules", "{\"pattern\": \"\"}")).get("detail").asText()).contains("empty");
        assertThat(json(post(urlA + "/rules", "{\"pattern\": \"x\", \"action\": \"BAN\"}")).get("detail").asText())
                .contains("REJECT, MASK, SHADOW or ALLOW");
        assertThat(json(post(urlA + "/rules", "{\"pattern\": \"x\", \"colour\": 1}")).get("detail").asText())
                .contains("unknown field");
        assertThat(json(post(urlA + "/rules", "{not json")).get("detail").asText()).contains("malformed JSON");
        assertThat(post(urlA + "/rules", "{\"pattern\": \"" + "x".repeat(70_000) + "\"}").statusCode()).isEqualTo(413);
        JsonNode configRule = json(call("GET", urlA + "/rules/config-1", moderator, null, null));
        assertThat(configRule.get("source").asText()).isEqualTo("config");
        assertThat(call("DELETE", urlA + "/rules/config-1", moderator, null, null).statusCode()).isEqualTo(409);

        JsonNode audit = json(call("GET", urlA + "/audit?limit=50", moderator, null, null)).get("items");
        List<String> actions = new ArrayList<>();
        audit.forEach(entry -> {
            if (entry.get("target").asText().equals(id)) {
                actions.add(entry.get("action").asText());
                assertThat(entry.get("actorId").asText()).isEqualTo("mod-1");
                assertThat(entry.get("atMs").asLong()).isPositive();
            }
        });
        assertThat(actions).containsExactly("rule.delete", "rule.update", "rule.create");
        assertThat(call("GET", urlB + "/audit?limit=0", moderator, null, null).statusCode()).isEqualTo(400);
        await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(
                json(call("GET", urlB + "/audit?limit=50", moderator, null, null)).get("items").findValuesAsText("id"))
                .as("the other instance lists them too").containsAll(audit.findValuesAsText("id")));

        // in a topic of their own, not among the records every instance replays at start
        List<String> inAuditTopic = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : readAll(clients.topics().audit())) {
            AuditEntry entry = AuditEntry.parseFrom(record.value());
            if (entry.getTarget().equals(id)) {
                inAuditTopic.add(entry.getAction());
            }
        }
        assertThat(inAuditTopic).containsExactly("rule.create", "rule.update", "rule.delete");
        assertThat(readAll(clients.topics().control())).filteredOn(record -> record.value() != null)
                .extracting(record -> ControlRecord.parseFrom(record.value()).getRecordCase())
                .isNotEmpty().doesNotContain(ControlRecord.RecordCase.AUDIT);
    }

    /** Every committed record of a topic, from its beginning. */
    private static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        List<ConsumerRecord<String, byte[]>> read = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = clients.consumer("it-read-all", null, Map.of())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(read::add);
            }
        }
        return read;
    }

    @Test
    void aModeratorScopedToRoomsActsThereOnlyAndGlobalActsAreForAdmins() throws Exception {
        String scoped = tokens.issue("mod-2", "Mo", Set.of("moderator"), Set.of("room-a"), Duration.ofMinutes(10),
                java.time.Clock.systemUTC());
        String rule = "{\"pattern\": \"scopedword\", \"roomId\": %s}";

        assertThat(call("POST", urlA + "/rules", scoped, "application/json", rule.formatted("\"room-a\"")).statusCode())
                .isEqualTo(201);
        HttpResponse<String> elsewhere = call("POST", urlA + "/rules", scoped, "application/json",
                rule.formatted("\"room-b\""));
        assertThat(elsewhere.statusCode()).isEqualTo(403);
        assertThat(json(elsewhere).get("detail").asText()).isEqualTo("a rule in room room-b: your token moderates rooms room-a");
        assertThat(call("POST", urlA + "/rules", scoped, "application/json", rule.formatted("null")).statusCode())
                .isEqualTo(403);
        assertThat(call("POST", urlA + "/rules", moderator, "application/json", rule.formatted("null")).statusCode())
                .as("a moderator of every room still adds no global rule").isEqualTo(403);
        assertThat(call("POST", urlA + "/rules/import", scoped, "text/plain", "bulkword\n").statusCode()).isEqualTo(403);
        assertThat(call("POST", urlA + "/mutes", scoped, "application/json",
                "{\"userId\": \"troll\", \"roomId\": \"room-b\", \"durationSeconds\": 60}").statusCode()).isEqualTo(403);
        assertThat(call("POST", urlA + "/mutes", moderator, "application/json",
                "{\"userId\": \"troll\", \"durationSeconds\": 60}").statusCode()).as("a global mute").isEqualTo(403);
        assertThat(call("POST", urlA + "/mutes", scoped, "application/json",
                "{\"userId\": \"troll\", \"roomId\": \"room-a\", \"durationSeconds\": 60}").statusCode()).isEqualTo(201);
        assertThat(call("PUT", urlA + "/rooms/room-b/settings", scoped, "application/json", "{\"slowModeSeconds\": 5}")
                .statusCode()).isEqualTo(403);
        assertThat(call("POST", urlA + "/recall", scoped, "application/json",
                "{\"roomId\": \"room-b\", \"msgId\": \"m\"}").statusCode()).isEqualTo(403);
        assertThat(call("POST", urlA + "/rules", admin, "application/json", rule.formatted("null")).statusCode())
                .isEqualTo(201);
        assertThat(call("GET", urlA + "/rules", scoped, null, null).statusCode()).as("reading is for every moderator")
                .isEqualTo(200);
    }

    @Test
    void exemptionsAndCategoriesThroughTheApiAndTheDryRun() throws Exception {
        HttpResponse<String> blocked = post(urlA + "/rules", "{\"pattern\": \"代练\", \"roomId\": \"exempt-room\","
                + " \"category\": \"advertising\", \"alternatives\": [\"dl\", \"带练\"]}");
        assertThat(blocked.statusCode()).as(blocked.body()).isEqualTo(201);
        assertThat(json(blocked).get("category").asText()).isEqualTo("advertising");
        assertThat(json(blocked).get("alternatives")).extracting(JsonNode::asText).containsExactly("dl", "带练");
        assertThat(post(urlA + "/rules", "{\"pattern\": \"时代\", \"action\": \"ALLOW\", \"roomId\": \"exempt-room\"}")
                .statusCode()).isEqualTo(201);

        JsonNode shielded = dryRun(urlA, "新时代练", "exempt-room");
        assertThat(shielded.get("verdict").asText()).isEqualTo("ACCEPTED");
        assertThat(shielded.get("exemptions").get(0).get("pattern").asText()).isEqualTo("时代");
        assertThat(shielded.get("shielded").get(0).get("pattern").asText()).isEqualTo("代练");
        JsonNode advert = dryRun(urlA, "专业代-练", "exempt-room");
        assertThat(advert.get("verdict").asText()).isEqualTo("REJECTED");
        assertThat(advert.get("category").asText()).isEqualTo("advertising");
        assertThat(advert.get("matches").get(0).get("view").asText()).isEqualTo("standard");
        assertThat(advert.get("views").fieldNames()).toIterable()
                .containsExactly("standard", "squashed", "folded", "regex", "pinyin");
        JsonNode pinyin = dryRun(urlA, "专业dai lian, 带练, DL", "exempt-room");
        assertThat(pinyin.get("matches")).extracting(m -> m.get("view").asText() + ":" + m.get("matched").asText())
                .containsExactlyInAnyOrder("pinyin:dailian", "standard:带练", "standard:dl");

        assertThat(json(post(urlA + "/rules", "{\"pattern\": \"x\", \"category\": \"rude\"}")).get("detail").asText())
                .contains("category: one of profanity, insult");
        assertThat(json(post(urlA + "/rules", "{\"pattern\": \"x\", \"alternatives\": \"y\"}")).get("detail").asText())
                .contains("alternatives: an array of strings");
    }

    @Test
    void importsThousandsOfRulesAndExportsThem() throws Exception {
        StringBuilder lines = new StringBuilder("# blocked words\n");
        for (int i = 0; i < 3000; i++) {
            lines.append("importedword").append(i).append('\n');
        }
        HttpResponse<String> imported = call("POST", urlA + "/rules/import?action=MASK&roomId=import-room", admin,
                "text/plain", lines.toString());
        assertThat(imported.statusCode()).as(imported.body()).isEqualTo(200);
        assertThat(json(imported).get("imported").asInt()).isEqualTo(3000);
        assertThat(dryRun(urlA, "say importedword2999", "import-room").get("shownText").asText())
                .isEqualTo("say " + "*".repeat("importedword2999".length()));

        String csv = "pattern,action,kind,roomId,wholeWord,note,alternatives\n"
                + "\"comma, word\",REJECT,LITERAL,,false,quoted,commaword|comma-word\n"
                + "csvregex[0-9]+,SHADOW,REGEX,csv-room,true,,\n"
                + "'=formula,MASK,LITERAL,csv-room,false,=note,\n";
        HttpResponse<String> csvImport = call("POST", urlA + "/rules/import", admin, "text/csv", csv);
        assertThat(csvImport.statusCode()).as(csvImport.body()).isEqualTo(200);
        assertThat(json(csvImport).get("imported").asInt()).isEqualTo(3);
        assertThat(json(call("GET", urlA + "/rules?roomId=csv-room", moderator, null, null)).get("items"))
                .extracting(item -> item.get("pattern").asText()).as("imported without the quote").contains("=formula");

        HttpResponse<String> bad = call("POST", urlA + "/rules/import", admin, "text/csv",
                "pattern,action\nfine,REJECT\n,REJECT\nother,EXPLODE\n");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad).get("errors")).extracting(e -> e.get("line").asInt()).containsExactly(3, 4);
        assertThat(json(bad).get("detail").asText()).contains("nothing was imported");
        assertThat(call("POST", urlA + "/rules/import", admin, "application/xml", "<x/>").statusCode()).isEqualTo(415);

        HttpResponse<String> export = call("GET", urlA + "/rules/export?format=csv", moderator, null, null);
        assertThat(export.statusCode()).isEqualTo(200);
        assertThat(export.body()).startsWith("pattern,action,kind,roomId,wholeWord,note,category,alternatives")
                .contains("commaword|comma-word").contains("'=formula,MASK").contains(",'=note,")
                .contains("importedword2999,MASK,LITERAL,import-room").contains("\"comma, word\"")
                .doesNotContain("configword");
        assertThat(call("GET", urlB + "/rules/export?format=text", moderator, null, null).body()).contains("importedword0\n");
    }

    @Test
    void roomSettingsMutesAndRecall() throws Exception {
        HttpResponse<String> settings = call("PUT", urlA + "/rooms/slow-room/settings", moderator, "application/json",
                "{\"slowModeSeconds\": 30, \"maxMessagesPerSecond\": 100}");
        assertThat(settings.statusCode()).as(settings.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(json(call("GET",
                urlB + "/rooms/slow-room/settings", moderator, null, null)).get("slowModeSeconds").asInt()).isEqualTo(30));
        assertThat(call("PUT", urlA + "/rooms/slow-room/settings", moderator, "application/json",
                "{\"slowModeSeconds\": -1}").statusCode()).isEqualTo(400);
        assertThat(call("PUT", urlA + "/rooms/bad%20room/settings", moderator, "application/json",
                "{}").statusCode()).isEqualTo(400);

        HttpResponse<String> mute = post(urlA + "/mutes", "{\"userId\": \"troll\", \"roomId\": \"slow-room\","
                + " \"durationSeconds\": 600, \"reason\": \"spam\"}");
        assertThat(mute.statusCode()).as(mute.body()).isEqualTo(201);
        assertThat(json(call("GET", urlA + "/mutes?roomId=slow-room", moderator, null, null)).get("items"))
                .extracting(m -> m.get("userId").asText()).containsExactly("troll");
        assertThat(post(urlA + "/mutes", "{\"userId\": \"x\"}").statusCode()).isEqualTo(400);
        assertThat(call("DELETE", urlA + "/mutes/troll?roomId=slow-room", moderator, null, null).statusCode()).isEqualTo(204);
        assertThat(json(call("GET", urlA + "/mutes?roomId=slow-room", moderator, null, null)).get("items")).isEmpty();

        HttpResponse<String> recall = post(urlB + "/recall", "{\"roomId\": \"slow-room\", \"msgId\": \"m-42\"}");
        assertThat(recall.statusCode()).as(recall.body()).isEqualTo(202);
        RoomEvent event = awaitEvent(e -> e.hasRecall() && e.getRecall().getMsgId().equals("m-42"));
        assertThat(event.getRecall().getRoomId()).isEqualTo("slow-room");
        assertThat(event.getRecall().getModeratorId()).isEqualTo("mod-1");
        assertThat(post(urlB + "/recall", "{\"roomId\": \"slow-room\"}").statusCode()).isEqualTo(400);
    }

    @Test
    void roomSettingsAndMutesAreEnforcedByThePipeline() throws Exception {
        assertThat(call("PUT", urlA + "/rooms/strict-room/settings", moderator, "application/json",
                "{\"slowModeSeconds\": 60}").statusCode()).isEqualTo(200);
        assertThat(post(urlA + "/mutes", "{\"userId\": \"muted-user\", \"roomId\": \"strict-room\","
                + " \"durationSeconds\": 600}").statusCode()).isEqualTo(201);
        // the room's partition may belong to either instance: wait until both have the changes
        await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> {
            assertThat(json(call("GET", urlB + "/rooms/strict-room/settings", moderator, null, null))
                    .get("slowModeSeconds").asInt()).isEqualTo(60);
            assertThat(json(call("GET", urlB + "/mutes?roomId=strict-room", moderator, null, null)).get("items")).hasSize(1);
        });

        long now = System.currentTimeMillis();
        sendRaw("strict-1", "fast-user", "first", now);
        sendRaw("strict-2", "fast-user", "second", now + 1000);
        sendRaw("strict-3", "muted-user", "hello", now);
        sendRaw("strict-4", "mod-user", "one", now, "moderator");
        sendRaw("strict-5", "mod-user", "two", now + 1, "moderator");
        producer.flush();

        Map<String, JudgedDanmaku> judged = new java.util.HashMap<>();
        while (judged.size() < 5) {
            RoomEvent event = awaitEvent(e -> e.hasDanmaku() && e.getDanmaku().getDanmaku().getMsgId().startsWith("strict-"));
            judged.put(event.getDanmaku().getDanmaku().getMsgId(), event.getDanmaku());
        }
        assertThat(judged.get("strict-1").getVerdict()).isEqualTo(Verdict.ACCEPTED);
        assertThat(judged.get("strict-2").getReason()).isEqualTo(Reason.SLOW_MODE);
        assertThat(judged.get("strict-3").getReason()).isEqualTo(Reason.MUTED);
        assertThat(judged.get("strict-4").getVerdict()).as("moderators are exempt").isEqualTo(Verdict.ACCEPTED);
        assertThat(judged.get("strict-5").getVerdict()).isEqualTo(Verdict.ACCEPTED);
    }

    private static void sendRaw(String msgId, String user, String text, long sentAtMs, String... roles) {
        RawDanmaku raw = RawDanmaku.newBuilder()
                .setDanmaku(Danmaku.newBuilder().setMsgId(msgId).setRoomId("strict-room").setUserId(user).setText(text)
                        .setSentAtMs(sentAtMs))
                .setOrigin(Origin.newBuilder().setClientMsgId("c-" + msgId).addAllRoles(List.of(roles))).build();
        producer.send(new ProducerRecord<>(clients.topics().raw(), "strict-room", raw.toByteArray()));
    }

    @Test
    void exposesTheFilterMetrics() throws Exception {
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(urlA.replace("/api/v1/moderation", "/metrics"))).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("danmaku_filter_rules").contains("danmaku_filter_rule_set_version")
                .contains("danmaku_filter_control_lag_records").contains("danmaku_filter_verdicts_total")
                .contains("danmaku_filter_transaction_commit_seconds").contains("danmaku_filter_matcher_rebuild_seconds")
                .contains("danmaku_filter_processing_seconds");
    }
}
