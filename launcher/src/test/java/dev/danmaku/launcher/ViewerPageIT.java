package dev.danmaku.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;

import dev.danmaku.common.auth.Identity;
import dev.danmaku.testkit.Browser;

/**
 * The viewer page in a real headless Chromium, against one {@code dev} platform with two gateways
 * shared by every test (each test has its own room). Assertions read the page's own state
 * ({@code window.danmakuViewer}) and its DOM.
 */
@Timeout(300)
class ViewerPageIT extends TwoDevGateways {

    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aDanmakuSentOnOneGatewayIsDrawnByAViewerOnTheOther() {
        try (Browser sender = Browser.start(); Browser watcher = Browser.start(1280, 960)) {
            join(watcher, second, "stage-1", "watcher");
            join(sender, first, "stage-1", "sender");

            // The danmaku this test is about: checked on the other page while it is still on its stage (a scrolling
            // danmaku leaves the overlay once it has crossed it, however long the rest of this test takes).
            send(sender, "hello from the first gateway");
            String msgId = awaitOnStage(watcher, "hello from the first gateway");
            assertThat(watcher.script("return document.querySelectorAll(arguments[0]).length", item(msgId)))
                    .as("the overlay holds the danmaku as one element").isEqualTo(1L);

            // A full stage for the picture (docs/screenshots/viewer.png): colours, sizes and the three modes.
            List<List<String>> stage = List.of(
                    List.of("here it comes!!!", "#ffd33d", "0", "SCROLL"), List.of("this stream is so smooth", "#ffffff", "0", "SCROLL"),
                    List.of("hello from the other side", "#7ee787", "18", "SCROLL"), List.of("2333333", "#ff7b72", "36", "SCROLL"),
                    List.of("lanes never overlap", "#79c0ff", "0", "SCROLL"), List.of("gg wp", "#d2a8ff", "0", "SCROLL"),
                    List.of("welcome to the stream!", "#ff9bce", "0", "TOP"), List.of("bottom line, still readable", "#ffa657", "0", "BOTTOM"));
            for (List<String> danmaku : stage) {
                sender.script("document.getElementById('color').value = arguments[0]", danmaku.get(1));
                new Select(sender.driver().findElement(By.id("size"))).selectByValue(danmaku.get(2));
                new Select(sender.driver().findElement(By.id("mode"))).selectByValue(danmaku.get(3));
                send(sender, danmaku.get(0));
                pause(200);
            }

            for (List<String> danmaku : stage) {
                awaitRendered(watcher, danmaku.get(0));
            }
            pause(400); // the last one inside the stage, the TOP caption still up
            watcher.screenshot(SCREENSHOTS.resolve("viewer.png"));
            sender.screenshot(SCREENSHOTS.resolve("viewer-sender.png"));
        }
    }

    @Test
    void aRefusedDanmakuShowsItsReasonToTheSenderOnly() throws Exception {
        String moderator = platform.token("mo", "Mo", Set.of(Identity.MODERATOR));
        HttpResponse<String> rule = moderation(first, "/rules", moderator,
                "{\"pattern\": \"forbiddenword\", \"action\": \"REJECT\", \"roomId\": \"refusals\"}");
        assertThat(rule.statusCode()).as(rule.body()).isEqualTo(201);

        try (Browser sender = Browser.start(); Browser watcher = Browser.start()) {
            join(watcher, second, "refusals", "watcher");
            join(sender, first, "refusals", "sender");
            send(sender, "this has a forbiddenword in it");

            sender.awaitScript("return document.getElementById('message').textContent.includes('BLOCKED_KEYWORD')");
            assertThat(sender.driver().findElement(By.id("message")).getText()).contains("Refused", "blocked word");
            assertThat(sender.script("return window.danmakuViewer.lastAck.verdict")).isEqualTo("REJECTED");

            // What follows the refused danmaku arrives: had the refused one been broadcast, it would be here first.
            send(sender, "an ordinary comment");
            awaitRendered(watcher, "an ordinary comment");
            assertThat(renderedTexts(watcher)).doesNotContain("this has a forbiddenword in it");
            assertThat(renderedTexts(sender)).doesNotContain("this has a forbiddenword in it");
            assertThat(watcher.driver().findElement(By.id("message")).getText()).doesNotContain("Refused");
            sender.awaitScript("return !document.getElementById('message').textContent.includes('Refused')"); // cleared by the next ack
            sender.screenshot(SCREENSHOTS.resolve("viewer-refused.png"));

            // Markup in a danmaku is shown as the characters typed, never run.
            String markup = "<img src=x onerror=\"window.pwned = 1\"><b>bold?</b>";
            send(sender, markup);
            String msgId = awaitRendered(watcher, markup);
            watcher.driver().findElement(By.cssSelector("#list-panel summary")).click();
            watcher.awaitScript("return document.getElementById('recent-list').textContent.includes(arguments[0])", markup);
            assertThat(watcher.script("return document.querySelector(arguments[0]).textContent", item(msgId))).isEqualTo(markup);
            assertThat(watcher.script("return document.querySelectorAll('#overlay img, #overlay b, #recent-list img').length"))
                    .isEqualTo(0L);
            assertThat(watcher.script("return window.pwned === undefined")).isEqualTo(true);
        }
    }

