package dev.danmaku.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

import dev.danmaku.testkit.Browser;

/** The viewer page in a real headless Chromium, against the {@code dev} platform with two gateways. */
@Timeout(180)
class ViewerPageIT {

    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    @Test
    void aDanmakuSentOnOneGatewayIsDrawnByAViewerOnTheOther(@TempDir Path dataDir) {
        try (DevPlatform platform = DevPlatforms.start(dataDir, 2);
             Browser sender = Browser.start();
             Browser watcher = Browser.start()) {
            String first = "http://127.0.0.1:" + platform.ports().get(0);
            String second = "http://127.0.0.1:" + platform.ports().get(1);
            watcher.open(second + "/?room=stage-1&name=watcher");
            watcher.awaitScript("return window.danmakuViewer && window.danmakuViewer.joined");

            sender.open(first + "/?room=stage-1&name=sender");
            sender.awaitScript("return window.danmakuViewer && window.danmakuViewer.canSend");
            sender.driver().findElement(By.id("text")).sendKeys("hello from the first gateway");
            sender.driver().findElement(By.id("send")).click();

            String msgId = (String) watcher.awaitScript(
                    "const r = window.danmakuViewer.rendered.find(d => d.text === arguments[0]); return r && r.msgId;",
                    "hello from the first gateway");
            assertThat(watcher.driver().findElements(By.cssSelector(".danmaku-item[data-msg-id='" + msgId + "']")))
                    .as("the overlay holds the danmaku as an element").hasSize(1);
            watcher.screenshot(SCREENSHOTS.resolve("viewer.png"));
        }
    }
}
