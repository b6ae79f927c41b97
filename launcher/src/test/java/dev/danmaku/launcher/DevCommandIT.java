package dev.danmaku.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import dev.danmaku.common.auth.Tokens;
import dev.danmaku.common.http.Json;
import dev.danmaku.proto.v1.ClientFrame;
import dev.danmaku.proto.v1.Join;
import dev.danmaku.proto.v1.Send;
import dev.danmaku.proto.v1.ServerFrame;
import dev.danmaku.proto.v1.Verdict;
import dev.danmaku.testkit.ViewerClient;

/** {@code danmaku dev} run in-process, as a user would start it: its own broker, H2 under the data directory. */
class DevCommandIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern GATEWAY = Pattern.compile("http://localhost:(\\d+)/\\?room=lobby");

    @Test
    void startsServesThePageAndCarriesADanmakuAcrossItsTwoGateways(@TempDir Path dataDir) throws Exception {
        StringWriter output = new StringWriter();
        CommandLine command = Danmaku.commandLine();
        command.setOut(new PrintWriter(output, true));
        AtomicInteger exitCode = new AtomicInteger(-1);
        Thread dev = new Thread(() -> exitCode.set(command.execute("dev", "--port", "0", "--kafka-port", "0",
                "--gateways", "2", "--data-dir", dataDir.toString(), "--filter-blocked-words", "badword")), "dev");
        dev.start();
        try {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!output.toString().contains("Press Ctrl-C") && System.nanoTime() < deadline && dev.isAlive()) {
                Thread.sleep(100);
            }
            assertThat(output.toString()).contains("danmaku dev is ready");
            Matcher ports = GATEWAY.matcher(output.toString());
            assertThat(ports.find()).isTrue();
            int first = Integer.parseInt(ports.group(1));
            assertThat(ports.find()).isTrue();
            int second = Integer.parseInt(ports.group(1));

            HttpClient http = HttpClient.newHttpClient();
            assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + first + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + second + "/readyz")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + first + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("content-type").orElse("")).startsWith("text/html");
            String token = Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + first + "/api/v1/dev/token?user=alice")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).get("token").asText();

            try (ViewerClient alice = ViewerClient.connect("ws://127.0.0.1:" + first + "/ws", null);
                 ViewerClient bob = ViewerClient.connect("ws://127.0.0.1:" + second + "/ws", null)) {
                alice.send(ClientFrame.newBuilder().setJoin(Join.newBuilder().setRoomId("lobby").setToken(token)).build());
                bob.send(ClientFrame.newBuilder().setJoin(Join.newBuilder().setRoomId("lobby")).build());
                alice.await(ServerFrame::hasJoined, WAIT);
                bob.await(ServerFrame::hasJoined, WAIT);
                alice.send(ClientFrame.newBuilder().setSend(Send.newBuilder().setClientMsgId("c1").setText("hi")).build());
                ServerFrame ack = alice.await(ServerFrame::hasAck, WAIT);
                assertThat(ack.getAck().getVerdict()).isEqualTo(Verdict.ACCEPTED);
                bob.await(f -> f.hasBatch() && f.getBatch().getDanmaku(0).getMsgId().equals(ack.getAck().getMsgId()), WAIT);
            }
            // no built-in secret: this data directory's own, which signed the dev token
            String secret = Files.readString(dataDir.resolve(DevSecret.FILE));
            assertThat(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isGreaterThanOrEqualTo(32);
            assertThat(new Tokens(secret).verify(token).userId()).isEqualTo("alice");
            assertThat(Files.exists(dataDir.resolve("kafka"))).isTrue();
            assertThat(Files.list(dataDir.resolve("archive")).anyMatch(p -> p.toString().endsWith(".mv.db"))).isTrue();
        } finally {
            dev.interrupt();
            dev.join(Duration.ofSeconds(30).toMillis());
        }
        assertThat(dev.isAlive()).isFalse();
        assertThat(exitCode.get()).as("exit code after Ctrl-C-like stop").isIn(0, 1);
    }

    @Test
    void aBadSettingIsOneClearLineAndExitCode2(@TempDir Path dataDir) {
        StringWriter errors = new StringWriter();
        CommandLine command = Danmaku.commandLine();
        command.setErr(new PrintWriter(errors, true));
        Path untouched = dataDir.resolveSibling("never-written-" + System.nanoTime());
        int exit = command.execute("dev", "--gateways", "many", "--data-dir", untouched.toString());
        assertThat(exit).isEqualTo(2);
        assertThat(errors.toString()).contains("DANMAKU_DEV_GATEWAYS").contains("--gateways").contains("many")
                .doesNotContain("Exception");
        assertThat(untouched).as("a refused start writes no secret").doesNotExist();
    }

    @Test
    void noServiceStartsWithoutASecretOfItsOwn() {
        Map<String, String> refusals = Map.of(
                "--jwt-secret=", "is not set",
                "--jwt-secret=danmaku-dev-secret-change-me-in-production", "published development secret",
                "--jwt-secret=sixteen-bytes-ok", "has 16 bytes");
        for (String service : List.of("gateway", "filter", "archiver", "token")) {
            refusals.forEach((flag, reason) -> {
                StringWriter errors = new StringWriter();
                CommandLine command = Danmaku.commandLine();
                command.setErr(new PrintWriter(errors, true));
                int exit = service.equals("token") ? command.execute(service, "--user", "u", flag) : command.execute(service, flag);
                assertThat(exit).as(service + " " + flag).isEqualTo(2);
                assertThat(errors.toString()).as(service + " " + flag).startsWith(service + ": DANMAKU_JWT_SECRET")
                        .contains(reason).doesNotContain("Exception");
            });
        }
    }

    @Test
    void helpListsEverySettingWithItsVariable() {
        StringWriter out = new StringWriter();
        CommandLine command = Danmaku.commandLine();
        command.setOut(new PrintWriter(out, true));
        assertThat(command.execute("gateway", "--help")).isZero();
        assertThat(out.toString()).contains("--port").contains("DANMAKU_GATEWAY_PORT")
                .contains("DANMAKU_KAFKA_BOOTSTRAP_SERVERS").contains("DANMAKU_JWT_SECRET");
    }
}