    @Test
    void underAFloodOf200DanmakuASecondLanesStayApartAndFramesKeepComing() {
        try (Browser watcher = Browser.start()) {
            join(watcher, first, "flood", "watcher");
            // 600 danmaku, 10 every 50 ms: the flood ends when all were added, however slowly a busy machine runs the timer
            watcher.script("""
                    const overlay = window.danmakuViewer.overlay;
                    const modes = ['SCROLL', 'SCROLL', 'SCROLL', 'TOP', 'BOTTOM'];
                    let sent = 0, frames = 0, worst = 0, last = performance.now(), done = false;
                    const start = last;
                    requestAnimationFrame(function frame(now) {
                      frames++; worst = Math.max(worst, now - last); last = now;
                      if (!done) requestAnimationFrame(frame);
                    });
                    const timer = setInterval(() => {
                      for (let i = 0; i < 10; i++, sent++) {
                        overlay.add({msgId: 'flood-' + sent, text: 'flood ' + sent + ' ' + '='.repeat(sent % 24),
                                     color: (sent * 2654435761) % 16777216, mode: modes[sent % 5]});
                      }
                      if (sent < 600) return;
                      clearInterval(timer);
                      done = true;
                      const boxes = [...document.querySelectorAll('.danmaku-scroll')].map(e => e.getBoundingClientRect());
                      let overlaps = 0;
                      for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
                        const a = boxes[i], b = boxes[j];
                        if (a.top < b.bottom - 1 && b.top < a.bottom - 1 && a.left < b.right - 1 && b.left < a.right - 1) overlaps++;
                      }
                      window.flood = {sent, frames, worst, overlaps, scrolling: boxes.length, seconds: (performance.now() - start) / 1000,
                                      stats: overlay.stats()};
                    }, 50);
                    """);
            Map<?, ?> flood = (Map<?, ?>) watcher.awaitScript("return window.flood");
            watcher.screenshot(SCREENSHOTS.resolve("viewer-flood.png"));
            System.out.println("flood: " + flood);
            assertThat(((Number) flood.get("overlaps")).intValue()).as("scroll danmaku overlapping").isZero();
            assertThat(((Number) flood.get("scrolling")).intValue()).isGreaterThan(5);
            // A floor that catches a stalled loop, not a benchmark: headless Chromium renders in software here,
            // and the flood lasts at least 3 s.
            assertThat(((Number) flood.get("frames")).intValue()).as("frames during the flood").isGreaterThan(30);
        }
    }

    @Test
    void aModeratorsRecallTakesTheDanmakuOffTheOtherPage() throws Exception {
        try (Browser sender = Browser.start(); Browser watcher = Browser.start()) {
            join(watcher, second, "recall", "watcher");
            join(sender, first, "recall", "sender");
            // Slowest speed, set from the keyboard, so the danmaku is surely still crossing when recalled.
            watcher.driver().findElement(By.cssSelector("#settings-panel summary")).sendKeys(Keys.ENTER);
            watcher.driver().findElement(By.id("speed")).sendKeys(Keys.ARROW_LEFT, Keys.ARROW_LEFT);
            assertThat(watcher.script("return window.danmakuViewer.settings.speed")).isEqualTo(0.5);
            assertThat(watcher.driver().findElement(By.id("speed-value")).getText()).isEqualTo("0.5×");

            send(sender, "please recall me");
            String msgId = awaitRendered(watcher, "please recall me");
            assertThat(watcher.driver().findElements(By.cssSelector(item(msgId)))).hasSize(1);

            String moderator = platform.token("mo", "Mo", Set.of(Identity.MODERATOR));
            HttpResponse<String> recall = moderation(first, "/recall", moderator,
                    "{\"roomId\": \"recall\", \"msgId\": \"" + msgId + "\"}");
            assertThat(recall.statusCode()).as(recall.body()).isEqualTo(202);

            watcher.awaitScript("return window.danmakuViewer.recalled.includes(arguments[0])"
                    + " && !document.querySelector(arguments[1])", msgId, item(msgId));
            sender.awaitScript("return window.danmakuViewer.recalled.includes(arguments[0])", msgId);
            assertThat(sender.driver().findElements(By.cssSelector(item(msgId)))).isEmpty();
        }
    }

