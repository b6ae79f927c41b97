package dev.danmaku.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;

import dev.danmaku.common.auth.Identity;
import dev.danmaku.proto.v1.ClientFrame;
import dev.danmaku.proto.v1.Join;
import dev.danmaku.proto.v1.Send;
import dev.danmaku.proto.v1.ServerFrame;
import dev.danmaku.testkit.Browser;
import dev.danmaku.testkit.ViewerClient;

/**
 * The analyst page in a real headless Chromium against the {@code dev} platform: danmaku seeded
 * through a gateway and archived are drawn in the chart, paged in the table and replayed on the
 * overlay.
 */
@Timeout(300)
class AnalystPageIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String ROOM = "history-1";

    @TempDir
    static Path dataDir;
    static DevPlatform platform;
    static String base;
    static long archived;

    @BeforeAll
    static void startPlatformAndSeed() throws Exception {
        platform = DevPlatforms.start(dataDir, 1, Map.of("DANMAKU_FILTER_BLOCKED_WORDS", "badword"));
        base = "http://127.0.0.1:" + platform.ports().get(0);
        List<String> msgIds = new ArrayList<>();
        String ws = "ws://127.0.0.1:" + platform.ports().get(0) + "/ws";
        for (int user = 1; user <= 4; user++) {
            try (ViewerClient client = ViewerClient.connect(ws, null)) {
                client.send(ClientFrame.newBuilder().setJoin(Join.newBuilder().setRoomId(ROOM)
                        .setToken(platform.token("fan" + user, "Fan " + user, Set.of(Identity.VIEWER)))).build());
                client.await(ServerFrame::hasJoined, WAIT);
                int count = 3 + 2 * user;
                for (int i = 0; i < count; i++) {
                    String text = i == 0 && user == 1 ? "a badword here" : "comment " + i + " from fan " + user;
                    client.send(ClientFrame.newBuilder().setSend(Send.newBuilder().setClientMsgId("c" + i).setText(text)
                            .setColor(user == 2 ? 0xFFD000 : 0xFFFFFF)).build());
                    String id = "c" + i;
                    ServerFrame ack = client.await(f -> f.hasAck() && f.getAck().getClientMsgId().equals(id), WAIT);
                    if (!ack.getAck().getMsgId().isEmpty()) {
                        msgIds.add(ack.getAck().getMsgId());
                    }
                    Thread.sleep(120);
                }
            }
        }
        archived = msgIds.size();
        HttpClient http = HttpClient.newHttpClient();
        ObjectMapper json = new ObjectMapper();
        long deadline = System.nanoTime() + WAIT.toNanos();
        long total = -1;
        while (total != archived && System.nanoTime() < deadline) {
            HttpResponse<String> stats = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/archive/rooms/" + ROOM + "/stats"))
                    .header("Authorization", "Bearer " + platform.adminToken()).build(), HttpResponse.BodyHandlers.ofString());
            total = stats.statusCode() == 200 ? json.readTree(stats.body()).path("total").asLong() : -1;
            Thread.sleep(200);
        }
        assertThat(total).as("every judged danmaku archived").isEqualTo(archived);
    }

    @AfterAll
    static void stopPlatform() {
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    void theChartTableAndReplayShowTheSeededRange() {
        try (Browser analyst = Browser.start(1280, 1700)) {
            analyst.open(base + "/analyst?room=" + ROOM);
            analyst.driver().findElement(By.id("dev-token")).click();

            Number charted = (Number) analyst.awaitScript("const c = window.danmakuAnalyst.chart;"
                    + " if (!c.drawn) return null;"
                    + " return Object.values(c.series).flat().reduce((a, b) => a + b, 0)");
            assertThat(charted.longValue()).as("the chart counts every archived danmaku").isEqualTo(archived);
            assertThat((Number) analyst.script("return window.danmakuAnalyst.chart.series.REJECTED.reduce((a, b) => a + b, 0)"))
                    .as("the blocked word is charted as rejected").satisfies(n -> assertThat(n.longValue()).isGreaterThanOrEqualTo(1));
            assertThat((Boolean) analyst.script("const c = document.getElementById('chart');"
                    + " return c.width > 0 && !!window.Chart && !!window.Chart.getChart(c)")).isTrue();
            assertThat(analyst.driver().findElement(By.id("top")).getText()).contains("fan4");

            // A narrower range redraws the chart with the same counts.
            new Select(analyst.driver().findElement(By.id("range"))).selectByVisibleText("last 15 minutes");
            analyst.driver().findElement(By.id("load")).click();
            analyst.awaitScript("const c = window.danmakuAnalyst.chart; return c.drawn && c.labels.length === 16"
                    + " && Object.values(c.series).flat().reduce((a, b) => a + b, 0) === arguments[0]", archived);

            // Keyset pages of 20: the second page continues where the first ended.
            new Select(analyst.driver().findElement(By.id("f-limit"))).selectByVisibleText("20");
            analyst.driver().findElement(By.id("filter")).click();
            analyst.awaitScript("return window.danmakuAnalyst.page.items.length === 20 && window.danmakuAnalyst.page.next");
            @SuppressWarnings("unchecked")
            List<String> firstPage = (List<String>) analyst.script("return window.danmakuAnalyst.page.items.map(d => d.msgId)");
            analyst.driver().findElement(By.id("next-page")).click();
            analyst.awaitScript("return window.danmakuAnalyst.page.index === 1");
            @SuppressWarnings("unchecked")
            List<String> secondPage = (List<String>) analyst.script("return window.danmakuAnalyst.page.items.map(d => d.msgId)");
            assertThat(secondPage).isNotEmpty().doesNotContainAnyElementsOf(firstPage);
            assertThat(analyst.driver().findElements(By.cssSelector("#rows tr[data-msg-id]"))).hasSize(secondPage.size());

            // The replay at 2× draws danmaku on the overlay.
            new Select(analyst.driver().findElement(By.id("speed"))).selectByVisibleText("2");
            analyst.driver().findElement(By.id("play")).click();
            analyst.awaitScript("return window.danmakuAnalyst.replay.played.length >= 3");
            analyst.await(d -> !d.findElements(By.cssSelector("#overlay .danmaku-item")).isEmpty());
            analyst.script("document.activeElement.blur(); window.scrollTo(0, 0)");
            analyst.screenshot(ViewerPageIT.SCREENSHOTS.resolve("analyst.png"));
            analyst.driver().findElement(By.id("play")).click();
            analyst.awaitScript("return window.danmakuAnalyst.replay.state === 'paused' || window.danmakuAnalyst.replay.state === 'ended'");
        }
    }

    @Test
    void thePageFitsAPhoneAndSaysWhyARequestWasRefused() {
        try (Browser phone = Browser.start(390, 844)) {
            phone.open(base + "/analyst/?room=" + ROOM);
            new Select(phone.driver().findElement(By.id("dev-role"))).selectByVisibleText("admin");
            phone.driver().findElement(By.id("dev-token")).click();
            phone.awaitScript("return window.danmakuAnalyst.chart.drawn");
            assertThat((Long) phone.script("return document.documentElement.scrollWidth"))
                    .as("no sideways scrolling on a phone").isLessThanOrEqualTo(390L);
            phone.screenshot(ViewerPageIT.SCREENSHOTS.resolve("analyst-phone.png"));

            // A token without the analyst role: the page shows the server's 403 in words.
            phone.script("sessionStorage.setItem('danmaku.token', arguments[0])",
                    platform.token("vic", "Vic", Set.of(Identity.VIEWER)));
            phone.open(base + "/analyst/?room=" + ROOM);
            String error = (String) phone.awaitScript("return window.danmakuAnalyst.lastError");
            assertThat(error).startsWith("This token lacks the role for that.");
        }
    }
}
