package dev.danmaku.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.danmaku.common.auth.Identity;
import dev.danmaku.proto.v1.ServerFrame;
import dev.danmaku.testkit.Browser;
import dev.danmaku.testkit.NpmPackages;
import dev.danmaku.testkit.ViewerClient;

/**
 * DPlayer and ArtPlayer (with artplayer-plugin-danmuku), as published on npm, in a real headless
 * Chromium on a page of another origin that loads /danmaku-client.js and /danmaku-players.js from a
 * gateway: what the player's viewer types reaches a viewer on the other gateway, a refusal shows in
 * the player, the room's live danmaku are drawn (markup as text), and the plugin draws a Bilibili XML
 * export of the archive; DPlayer alone, with its own API backend, sends through the gateway's player
 * API (and shows its refusals) and draws what the archive's player API serves.
 */
@Timeout(300)
class PlayersIT extends TwoDevGateways {

    private static final Path NPM = Path.of("target", "players");
    private static final Path PAGES = Path.of("target", "test-classes", "players");
    private static final AtomicReference<String> EXPORT = new AtomicReference<>("<i></i>");
    private static HttpServer site;
    private static String origin;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startSite() throws Exception {
        NpmPackages.fetch(NPM, "dplayer@1.27.1", "artplayer@5.4.0", "artplayer-plugin-danmuku@5.3.0");
        site = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        site.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] body;
            if (path.equals("/export.xml")) {
                body = EXPORT.get().getBytes(StandardCharsets.UTF_8);
            } else {
                Path file = (path.startsWith("/npm/") ? NPM.resolve(path.substring(5)) : PAGES.resolve(path.substring(1)))
                        .normalize();
                if (!Files.isRegularFile(file)) {
                    exchange.sendResponseHeaders(404, -1);
                    exchange.close();
                    return;
                }
                body = Files.readAllBytes(file);
            }
            exchange.getResponseHeaders().add("Content-Type", path.endsWith(".js") ? "text/javascript"
                    : path.endsWith(".xml") ? "application/xml" : path.endsWith(".css") ? "text/css" : "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        site.start();
        origin = "http://127.0.0.1:" + site.getAddress().getPort();
    }

    @AfterAll
    static void stopSite() {
        if (site != null) {
            site.stop(0);
        }
    }

    private static String viewerToken(String user) {
        return platform.token(user, user, Set.of(Identity.VIEWER));
    }

    /** A viewer on the other gateway, joined and able to send. */
    private static ViewerClient otherViewer(String room) {
        ViewerClient viewer = ViewerClient.connect(second.replace("http://", "ws://") + "/ws", ViewerClient.JSON);
        viewer.sendText("{\"join\":{\"roomId\":\"" + room + "\",\"token\":\"" + viewerToken("other-" + room) + "\"}}");
        viewer.await(ServerFrame::hasJoined, Duration.ofSeconds(10));
        return viewer;
    }

    private static void awaitText(ViewerClient viewer, String text) {
        viewer.await(frame -> frame.hasBatch() && frame.getBatch().getDanmakuList().stream()
                .anyMatch(d -> d.getText().equals(text)), Duration.ofSeconds(15));
    }