    @Test
    void aBlockedWordHidesMatchingDanmakuOnThatPageOnly() {
        try (Browser sender = Browser.start(); Browser watcher = Browser.start()) {
            join(watcher, second, "shield", "watcher");
            join(sender, first, "shield", "sender");

            watcher.driver().findElement(By.cssSelector("#block-panel summary")).sendKeys(Keys.ENTER);
            watcher.driver().findElement(By.id("block-entry")).sendKeys("spoiler", Keys.ENTER);
            assertThat(watcher.script("return window.danmakuViewer.blocked.words")).isEqualTo(List.of("spoiler"));
            assertThat(watcher.script("return localStorage.getItem('danmaku.viewer.blocked')").toString()).contains("spoiler");

            send(sender, "big SPOILER ahead");
            // typed after the first was acked, as a person types
            awaitAck(sender, "big SPOILER ahead", "-1");
            send(sender, "no secrets here");
            // the sender's own page first: should this fail, its state (ack, error) says whether the danmaku got through
            awaitRendered(sender, "no secrets here");
            awaitRendered(watcher, "no secrets here");
            assertThat(renderedTexts(watcher)).doesNotContain("big SPOILER ahead");
            assertThat(((Number) watcher.script("return window.danmakuViewer.overlay.stats().blocked")).intValue())
                    .isPositive();
            awaitRendered(sender, "big SPOILER ahead"); // not blocked there

            // Saved in the browser: still blocked after a reload, and unblocked from the keyboard.
            watcher.driver().navigate().refresh();
            watcher.awaitScript("return window.danmakuViewer && window.danmakuViewer.joined");
            watcher.driver().findElement(By.cssSelector("#block-panel summary")).sendKeys(Keys.ENTER);
            WebElement unblock = watcher.driver().findElement(By.cssSelector("button[aria-label='Unblock word spoiler']"));
            watcher.screenshot(SCREENSHOTS.resolve("viewer-blocking.png"));
            unblock.sendKeys(Keys.ENTER);
            assertThat(watcher.script("return window.danmakuViewer.blocked.words")).isEqualTo(List.of());
            assertThat(watcher.script("return document.activeElement.id")).isEqualTo("block-entry");
            assertThat(watcher.script("return localStorage.getItem('danmaku.viewer.blocked')").toString())
                    .doesNotContain("spoiler");

            send(sender, "a spoiler again, now shown");
            awaitRendered(sender, "a spoiler again, now shown");
            awaitRendered(watcher, "a spoiler again, now shown");

            // Blocking the sender from the recent comments list takes their danmaku off the screen.
            watcher.driver().findElement(By.cssSelector("#list-panel summary")).sendKeys(Keys.ENTER);
            watcher.awaitScript("return document.querySelector(\"#recent-list button[aria-label='Block user sender']\")");
            watcher.driver().findElement(By.cssSelector("#recent-list button[aria-label='Block user sender']")).sendKeys(Keys.ENTER);
            assertThat(watcher.script("return window.danmakuViewer.blocked.users")).isEqualTo(List.of("sender"));
            assertThat(watcher.driver().findElements(By.cssSelector(".danmaku-item"))).isEmpty();
            assertThat(watcher.driver().findElements(By.cssSelector("#recent-list button.block-user"))).isEmpty();
        }
    }

