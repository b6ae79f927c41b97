package dev.danmaku.archiver.bench;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import dev.danmaku.archiver.Archiver;
import dev.danmaku.archiver.ArchiverConfig;
import dev.danmaku.archiver.api.ArchiveApi;
import dev.danmaku.archiver.store.ArchiveFilter;
import dev.danmaku.archiver.store.ArchiveStore;
import dev.danmaku.archiver.store.RoomQuery;
import dev.danmaku.common.auth.Identity;
import dev.danmaku.common.auth.Tokens;
import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.config.SettingValues;
import dev.danmaku.common.http.HttpServer;
import dev.danmaku.common.http.Routes;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.Mode;
import dev.danmaku.proto.v1.RoomEvent;
import dev.danmaku.proto.v1.Verdict;
import dev.danmaku.testkit.DanmakuIT;
import dev.danmaku.testkit.KafkaCluster;
import dev.danmaku.testkit.PostgresDatabase;
import dev.danmaku.testkit.TestSecrets;

/**
 * The archive's figures on the real PostgreSQL: ingest rows/s (store batches, and Kafka to
 * database), export rows/s, first-page query latency on a big table. Not part of the build (the
 * name matches neither test pattern); run it on purpose:
 *
 * <pre>
 * ./mvnw -pl archiver -am verify -Dtest=ArchiveBenchmark -Dit.test=none \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
 *     [-Dbench.phases=ingest,kafka,export,query] [-Dbench.queryRows=10000000]
 * </pre>
 */
@DanmakuIT
class ArchiveBenchmark {

    private static final int BATCH = Integer.getInteger("bench.batch", 2_000);
    private static final long INGEST_ROWS = Long.getLong("bench.ingestRows", 400_000);
    private static final long KAFKA_ROWS = Long.getLong("bench.kafkaRows", 300_000);
    private static final long EXPORT_ROWS = Long.getLong("bench.exportRows", 1_000_000);
    private static final long QUERY_ROWS = Long.getLong("bench.queryRows", 2_000_000);
    private static final int QUERY_ROOMS = 100;
    private static final long DAY = 86_400_000L;

    @Test
    @org.junit.jupiter.api.Timeout(value = 30, unit = TimeUnit.MINUTES)
    void measure(KafkaCluster kafka, PostgresDatabase database) throws Exception {
        List<String> report = new ArrayList<>();
        Set<String> phases = Set.of(System.getProperty("bench.phases", "ingest,kafka,export,query").split(","));
        try (ArchiveStore store = ArchiveStore.open(database.jdbcUrl(), database.user(), database.password(), 4)) {
            if (Boolean.getBoolean("bench.withoutUserIndex")) {
                try (Connection connection = store.dataSource().getConnection();
                     Statement statement = connection.createStatement()) {
                    statement.execute("DROP INDEX danmaku_room_user_time");
                }
            }
            if (phases.contains("ingest")) {
                report.add(storeIngest(store));
            }
            if (phases.contains("kafka")) {
                report.add(kafkaIngest(kafka, database));
            }
            if (phases.contains("export")) {
                report.addAll(export(store));
            }
            if (phases.contains("query")) {
                report.addAll(firstPage(store));
            }
        }
        System.out.println();
        System.out.println("== archive benchmark (" + Runtime.getRuntime().availableProcessors() + " cores, "
                + Instant.now() + ") ==");
        report.forEach(System.out::println);
    }

    private static JudgedDanmaku judged(String msgId, String room, long sentAtMs, int i) {
        return JudgedDanmaku.newBuilder().setVerdict(i % 20 == 0 ? Verdict.REJECTED : Verdict.ACCEPTED).setRuleSetVersion(1)
                .setDanmaku(Danmaku.newBuilder().setMsgId(msgId).setRoomId(room).setUserId("user" + (i % 5000))
                        .setUserName("User " + (i % 5000)).setText("a danmaku of typical length #" + i).setColor(0xFFFFFF)
                        .setMode(Mode.SCROLL).setFontSize(25).setSentAtMs(sentAtMs).setVideoOffsetMs(i)).build();
    }

