package dev.danmaku.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.chrome.ChromeDriver;

import dev.danmaku.common.auth.Identity;
import dev.danmaku.testkit.Browser;
import dev.danmaku.testkit.ViewerClient;

/**
 * The stream overlay (/overlay) in a real headless Chromium, as OBS shows a browser source: a
 * transparent page whose options come from its URL, drawing what a sender on the other gateway says.
 */
@Timeout(300)
class ObsOverlayIT extends TwoDevGateways {

    @Test
    void drawsTheRoomOverATransparentPageAsItsUrlSays() throws Exception {
        try (Browser obs = Browser.start(1280, 720);
                ViewerClient sender = ViewerClient.connect(first.replace("http://", "ws://") + "/ws", ViewerClient.JSON)) {
            // what OBS does for a browser source: no default background behind the page
            ((ChromeDriver) obs.driver()).executeCdpCommand("Emulation.setDefaultBackgroundColorOverride",
                    Map.of("color", Map.of("r", 0, "g", 0, "b", 0, "a", 0)));
            obs.open(second + "/overlay?room=obs-1&font=1.5&speed=1.5&lines=3&block=spoiler");
            obs.awaitScript("return window.danmakuOverlay && window.danmakuOverlay.state === 'joined'");

            sender.sendText("{\"join\":{\"roomId\":\"obs-1\",\"token\":\"" + platform.token("streamer", "Streamer",
                    Set.of(Identity.VIEWER)) + "\"}}");
            sender.await(frame -> frame.hasJoined(), Duration.ofSeconds(10));
            List<String> lines = List.of("hello from the stream", "big spoiler ahead", "first!", "so smooth", "2333333",
                    "gg wp");
            for (int i = 0; i < lines.size(); i++) {
                sender.sendText("{\"send\":{\"clientMsgId\":\"c" + i + "\",\"text\":\"" + lines.get(i)
                        + "\",\"color\":" + (i % 2 == 0 ? 16777215 : 16766720) + "}}");
            }
            sender.await(frame -> frame.hasAck() && frame.getAck().getClientMsgId().equals("c5"), Duration.ofSeconds(10));
            obs.awaitScript("return window.danmakuOverlay.rendered.some(d => d.text === 'gg wp')");
            Path picture = obs.screenshot(ViewerPageIT.SCREENSHOTS.resolve("obs-overlay.png"));

            @SuppressWarnings("unchecked")
            List<String> rendered = (List<String>) obs.script("return window.danmakuOverlay.rendered.map(d => d.text)");
            assertThat(rendered).contains("hello from the stream", "first!", "gg wp").doesNotContain("big spoiler ahead");
            assertThat(obs.script("return document.querySelectorAll('input, button, select, textarea').length"))
                    .as("no controls").isEqualTo(0L);
            assertThat(obs.script("const s = window.danmakuOverlay.overlay.settings(); return [s.fontScale, s.speed]"))
                    .isEqualTo(List.of(1.5, 1.5));
            assertThat(obs.script("return new Set([...document.querySelectorAll('.danmaku-scroll')]"
                    + ".map(e => Math.round(e.getBoundingClientRect().top))).size")).as("lines used, at most 3")
                    .satisfies(used -> assertThat(((Number) used).intValue()).isBetween(1, 3));
            assertThat(obs.script("return getComputedStyle(document.body).backgroundColor")).isEqualTo("rgba(0, 0, 0, 0)");
            assertTransparentWithDanmaku(picture);
        }
    }

    /** The picture OBS composes: clear where there is no danmaku, drawn where there is. */
    private static void assertTransparentWithDanmaku(Path picture) throws IOException {
        BufferedImage image = ImageIO.read(picture.toFile());
        assertThat(image.getColorModel().hasAlpha()).isTrue();
        long clear = 0;
        long drawn = 0;
        for (int y = 0; y < image.getHeight(); y += 4) {
            for (int x = 0; x < image.getWidth(); x += 4) {
                if ((image.getRGB(x, y) >>> 24) == 0) {
                    clear++;
                } else {
                    drawn++;
                }
            }
        }
        assertThat(image.getRGB(image.getWidth() - 1, image.getHeight() - 1) >>> 24).as("a corner").isZero();
        assertThat(drawn).as("danmaku pixels").isPositive();
        assertThat(clear).as("most of the picture is clear").isGreaterThan(drawn * 5);
    }

    @Test
    void withoutARoomItSaysWhatToAddWhereThePreviewShowsIt() {
        try (Browser obs = Browser.start()) {
            obs.open(first + "/overlay");
            Object problem = obs.awaitScript("const p = document.getElementById('problem'); return !p.hidden && p.textContent");
            assertThat(problem).asString().contains("?room=");
        }
    }
}