    @Test
    void theHideToggleHidesTheOverlayUntilShownAgain() {
        try (Browser sender = Browser.start(); Browser watcher = Browser.start()) {
            join(watcher, second, "hide", "watcher");
            join(sender, first, "hide", "sender");

            WebElement toggle = watcher.driver().findElement(By.id("toggle-danmaku"));
            toggle.sendKeys(Keys.SPACE);
            assertThat(watcher.script("return window.danmakuViewer.settings.hidden")).isEqualTo(true);
            assertThat(toggle.getAttribute("aria-pressed")).isEqualTo("false");
            assertThat(watcher.driver().findElement(By.id("overlay")).isDisplayed()).isFalse();

            send(sender, "sent while hidden");
            sender.awaitScript("const a = window.danmakuViewer.lastAck; return a && a.verdict === 'ACCEPTED'");
            pause(1000);
            new Actions(watcher.driver()).sendKeys("d").perform(); // the keyboard shortcut, focus on the toggle
            assertThat(watcher.script("return window.danmakuViewer.settings.hidden")).isEqualTo(false);
            assertThat(watcher.driver().findElement(By.id("overlay")).isDisplayed()).isTrue();

            send(sender, "sent once shown again");
            awaitRendered(watcher, "sent once shown again");
            assertThat(renderedTexts(watcher)).doesNotContain("sent while hidden");

            // Hiding a type: TOP captions stay away, scrolling ones still come.
            watcher.driver().findElement(By.cssSelector("#block-panel summary")).sendKeys(Keys.ENTER);
            watcher.driver().findElement(By.cssSelector("input[name='block-type'][value='TOP']")).sendKeys(Keys.SPACE);
            assertThat(watcher.script("return window.danmakuViewer.blocked.types")).isEqualTo(List.of("TOP"));
            new Select(sender.driver().findElement(By.id("mode"))).selectByValue("TOP");
            send(sender, "a top caption");
            new Select(sender.driver().findElement(By.id("mode"))).selectByValue("SCROLL");
            send(sender, "after the caption");
            awaitRendered(watcher, "after the caption");
            assertThat(renderedTexts(watcher)).doesNotContain("a top caption");

            // Full screen takes the stage with its danmaku; F leaves it again.
            watcher.driver().findElement(By.id("fullscreen")).click();
            watcher.awaitScript("return document.fullscreenElement && document.fullscreenElement.id === 'stage'"
                    + " && Math.abs(document.getElementById('overlay').getBoundingClientRect().width - window.innerWidth) < 2");
            send(sender, "seen in full screen");
            awaitRendered(watcher, "seen in full screen");
            watcher.screenshot(SCREENSHOTS.resolve("viewer-fullscreen.png"));
            new Actions(watcher.driver()).sendKeys("f").perform();
            watcher.awaitScript("return !document.fullscreenElement");
        }
    }