    /** ArchiveStore.write in batches of 2 000 (what ingest does per poll), one thread; batches built beforehand. */
    private static String storeIngest(ArchiveStore store) throws Exception {
        long base = System.currentTimeMillis();
        List<List<ArchiveStore.Incoming>> batches = new ArrayList<>();
        for (long n = 0; n < INGEST_ROWS; ) {
            List<ArchiveStore.Incoming> batch = new ArrayList<>(BATCH);
            for (int i = 0; i < BATCH; i++, n++) {
                // msgIds as gateways make them: UUIDv7, time-ordered
                String msgId = new UUID(((base + n / 16) << 16) | 0x7000 | (n & 0xFFF), 0x8000_0000_0000_0000L | n).toString();
                batch.add(new ArchiveStore.Incoming(judged(msgId, "bench-room-" + (n % 50), base + n / 16, (int) n), 0, n));
            }
            batches.add(batch);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        long written = 0;
        long start = System.nanoTime();
        for (List<ArchiveStore.Incoming> batch : batches) {
            if (System.nanoTime() > deadline) {
                break;
            }
            store.write(batch, List.of());
            written += batch.size();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return String.format("ingest, store batches of %d: %,d rows in %.1f s = %,.0f rows/s", BATCH, written, seconds,
                written / seconds);
    }

    /** Verdicts already in Kafka, then an archiver started: time until the last one is stored. */
    private static String kafkaIngest(KafkaCluster kafka, PostgresDatabase database) throws Exception {
        String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        CommonConfig common = CommonConfig.from(SettingValues.of(CommonConfig.SETTINGS, Map.of("DANMAKU_JWT_SECRET", TestSecrets.JWT,
                "DANMAKU_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(), "DANMAKU_TOPIC_PREFIX", prefix,
                "DANMAKU_TOPIC_PARTITIONS", "6")));
        String topic = prefix + "danmaku.filtered.v1";
        String run = "kb" + UUID.randomUUID().toString().substring(0, 6);
        Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        new dev.danmaku.common.kafka.KafkaClients(common).createMissingTopics(Duration.ofSeconds(30));
        long base = System.currentTimeMillis();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < KAFKA_ROWS; i++) {
                String room = run + "-" + (i % 60);
                producer.send(new ProducerRecord<>(topic, room, RoomEvent.newBuilder()
                        .setDanmaku(judged(run + ":" + i, room, base + i, i)).build().toByteArray()));
            }
            producer.flush();
        }
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(120);
        long stored = 0;
        long firstSeen = 0;
        long storedAtFirstSeen = 0;
        try (Archiver archiver = Archiver.start(new ArchiverConfig(common, 0, database.jdbcUrl(), database.user(),
                database.password(), 4), new SimpleMeterRegistry());
             Connection connection = java.sql.DriverManager.getConnection(database.jdbcUrl(), database.user(),
                     database.password());
             PreparedStatement count = connection.prepareStatement("SELECT COUNT(*) FROM danmaku WHERE msg_id LIKE ?")) {
            count.setString(1, run + ":%");
            while (stored < KAFKA_ROWS && System.nanoTime() < deadline) {
                Thread.sleep(250);
                try (var rs = count.executeQuery()) {
                    rs.next();
                    stored = rs.getLong(1);
                }
                if (firstSeen == 0 && stored > 0) {
                    firstSeen = System.nanoTime();
                    storedAtFirstSeen = stored;
                }
            }
        }
        long end = System.nanoTime();
        double seconds = (end - start) / 1e9;
        double steady = (end - firstSeen) / 1e9;
        return String.format("ingest, Kafka -> archiver -> PostgreSQL (6 partitions, batch 2000): %,d rows in %.1f s"
                + " incl. start-up = %,.0f rows/s; after the first row: %,.0f rows/s", stored, seconds, stored / seconds,
                (stored - storedAtFirstSeen) / steady);
    }

