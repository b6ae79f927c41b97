package dev.danmaku.archiver.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

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
import dev.danmaku.proto.v1.Verdict;
import dev.danmaku.testkit.DanmakuIT;
import dev.danmaku.testkit.PostgresDatabase;
import dev.danmaku.testkit.TestSecrets;

/**
 * The replay WebSocket against the real PostgreSQL, with the JDK's WebSocket client: original
 * timing × speed (±50 ms per message), pause / resume / seek / speed, VOD order, refusals.
 */
@DanmakuIT
class ReplayIT {

    private static final Tokens TOKENS = new Tokens(TestSecrets.JWT);
    private static final long T0 = 1_790_000_000_000L;
    private static final long TOLERANCE_MS = 50;
    /** Send-time offsets of the timing room's danmaku, in ms from the first. */
    private static final long[] OFFSETS = {0, 120, 130, 400, 750, 1000, 1600};
    private static final String TIMING = "replay-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String LONG = TIMING + "-long";
    private static final String VOD = TIMING + "-vod";

    private static ArchiveStore store;
    private static ArchiveApi api;
    private static HttpServer server;
    private static String base;

    @BeforeAll
    static void start(PostgresDatabase database) throws Exception {
        store = ArchiveStore.open(database.jdbcUrl(), database.user(), database.password(), 4);
        api = new ArchiveApi(store, new SimpleMeterRegistry(), 3);
        server = HttpServer.start("127.0.0.1", 0, Routes.withProbes(() -> true,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).prefix(ArchiveApi.PREFIX, api.handler(TOKENS)).handler());
        base = "ws://127.0.0.1:" + server.port() + ArchiveApi.PREFIX;
        List<ArchiveStore.Incoming> rows = new ArrayList<>();
        for (int i = 0; i < OFFSETS.length; i++) {
            rows.add(ArchiveApiIT.row(TIMING, "t" + i, T0 + OFFSETS[i], Verdict.ACCEPTED, "u", "t" + i, 0));
        }
        for (int i = 0; i < 40; i++) { // one every 300 ms for 12 s
            rows.add(ArchiveApiIT.row(LONG, String.format("l%02d", i), T0 + i * 300L, Verdict.ACCEPTED, "u", "l" + i, 0));
        }
        // sent in one order, placed in the video in another
        rows.add(ArchiveApiIT.row(VOD, "a", T0, Verdict.ACCEPTED, "u", "a", 3000));
        rows.add(ArchiveApiIT.row(VOD, "b", T0 + 100, Verdict.ACCEPTED, "u", "b", 1000));
        rows.add(ArchiveApiIT.row(VOD, "c", T0 + 200, Verdict.ACCEPTED, "u", "c", 2000));
        store.write(rows, List.of());
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

    private static String analyst() {
        return TOKENS.issue("ana", "Ana", Set.of(Identity.ANALYST), Duration.ofMinutes(5));
    }

    /** What a browser does before it opens a replay: asks for a ticket with its token. */
    private static HttpResponse<String> askForTicket(String bearer) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base.replace("ws://", "http://")
                        + "/replay-tickets")).header("Authorization", "Bearer " + bearer)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String ticket() throws Exception {
        HttpResponse<String> answer = askForTicket(analyst());
        assertThat(answer.statusCode()).isEqualTo(201);
        JsonNode body = Json.MAPPER.readTree(answer.body());
        assertThat(body.get("expiresInSeconds").asLong()).isEqualTo(60);
        return body.get("ticket").asText();
    }

    /** A frame and when it arrived. */
    record Frame(long nanos, JsonNode json) {
        String type() {
            return json.get("type").asText();
        }
    }

    /** A real WebSocket client that queues every text frame with its arrival time. */
    static final class ReplayClient implements WebSocket.Listener, AutoCloseable {
        final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        WebSocket socket;

        static ReplayClient connect(String url, String bearer) throws Exception {
            ReplayClient client = new ReplayClient();
            WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder();
            if (bearer != null) {
                builder.header("Authorization", "Bearer " + bearer);
            }
            client.socket = builder.buildAsync(URI.create(url), client).get(10, TimeUnit.SECONDS);
            return client;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            long now = System.nanoTime();
            partial.append(data);
            if (last) {
                try {
                    frames.add(new Frame(now, Json.MAPPER.readTree(partial.toString())));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        Frame next(String type, Duration within) throws InterruptedException {
            long deadline = System.nanoTime() + within.toNanos();
            while (true) {
                Frame frame = frames.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (frame == null) {
                    throw new AssertionError("no " + type + " frame within " + within);
                }
                if (frame.type().equals(type)) {
                    return frame;
                }
            }
        }

        void send(String json) {
            socket.sendText(json, true).join();
        }

        @Override
        public void close() {
            socket.abort();
        }
    }

    private void assertOriginalTiming(double speed) throws Exception {
        try (ReplayClient client = ReplayClient.connect(base + "/rooms/" + TIMING + "/replay?speed=" + speed, analyst())) {
            List<Frame> danmaku = new ArrayList<>();
            for (int i = 0; i < OFFSETS.length; i++) {
                danmaku.add(client.next("danmaku", Duration.ofSeconds(10)));
            }
            long first = danmaku.get(0).nanos();
            for (int i = 0; i < OFFSETS.length; i++) {
                long arrivedMs = TimeUnit.NANOSECONDS.toMillis(danmaku.get(i).nanos() - first);
                long expectedMs = Math.round(OFFSETS[i] / speed);
                assertThat(arrivedMs).as("danmaku %d at speed %s", i, speed).isBetween(expectedMs - TOLERANCE_MS,
                        expectedMs + TOLERANCE_MS);
                assertThat(danmaku.get(i).json().get("danmaku").get("text").asText()).isEqualTo("t" + i);
            }
            assertThat(client.next("state", Duration.ofSeconds(2)).json().get("state").asText()).isEqualTo("ended");
        }
    }

    @Test
    void playsAtTheOriginalPace() throws Exception {
        assertOriginalTiming(1);
    }

    @Test
    void playsFourTimesFaster() throws Exception {
        assertOriginalTiming(4);
    }

    @Test
    void pausesResumesSeeksAndChangesSpeed() throws Exception {
        try (ReplayClient client = ReplayClient.connect(base + "/rooms/" + LONG + "/replay?ticket=" + ticket(), null)) {
            assertThat(client.next("state", Duration.ofSeconds(5)).json().get("state").asText()).isEqualTo("playing");
            assertThat(client.next("danmaku", Duration.ofSeconds(5)).json().get("positionMs").asLong()).isEqualTo(T0);

            client.send("{\"type\":\"pause\"}");
            Frame paused = client.next("state", Duration.ofSeconds(2));
            assertThat(paused.json().get("state").asText()).isEqualTo("paused");
            Thread.sleep(700);
            assertThat(client.frames).as("nothing plays while paused").isEmpty();

            client.send("{\"type\":\"resume\"}");
            assertThat(client.next("state", Duration.ofSeconds(2)).json().get("state").asText()).isEqualTo("playing");
            assertThat(client.next("danmaku", Duration.ofSeconds(2)).json().get("positionMs").asLong()).isEqualTo(T0 + 300);

            client.send("{\"type\":\"seek\",\"positionMs\":" + (T0 + 9000) + "}");
            Frame seeked = client.next("state", Duration.ofSeconds(2));
            assertThat(seeked.json().get("positionMs").asLong()).isEqualTo(T0 + 9000);
            Frame atSeek = client.next("danmaku", Duration.ofSeconds(2));
            assertThat(atSeek.json().get("positionMs").asLong()).isEqualTo(T0 + 9000);
            assertThat(TimeUnit.NANOSECONDS.toMillis(atSeek.nanos() - seeked.nanos())).isLessThan(TOLERANCE_MS);

            client.send("{\"type\":\"speed\",\"speed\":4}");
            assertThat(client.next("state", Duration.ofSeconds(2)).json().get("speed").asDouble()).isEqualTo(4.0);
            Frame a = client.next("danmaku", Duration.ofSeconds(2));
            Frame b = client.next("danmaku", Duration.ofSeconds(2));
            assertThat(b.json().get("positionMs").asLong() - a.json().get("positionMs").asLong()).isEqualTo(300);
            assertThat(TimeUnit.NANOSECONDS.toMillis(b.nanos() - a.nanos())).isBetween(75 - TOLERANCE_MS, 75 + TOLERANCE_MS);

            client.send("{\"type\":\"speed\",\"speed\":1000}");
            assertThat(client.next("error", Duration.ofSeconds(2)).json().get("detail").asText()).contains("speed");
            client.send("{\"type\":\"rewind\"}");
            assertThat(client.next("error", Duration.ofSeconds(2)).json().get("detail").asText()).contains("type");
            client.send("not json");
            assertThat(client.next("error", Duration.ofSeconds(2)).json().get("detail").asText()).contains("JSON");
            client.send("{\"type\":\"seek\",\"positionMs\":\"later\"}");
            assertThat(client.next("error", Duration.ofSeconds(2)).json().get("detail").asText()).contains("positionMs");
            // still playing after bad frames
            assertThat(client.next("danmaku", Duration.ofSeconds(2))).isNotNull();
        }
    }

    @Test
    void vodModeFollowsTheVideoPosition() throws Exception {
        try (ReplayClient client = ReplayClient.connect(base + "/rooms/" + VOD + "/replay?mode=vod&speed=10", analyst())) {
            List<String> order = new ArrayList<>();
            List<Long> positions = new ArrayList<>();
            List<Long> arrivals = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Frame frame = client.next("danmaku", Duration.ofSeconds(5));
                order.add(frame.json().get("danmaku").get("text").asText());
                positions.add(frame.json().get("positionMs").asLong());
                arrivals.add(frame.nanos());
            }
            assertThat(order).containsExactly("b", "c", "a");
            assertThat(positions).containsExactly(1000L, 2000L, 3000L);
            // 1000 ms of video at speed 10: 100 ms apart
            assertThat(TimeUnit.NANOSECONDS.toMillis(arrivals.get(2) - arrivals.get(0))).isBetween(200 - TOLERANCE_MS,
                    200 + TOLERANCE_MS);
        }
    }

    @Test
    void aClientThatSendsControlsAndReadsNothingIsCutOff() throws Exception {
        String flood = TIMING + "-flood";
        List<ArchiveStore.Incoming> rows = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) { // all due at once, more than the socket buffers hold
            rows.add(ArchiveApiIT.row(flood, "f" + i, T0, Verdict.ACCEPTED, "u", "x".repeat(400), 0));
            if (rows.size() == 2000) {
                store.write(rows, List.of());
                rows.clear();
            }
        }
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Authorization", "Bearer " + analyst())
                .buildAsync(URI.create(base + "/rooms/" + flood + "/replay"), new WebSocket.Listener() {
                    @Override
                    public void onOpen(WebSocket webSocket) {
                        // never asks for a frame: reads nothing
                    }
                }).get(10, TimeUnit.SECONDS);

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int sent = 0;
        boolean cut = false;
        while (!cut && System.nanoTime() < deadline) {
            try {
                socket.sendText("{\"type\":\"speed\",\"speed\":2}", true).get(5, TimeUnit.SECONDS);
                sent++;
                Thread.sleep(5);
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                cut = true;
            }
        }
        assertThat(cut).as("cut off after %d control frames", sent).isTrue();
        assertThat(sent).isGreaterThanOrEqualTo(64);
        socket.abort();
    }

    @Test
    void refusesStrangersBeforeTheUpgrade() throws Exception {
        assertThatThrownBy(() -> ReplayClient.connect(base + "/rooms/" + TIMING + "/replay", null))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(WebSocketHandshakeException.class)
                .satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse().statusCode()).isEqualTo(401));
        String viewer = TOKENS.issue("v", "V", Set.of(Identity.VIEWER), Duration.ofMinutes(1));
        assertThat(askForTicket(viewer).statusCode()).as("a viewer gets no ticket").isEqualTo(403);
        String ticket = ticket();
        for (String forged : List.of(ticket.substring(0, ticket.length() - 2) + "xx", "not-a-ticket")) {
            assertThatThrownBy(() -> ReplayClient.connect(base + "/rooms/" + TIMING + "/replay?ticket=" + forged, null))
                    .as(forged).cause().satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse()
                            .statusCode()).isEqualTo(401));
        }
        assertThatThrownBy(() -> ReplayClient.connect(base + "/rooms/" + TIMING + "/replay?access_token=" + analyst(), null))
                .as("a token in the URL is no longer taken").cause().satisfies(e -> assertThat(
                        ((WebSocketHandshakeException) e).getResponse().statusCode()).isEqualTo(401));
        assertThatThrownBy(() -> ReplayClient.connect(base + "/rooms/" + TIMING + "/replay?speed=0", analyst()))
                .cause().satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse().statusCode())
                        .isEqualTo(400));
    }

    @Test
    void refusesMoreReplaysThanAllowed() throws Exception {
        List<ReplayClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                ReplayClient client = ReplayClient.connect(base + "/rooms/" + LONG + "/replay?speed=0.1", analyst());
                client.next("state", Duration.ofSeconds(5));
                open.add(client);
            }
            assertThatThrownBy(() -> ReplayClient.connect(base + "/rooms/" + LONG + "/replay", analyst()))
                    .cause().satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse().statusCode())
                            .isEqualTo(503));
        } finally {
            open.forEach(ReplayClient::close);
            Thread.sleep(300); // the server counts a replay closed once it sees the socket go
        }
    }
}