    @Test
    void aPhoneSizedViewportFitsWithoutHorizontalScrolling() {
        try (Browser sender = Browser.start(); Browser phone = Browser.start(390, 844)) {
            ((ChromeDriver) phone.driver()).executeCdpCommand("Emulation.setDeviceMetricsOverride",
                    Map.of("width", 390, "height", 844, "deviceScaleFactor", 2, "mobile", true));
            join(phone, second, "phone", "phone");
            join(sender, first, "phone", "sender");
            phone.driver().findElement(By.cssSelector("#settings-panel summary")).click();
            phone.driver().findElement(By.cssSelector("#block-panel summary")).click();
            phone.driver().findElement(By.id("block-entry")).sendKeys("a-rather-long-blocked-word-that-must-wrap", Keys.ENTER);

            send(sender, "hello, phone");
            awaitRendered(phone, "hello, phone");
            assertThat(phone.script("return window.innerWidth")).isEqualTo(390L);
            assertThat(phone.script("return document.documentElement.scrollWidth")).as("no horizontal scroll")
                    .isEqualTo(390L);
            Map<?, ?> stage = (Map<?, ?>) phone.script(
                    "const r = document.getElementById('stage').getBoundingClientRect(); return {left: r.left, right: r.right, height: r.height}");
            assertThat(((Number) stage.get("left")).doubleValue()).isGreaterThanOrEqualTo(0);
            assertThat(((Number) stage.get("right")).doubleValue()).isLessThanOrEqualTo(390);
            assertThat(((Number) stage.get("height")).doubleValue()).isGreaterThan(150);
            phone.script("document.activeElement.blur(); window.scrollTo(0, 0)");
            pause(1500); // the danmaku well inside the stage for the picture
            phone.screenshot(SCREENSHOTS.resolve("viewer-phone.png"));
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Opens the viewer in a room under a name and waits until it may send. */
    private static void join(Browser browser, String base, String room, String name) {
        browser.open(base + "/?room=" + room + "&name=" + name);
        browser.awaitScript("return window.danmakuViewer && window.danmakuViewer.joined && window.danmakuViewer.canSend");
    }

    /** Types into the comment box and presses Enter, as a viewer does. */
    private static void send(Browser browser, String text) {
        browser.driver().findElement(By.id("text")).sendKeys(text, Keys.ENTER);
    }

    /** Waits until the page has put a danmaku with this text on screen; returns its msgId. */
    private static String awaitRendered(Browser browser, String text) {
        try {
            return (String) browser.awaitScript(
                    "const r = window.danmakuViewer.rendered.find(d => d.text === arguments[0]); return r && r.msgId;", text);
        } catch (org.openqa.selenium.TimeoutException e) {
            throw notDrawn(browser, text, e);
        }
    }

    /** Waits for the ack of the page's send whose clientMsgId ends with {@code suffix}. */
    private static void awaitAck(Browser browser, String text, String suffix) {
        try {
            browser.awaitScript("const a = window.danmakuViewer.lastAck; return a && a.clientMsgId.endsWith(arguments[0])", suffix);
        } catch (org.openqa.selenium.TimeoutException e) {
            throw stuck(browser, "'" + text + "' was not acked", text, e);
        }
    }

    private static AssertionError notDrawn(Browser browser, String text, Exception cause) {
        return stuck(browser, "'" + text + "' was not drawn", text, cause);
    }

    /** Says what the page knew, so a failure tells refused from dropped from never received. */
    private static AssertionError stuck(Browser browser, String what, String text, Exception cause) {
        return new AssertionError(what + "; page state: " + browser.script(
                "const v = window.danmakuViewer; return JSON.stringify({state: v.state, lastAck: v.lastAck,"
                        + " lastError: v.lastError, lastClose: v.lastClose, textBox: document.getElementById('text').value,"
                        + " overlay: v.overlay && v.overlay.stats(), rendered: v.rendered.map(d => d.text)})")
                + "; in Kafka: " + DanmakuTrail.of(platform.kafkaBootstrapServers(), text) + "; gateway metrics:\n"
                + gatewayMetrics() + "gateway threads:\n" + gatewayThreads(), cause);
    }

    /** The gateways' own counts: frames out and written, drops, write failures, followed partitions. */
    private static String gatewayMetrics() {
        StringBuilder counts = new StringBuilder();
        for (String base : List.of(first, second)) {
            try {
                HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                metrics.body().lines().filter(line -> line.startsWith("danmaku_gateway_"))
                        .filter(line -> !line.contains("_bucket") && !line.contains("seconds"))
                        .forEach(line -> counts.append(line).append('\n'));
            } catch (IOException | InterruptedException e) {
                counts.append(base).append(" unreadable: ").append(e).append('\n');
            }
        }
        return counts.toString();
    }

    /** Where the gateways' feed, timer, lane and I/O threads are (the platform runs in this JVM). */
    private static String gatewayThreads() {
        StringBuilder dump = new StringBuilder();
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            String name = thread.getName();
            if (name.contains("dev-gw") || name.startsWith("XNIO") || name.startsWith("moderation")) {
                dump.append(name).append(' ').append(thread.getState()).append('\n');
                for (int i = 0; i < Math.min(stack.length, 10); i++) {
                    dump.append("    at ").append(stack[i]).append('\n');
                }
            }
        });
        return dump.toString();
    }

    /** Waits until the overlay shows an element with exactly this text; returns its msgId. */
    private static String awaitOnStage(Browser browser, String text) {
        try {
            return (String) browser.awaitScript("const e = [...document.querySelectorAll('.danmaku-item')]"
                    + ".find(e => e.textContent === arguments[0]); return e && e.dataset.msgId;", text);
        } catch (org.openqa.selenium.TimeoutException e) {
            throw notDrawn(browser, text, e);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> renderedTexts(Browser browser) {
        return (List<String>) browser.script("return window.danmakuViewer.rendered.map(d => d.text)");
    }

    private static String item(String msgId) {
        return ".danmaku-item[data-msg-id='" + msgId + "']";
    }

    private HttpResponse<String> moderation(String base, String path, String token, String json)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/v1/moderation" + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