    private static List<String> export(ArchiveStore store) throws Exception {
        String room = "bench-export";
        long day = Instant.parse("2026-07-01T00:00:00Z").toEpochMilli();
        generate(store, room, day, EXPORT_ROWS, 50, 1);
        List<String> lines = new ArrayList<>();
        ArchiveFilter filter = ArchiveFilter.wholeRoom(room);
        long start = System.nanoTime();
        long rows = store.stream(filter, row -> { });
        double seconds = (System.nanoTime() - start) / 1e9;
        lines.add(String.format("export, database cursor only: %,d rows in %.1f s = %,.0f rows/s", rows, seconds,
                rows / seconds));

        ArchiveApi api = new ArchiveApi(store, new SimpleMeterRegistry(), 1);
        Tokens tokens = new Tokens(TestSecrets.JWT);
        HttpServer server = HttpServer.start("127.0.0.1", 0, Routes.withProbes(() -> true,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).prefix(ArchiveApi.PREFIX, api.handler(tokens)).handler());
        try {
            String token = tokens.issue("bench", "Bench", Set.of(Identity.ANALYST), Duration.ofMinutes(30));
            for (String format : List.of("ndjson", "csv")) {
                HttpClient http = HttpClient.newHttpClient();
                long begin = System.nanoTime();
                HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + server.port() + ArchiveApi.PREFIX + "/rooms/" + room + "/export?format=" + format))
                        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofInputStream());
                long bytes = 0;
                long newlines = 0;
                byte[] buffer = new byte[64 * 1024];
                try (InputStream body = response.body()) {
                    int read;
                    while ((read = body.read(buffer)) >= 0) {
                        bytes += read;
                        for (int i = 0; i < read; i++) {
                            if (buffer[i] == '\n') {
                                newlines++;
                            }
                        }
                    }
                }
                double took = (System.nanoTime() - begin) / 1e9;
                long exported = format.equals("csv") ? newlines - 1 : newlines;
                lines.add(String.format("export, HTTP %s: %,d rows (%,d MB) in %.1f s = %,.0f rows/s", format, exported,
                        bytes / 1_000_000, took, exported / took));
            }
            if (new java.io.File("/usr/bin/curl").canExecute()) {
                for (String format : List.of("ndjson", "csv")) {
                    // a client in its own process, as an analyst's would be
                    long begin = System.nanoTime();
                    Process curl = new ProcessBuilder("/usr/bin/curl", "-sS", "-o", "/dev/null", "-w", "%{size_download}",
                            "-H", "Authorization: Bearer " + token, "http://127.0.0.1:" + server.port() + ArchiveApi.PREFIX
                                    + "/rooms/" + room + "/export?format=" + format).redirectErrorStream(true).start();
                    String size = new String(curl.getInputStream().readAllBytes()).trim();
                    curl.waitFor();
                    double took = (System.nanoTime() - begin) / 1e9;
                    lines.add(String.format("export, HTTP %s to curl: %,d rows (%s bytes) in %.1f s = %,.0f rows/s", format,
                            rows, size, took, rows / took));
                }
            }
        } finally {
            server.close();
            api.close();
        }
        return lines;
    }

    /** First page (100 rows) of one room in a one-hour window of a big table spread over days and rooms. */
    private static List<String> firstPage(ArchiveStore store) throws Exception {
        long base = Instant.parse("2026-08-01T00:00:00Z").toEpochMilli();
        long spacing = 10 * DAY / QUERY_ROWS; // ten days of danmaku
        long start = System.nanoTime();
        generate(store, null, base, QUERY_ROWS, spacing, QUERY_ROOMS);
        double loadSeconds = (System.nanoTime() - start) / 1e9;
        try (Connection connection = store.dataSource().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("ANALYZE danmaku");
        }
        List<String> lines = new ArrayList<>();
        lines.add(String.format("query table: %,d rows over 10 daily partitions, %d rooms (loaded in %.0f s)", QUERY_ROWS,
                QUERY_ROOMS, loadSeconds));
        for (String kind : List.of("room+hour", "room+hour+user", "room+hour+text", "room+hour, page 50")) {
            long[] micros = new long[300];
            for (int i = 0; i < micros.length; i++) {
                String room = "q-room-" + (i * 7 % QUERY_ROOMS);
                long from = base + (i % 9) * DAY + (i % 23) * 3_600_000L;
                ArchiveFilter filter = switch (kind) {
                    case "room+hour+user" -> new ArchiveFilter(room, from, from + 3_600_000L, Set.of(), "user" + (i % 5000),
                            null);
                    case "room+hour+text" -> new ArchiveFilter(room, from, from + 3_600_000L, Set.of(), null, "number 1");
                    default -> new ArchiveFilter(room, from, from + 3_600_000L, Set.of(), null, null);
                };
                RoomQuery.Position after = kind.endsWith("page 50") ? new RoomQuery.Position(from + 1_800_000L, "") : null;
                long begin = System.nanoTime();
                store.query(new RoomQuery(filter, 100, after));
                micros[i] = (System.nanoTime() - begin) / 1_000;
            }
            Arrays.sort(micros);
            lines.add(String.format("first page, %s: p50 %.1f ms, p99 %.1f ms, max %.1f ms (300 queries)", kind,
                    micros[150] / 1000.0, micros[296] / 1000.0, micros[299] / 1000.0));
        }
        return lines;
    }

    /** Rows made by the database itself (fast), every {@code spacingMs} from {@code base}, over {@code rooms} rooms. */
    private static void generate(ArchiveStore store, String room, long base, long rows, long spacingMs, int rooms)
            throws Exception {
        store.prepareDays(base, (int) (rows * spacingMs / DAY) + 1);
        try (Connection connection = store.dataSource().getConnection();
             PreparedStatement insert = connection.prepareStatement("""
                     INSERT INTO danmaku (msg_id, room_id, user_id, user_name, text, color, mode, font_size, sent_at_ms,
                                          video_offset_ms, verdict, rule_set_version, kafka_partition, kafka_offset)
                     SELECT 'g' || ? || lpad(g::text, 9, '0'), COALESCE(?, 'q-room-' || (g % ?)), 'user' || (g % 5000),
                            'User ' || (g % 5000), 'a danmaku with some typical text, number ' || g, 16777215, 'SCROLL', 25,
                            ? + g * ?, g, CASE WHEN g % 20 = 0 THEN 'REJECTED' ELSE 'ACCEPTED' END, 1, 0, g
                     FROM generate_series(1, ?) AS g""")) {
            insert.setString(1, room == null ? "q" : room);
            insert.setString(2, room);
            insert.setInt(3, rooms);
            insert.setLong(4, base);
            insert.setLong(5, spacingMs);
            insert.setLong(6, rows);
            insert.setQueryTimeout(0);
            insert.executeUpdate();
        }
    }
}
