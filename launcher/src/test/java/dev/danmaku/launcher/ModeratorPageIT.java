package dev.danmaku.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;

import dev.danmaku.testkit.Browser;

/**
 * The moderator console in a real headless Chromium against the {@code dev} platform: a rule typed
 * into the console refuses a viewer page's next matching danmaku, and a recall from the live feed
 * takes a danmaku off a viewer page on the other gateway.
 */
@Timeout(300)
class ModeratorPageIT extends TwoDevGateways {

    @Test
    void thePagesAreServedWithAndWithoutTheTrailingSlashWithTheirSecurityHeaders() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (String page : new String[] {"/moderator", "/analyst"}) {
            HttpResponse<String> bare = http.send(HttpRequest.newBuilder(URI.create(first + page)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(bare.statusCode()).as(page).isIn(301, 302, 303, 307, 308);
            assertThat(bare.headers().firstValue("Location")).hasValueSatisfying(location -> assertThat(location).endsWith(page + "/"));
            HttpResponse<String> slash = http.send(HttpRequest.newBuilder(URI.create(first + page + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(slash.statusCode()).isEqualTo(200);
            assertThat(slash.body()).contains("<title>danmaku");
            assertThat(slash.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(policy -> assertThat(policy)
                    .contains("script-src 'self';").endsWith("frame-ancestors 'none'"));
        }
        HttpResponse<String> viewer = http.send(HttpRequest.newBuilder(URI.create(first + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(viewer.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(policy -> assertThat(policy)
                .endsWith("frame-ancestors 'self'"));
        HttpResponse<String> api = http.send(HttpRequest.newBuilder(URI.create(first + "/api/v1/moderation/rules")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(api.statusCode()).isEqualTo(401);
        assertThat(api.headers().firstValue("Content-Security-Policy")).hasValue("default-src 'none'; frame-ancestors 'none'");
        for (HttpResponse<String> response : java.util.List.of(viewer, api)) {
            assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            assertThat(response.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        }
    }

    @Test
    void aRuleAddedInTheConsoleRefusesTheNextDanmakuAndARecallTakesOneOffScreen() {
        try (Browser moderator = Browser.start(1280, 1400);
             Browser viewer = Browser.start();
             Browser watcher = Browser.start()) {
            moderator.open(first + "/moderator?room=mod-1");
            moderator.driver().findElement(By.id("dev-token")).click();
            moderator.awaitScript("return window.danmakuModerator.signedIn && window.danmakuModerator.feedJoined");

            // The viewer sends a first danmaku; the watcher on the other gateway and the feed see it.
            viewer.open(first + "/?room=mod-1&name=vera&autosend=hello-everyone");
            String shown = (String) viewer.awaitScript(
                    "const a = window.danmakuViewer.lastAck; return a && a.verdict === 'ACCEPTED' && a.msgId");
            watcher.open(second + "/?room=mod-1&name=walt");
            watcher.awaitScript("return window.danmakuViewer.joined");

            // A rule typed into the console.
            moderator.driver().findElement(By.id("rule-pattern")).sendKeys("spoiler");
            new Select(moderator.driver().findElement(By.id("rule-action"))).selectByVisibleText("REJECT");
            new Select(moderator.driver().findElement(By.id("rule-category"))).selectByVisibleText("spoiler");
            assertThat(moderator.driver().findElement(By.id("rule-room")).getAttribute("value"))
                    .as("the console's room").isEqualTo("mod-1");
            moderator.driver().findElement(By.id("rule-note")).sendKeys("no spoilers in mod-1");
            moderator.driver().findElement(By.id("rule-save")).click();
            moderator.awaitScript("return window.danmakuModerator.rules.some(r => r.pattern === 'spoiler')");
            assertThat(moderator.driver().findElement(By.id("rules")).getText()).contains("spoiler", "REJECT");

            // The dry run shows how the evasion is normalized, in which view it matched, and the verdict.
            moderator.driver().findElement(By.id("dry-text")).sendKeys("前方spoi-ler预警");
            moderator.driver().findElement(By.id("dry-run")).click();
            assertThat(moderator.awaitScript("const d = window.danmakuModerator.dryRun; return d && d.verdict"))
                    .isEqualTo("REJECTED");
            assertThat(moderator.driver().findElement(By.id("dry-rules")).getText())
                    .contains("“spoiler” matched “spoiler” in the folded view (spoiler)");

            viewer.driver().findElement(By.id("text")).sendKeys("big S.P.O.I.L.E.R here");
            viewer.driver().findElement(By.id("send")).click();
            assertThat(viewer.awaitScript("const a = window.danmakuViewer.lastAck;"
                    + " return a && a.verdict === 'REJECTED' && a.reason")).isEqualTo("BLOCKED_KEYWORD");

            // The watcher has a danmaku on screen; the moderator recalls it from the live feed.
            viewer.driver().findElement(By.id("text")).sendKeys("recall me please");
            viewer.driver().findElement(By.id("send")).click();
            String recalled = (String) watcher.awaitScript(
                    "const r = window.danmakuViewer.rendered.find(d => d.text === 'recall me please'); return r && r.msgId");
            moderator.awaitScript("return window.danmakuModerator.feed.some(d => d.msgId === arguments[0])", recalled);
            moderator.driver().findElement(By.cssSelector("#feed li[data-msg-id='" + recalled + "'] button.recall")).click();
            watcher.awaitScript("return window.danmakuViewer.recalled.includes(arguments[0])", recalled);
            watcher.await(d -> d.findElements(By.cssSelector(".danmaku-item[data-msg-id='" + recalled + "']")).isEmpty());
            moderator.awaitScript("return window.danmakuModerator.feed.find(d => d.msgId === arguments[0]).recalled", recalled);
            assertThat(shown).isNotBlank();

            // The audit log lists both changes.
            moderator.driver().findElement(By.id("reload-audit")).click();
            moderator.awaitScript("const a = window.danmakuModerator.audit.map(e => e.action);"
                    + " return a.includes('rule.create') && a.includes('recall')");
            moderator.screenshot(ViewerPageIT.SCREENSHOTS.resolve("moderator.png"));
        }
    }

    @Test
    void anAdminSeesRefusedDanmakuInTheFeedWithTheirVerdict() throws Exception {
        HttpResponse<String> rule = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(first + "/api/v1/moderation/rules"))
                .header("Authorization", "Bearer " + platform.adminToken()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"pattern\": \"forbidden\", \"roomId\": \"mod-2\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(rule.statusCode()).as(rule.body()).isEqualTo(201);
        try (Browser admin = Browser.start(); Browser viewer = Browser.start()) {
            admin.open(second + "/moderator?room=mod-2");
            new Select(admin.driver().findElement(By.id("dev-role"))).selectByVisibleText("admin");
            admin.driver().findElement(By.id("dev-token")).click();
            admin.awaitScript("const m = window.danmakuModerator; return m.feedJoined && m.verdictsFollowed");
            viewer.open(first + "/?room=mod-2&name=rex&autosend=forbidden-words");
            assertThat(viewer.awaitScript("const a = window.danmakuViewer.lastAck; return a && a.verdict")).isEqualTo("REJECTED");
            admin.awaitScript("return window.danmakuModerator.feed.some(d => d.text === 'forbidden-words' && d.verdict === 'REJECTED')");
            assertThat(admin.driver().findElement(By.id("feed")).getText()).contains("REJECTED", "BLOCKED_KEYWORD");
        }
    }

    @Test
    void aRefusedRequestShowsTheProblemDetailAndThePageFitsAPhone() {
        try (Browser phone = Browser.start(390, 844)) {
            phone.open(first + "/moderator/");
            phone.driver().findElement(By.id("dev-token")).click();
            phone.awaitScript("return window.danmakuModerator.signedIn");
            phone.driver().findElement(By.id("rule-pattern")).sendKeys("(unclosed");
            new Select(phone.driver().findElement(By.id("rule-kind"))).selectByVisibleText("REGEX");
            phone.driver().findElement(By.id("rule-save")).click();
            String error = (String) phone.awaitScript("return window.danmakuModerator.lastError");
            assertThat(error).startsWith("Refused: pattern:");
            assertThat(phone.driver().findElement(By.id("rules-message")).getText()).startsWith("Refused: pattern:");
            assertThat((Long) phone.script("return document.documentElement.scrollWidth"))
                    .as("no sideways scrolling on a phone").isLessThanOrEqualTo(390L);
            phone.screenshot(ViewerPageIT.SCREENSHOTS.resolve("moderator-phone.png"));
        }
    }
}
