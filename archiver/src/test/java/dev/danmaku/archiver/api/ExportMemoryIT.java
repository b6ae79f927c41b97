package dev.danmaku.archiver.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.danmaku.archiver.store.ArchiveStore;
import dev.danmaku.common.auth.Identity;
import dev.danmaku.common.auth.Tokens;
import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.testkit.ChildJvm;
import dev.danmaku.testkit.DanmakuIT;
import dev.danmaku.testkit.PostgresDatabase;
import dev.danmaku.testkit.TestSecrets;

/**
 * Export of 1 M rows from a JVM whose heap (48 MB) is a fraction of the export's size: it only
 * completes if rows stream from the database cursor to the socket without piling up. The
 * server's heap is also sampled from its /metrics while the export runs. Then: exports take half the
 * server's pool of two connections at most, so a reader that stops reading holds the only slot, until
 * the listener's write timeout cuts it off.
 */
@DanmakuIT
class ExportMemoryIT {

    private static final int ROWS = 1_000_000;
    private static final String HEAP_MB = "48";
    private static final int WRITE_TIMEOUT_SECONDS = 3;
    private static final Pattern HEAP_USED = Pattern.compile("jvm_memory_used_bytes\\{area=\"heap\",id=\"[^\"]+\"} ([0-9.E+]+)");

    @Test
    void exportsAMillionRowsInConstantMemoryAndOnlyAsManyAtOnceAsThePoolAllows(PostgresDatabase database) throws Exception {
        String room = "export-big";
        long day = Instant.parse("2026-06-01T00:00:00Z").toEpochMilli();
        long started = System.nanoTime();
        try (ArchiveStore store = ArchiveStore.open(database.jdbcUrl(), database.user(), database.password(), 2)) {
            store.prepareDays(day, 0);
            try (Connection connection = store.dataSource().getConnection();
                 PreparedStatement insert = connection.prepareStatement("""
                         INSERT INTO danmaku (msg_id, room_id, user_id, user_name, text, color, mode, font_size, sent_at_ms,
                                              video_offset_ms, verdict, rule_set_version, kafka_partition, kafka_offset)
                         SELECT 'm' || lpad(g::text, 8, '0'), ?, 'user' || (g % 1000), 'User ' || (g % 1000),
                                'a danmaku with some typical text, number ' || g, 16777215, 'SCROLL', 25, ? + g * 50,
                                g * 50, 'ACCEPTED', 1, 0, g
                         FROM generate_series(1, ?) AS g""")) {
                insert.setString(1, room);
                insert.setLong(2, day);
                insert.setInt(3, ROWS);
                insert.executeUpdate();
            }
        }

        long inserted = System.nanoTime();
        Path log = Path.of("target", "export-child.log");
        Process child = new ProcessBuilder(ChildJvm.command(List.of("-Xmx" + HEAP_MB + "m"), ExportServerChild.class,
                database.jdbcUrl(), database.user(), database.password(), Integer.toString(WRITE_TIMEOUT_SECONDS)))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            int port = await().atMost(Duration.ofSeconds(60)).until(() -> port(log, child), p -> p > 0);
            String token = new Tokens(TestSecrets.JWT).issue("ana", "Ana", Set.of(Identity.ANALYST),
                    Duration.ofMinutes(5));
            HttpClient http = HttpClient.newHttpClient();
            long exportStarted = System.nanoTime();
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/api/v1/archive/rooms/" + room + "/export?format=ndjson"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);

            long lines = 0;
            long chars = 0;
            double maxHeapMb = 0;
            String last = null;
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    lines++;
                    chars += line.length() + 1;
                    last = line;
                    if (lines % 200_000 == 0) {
                        maxHeapMb = Math.max(maxHeapMb, heapUsedMb(http, port));
                    }
                }
            }
            long exported = System.nanoTime();
            System.out.printf("Inserted %d rows in %d ms; exported them in %d ms%n", ROWS,
                    TimeUnit.NANOSECONDS.toMillis(inserted - started), TimeUnit.NANOSECONDS.toMillis(exported - exportStarted));
            assertThat(lines).isEqualTo(ROWS);
            assertThat(last).contains("\"msgId\":\"m01000000\"");
            assertThat(chars / 1_000_000).as("MB exported, far beyond the heap").isGreaterThan(5L * Integer.parseInt(HEAP_MB));
            assertThat(maxHeapMb).as("heap used while exporting, MB").isPositive().isLessThan(Double.parseDouble(HEAP_MB));
            System.out.printf("Exported %d rows (%d MB) from a %s MB heap; heap used at most %.1f MB%n", lines,
                    chars / 1_000_000, HEAP_MB, maxHeapMb);

            URI export = URI.create("http://127.0.0.1:" + port + "/api/v1/archive/rooms/" + room + "/export?format=csv");
            HttpRequest exportRequest = HttpRequest.newBuilder(export).header("Authorization", "Bearer " + token).build();
            HttpResponse<InputStream> stalled = http.send(exportRequest, HttpResponse.BodyHandlers.ofInputStream());
            assertThat(stalled.statusCode()).isEqualTo(200);
            assertThat(stalled.body().readNBytes(100)).hasSize(100); // it runs, and its reader stops reading

            HttpResponse<String> refused = http.send(exportRequest, HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("5");
            assertThat(refused.body()).contains("all 1 export slots are in use");

            // the reader stays connected and reads nothing: the write timeout frees its slot
            HttpRequest small = HttpRequest.newBuilder(URI.create(export + "&to=" + (day + 1000)))
                    .header("Authorization", "Bearer " + token).build();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                    assertThat(http.send(small, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200));
            stalled.body().close();
        } finally {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static int port(Path log, Process child) throws Exception {
        if (!child.isAlive()) {
            throw new AssertionError("export server exited early; see " + log.toAbsolutePath());
        }
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            if (line.startsWith("PORT ")) {
                return Integer.parseInt(line.substring(5).trim());
            }
        }
        return 0;
    }

    private static double heapUsedMb(HttpClient http, int port) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher matcher = HEAP_USED.matcher(metrics);
        double bytes = 0;
        while (matcher.find()) {
            bytes += Double.parseDouble(matcher.group(1));
        }
        return bytes / 1_000_000;
    }
}