    private void refuseInRoom(String room, String word) throws Exception {
        String moderator = platform.token("mo", "Mo", Set.of(Identity.MODERATOR));
        HttpResponse<String> rule = http.send(HttpRequest.newBuilder(URI.create(first + "/api/v1/moderation/rules"))
                .header("Authorization", "Bearer " + moderator).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"pattern\": \"" + word + "\", \"action\": \"REJECT\", \"roomId\": \""
                        + room + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(rule.statusCode()).as(rule.body()).isEqualTo(201);
    }

    private static String msgIdOf(ViewerClient viewer, String text) {
        return viewer.received().stream().filter(ServerFrame::hasBatch)
                .flatMap(frame -> frame.getBatch().getDanmakuList().stream())
                .filter(danmaku -> danmaku.getText().equals(text)).findFirst().orElseThrow().getMsgId();
    }

    private void recall(String room, String msgId) throws Exception {
        String moderator = platform.token("mo", "Mo", Set.of(Identity.MODERATOR));
        HttpResponse<String> recall = http.send(HttpRequest.newBuilder(URI.create(first + "/api/v1/moderation/recall"))
                .header("Authorization", "Bearer " + moderator).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"roomId\": \"" + room + "\", \"msgId\": \"" + msgId + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(recall.statusCode()).as(recall.body()).isEqualTo(202);
    }

    /** The element a player shows a danmaku in, found by the msgId our adapter marked it with. */
    private static String shown(String attribute, String msgId) {
        return "return (e => e && e.style.visibility)(document.querySelector('[" + attribute + "=\"" + msgId + "\"]'))";
    }

    private static Browser open(String page, String room, String user) {
        Browser browser = Browser.start(1280, 800);
        browser.open(origin + "/" + page + "?gw=" + first + "&room=" + room + "&token=" + viewerToken(user));
        browser.awaitScript("return window.ready && window.clientState === 'joined'");
        return browser;
    }

    @Test
    void dplayerSendsThroughTheGatewayShowsRefusalsAndDrawsTheRoom() throws Exception {
        refuseInRoom("players-d", "forbiddenword");
        try (ViewerClient other = otherViewer("players-d"); Browser page = open("dplayer.html", "players-d", "dp")) {
            // through DPlayer's own comment box and send path
            page.script("dp.template.commentInput.value = 'hello from DPlayer'; dp.comment.send();");
            awaitText(other, "hello from DPlayer");

            page.script("dp.template.commentInput.value = 'a forbiddenword here'; dp.comment.send();");
            page.awaitScript("return window.notices.some(n => n.includes('blocked word'))");

            other.sendText("{\"send\":{\"clientMsgId\":\"d1\",\"text\":\"<b>hello DPlayer</b>\"}}");
            page.awaitScript("return document.querySelector('.dplayer-danmaku').textContent.includes('<b>hello DPlayer</b>')");
            assertThat(page.script("return document.querySelectorAll('.dplayer-danmaku b').length")).as("markup shown as text")
                    .isEqualTo(0L);

            // a recall takes a live danmaku and the viewer's own off DPlayer's screen
            awaitText(other, "<b>hello DPlayer</b>");
            for (String text : List.of("<b>hello DPlayer</b>", "hello from DPlayer")) {
                String msgId = msgIdOf(other, text);
                assertThat(page.script(shown("data-msg-id", msgId))).as(text + " marked and on screen before").isEqualTo("");
                recall("players-d", msgId);
                page.awaitScript(shown("data-msg-id", msgId) + " === 'hidden'");
            }
        }
    }

    @Test
    void dplayerAloneSendsThroughTheGatewaysPlayerApiShowsRefusalsAndReadsTheArchive() throws Exception {
        refuseInRoom("players-v", "forbiddenword");
        try (ViewerClient archivist = otherViewer("players-v")) {
            archivist.sendText("{\"send\":{\"clientMsgId\":\"v1\",\"text\":\"<i>from the archive</i>\"}}");
            awaitText(archivist, "<i>from the archive</i>");
            HttpRequest player = HttpRequest.newBuilder(URI.create(first + "/api/v1/archive/player/dplayer/v3/?id=players-v")).build();
            await().atMost(Duration.ofSeconds(30)).until(() -> http.send(player, HttpResponse.BodyHandlers.ofString()).body()
                    .contains("from the archive"));
            try (Browser page = Browser.start(1280, 800)) {
                page.open(origin + "/dplayer-alone.html?gw=" + first + "&room=players-v&token=" + viewerToken("alone"));
                // DPlayer read its items itself (its load event is not one a page can listen to)
                page.awaitScript("return window.ready && dp.danmaku.dan.length > 0");
                page.script("dp.seek(0); dp.play();");
                page.awaitScript("return document.querySelector('.dplayer-danmaku').textContent.includes('<i>from the archive</i>')");
                assertThat(page.script("return document.querySelectorAll('.dplayer-danmaku i').length")).as("markup shown as text")
                        .isEqualTo(0L);

                // DPlayer's own send (POST …/v3/, its token in the body) reaches a viewer of the other gateway
                page.script("dp.template.commentInput.value = 'hello from DPlayer alone'; dp.comment.send();");
                awaitText(archivist, "hello from DPlayer alone");
                page.script("dp.template.commentInput.value = 'a forbiddenword here'; dp.comment.send();");
                page.awaitScript("return window.notices.some(n => n.includes('Not sent: it contains a blocked word'))");
            }
        }
    }

    @Test
    void artplayerSendsThroughTheGatewayShowsRefusalsDrawsTheRoomAndReadsTheArchivesXml() throws Exception {
        refuseInRoom("players-a", "forbiddenword");
        try (ViewerClient other = otherViewer("players-a"); Browser page = open("artplayer.html", "players-a", "art")) {
            page.script("art.play()");
            page.awaitScript("return art.playing");

            // through the plugin's emitter: a refusal is not drawn, and says why
            page.script("document.querySelector('.apd-input').value = 'another forbiddenword';"
                    + " document.querySelector('.apd-send').click();");
            page.awaitScript("return window.notices.some(n => n.includes('blocked word'))");
            page.script("document.querySelector('.apd-input').value = 'hello from ArtPlayer';"
                    + " document.querySelector('.apd-send').click();");
            awaitText(other, "hello from ArtPlayer");
            assertThat(page.script("return document.getElementById('player').textContent")).asString()
                    .doesNotContain("another forbiddenword");

            other.sendText("{\"send\":{\"clientMsgId\":\"a1\",\"text\":\"hello ArtPlayer\"}}");
            page.awaitScript("return document.getElementById('player').textContent.includes('hello ArtPlayer')");

            // a recall takes a live danmaku and the viewer's own off the screen
            awaitText(other, "hello ArtPlayer");
            for (String text : List.of("hello ArtPlayer", "hello from ArtPlayer")) {
                String msgId = msgIdOf(other, text);
                page.awaitScript(shown("data-id", msgId) + " === 'visible'");
                recall("players-a", msgId);
                // hidden while the plugin still moves it (its own end of crossing hides it too, in state "wait")
                page.awaitScript("return (e => e.style.visibility === 'hidden' && e.dataset.state === 'emit')"
                        + "(document.querySelector('[data-id=\"" + msgId + "\"]'))");
            }

            // the archive of a room nobody watched here, exported as Bilibili XML, read by the plugin itself
            try (ViewerClient archivist = otherViewer("players-x")) {
                archivist.sendText("{\"send\":{\"clientMsgId\":\"x1\",\"text\":\"only in the archive\"}}");
                awaitText(archivist, "only in the archive");
            }
            String analyst = platform.token("ana", "Ana", Set.of(Identity.ANALYST));
            HttpRequest export = HttpRequest.newBuilder(URI.create(first + "/api/v1/archive/rooms/players-x/export?format=xml"))
                    .header("Authorization", "Bearer " + analyst).build();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                String xml = http.send(export, HttpResponse.BodyHandlers.ofString()).body();
                EXPORT.set(xml);
                return xml.contains("only in the archive");
            });
            page.script("art.plugins.artplayerPluginDanmuku.load('/export.xml').then(() => { art.seek = 0; art.play(); })");
            page.awaitScript("return document.getElementById('player').textContent.includes('only in the archive')");
        }
    }
}
