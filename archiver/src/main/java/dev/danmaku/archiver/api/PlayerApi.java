package dev.danmaku.archiver.api;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.StatusCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.danmaku.archiver.store.ArchiveFilter;
import dev.danmaku.archiver.store.ArchiveStore;
import dev.danmaku.archiver.store.ArchivedDanmaku;
import dev.danmaku.common.http.Json;

/**
 * {@code GET /player/dplayer/v3/?id=ROOM&max=N}, when {@code DANMAKU_ARCHIVE_PLAYER_API} is on: what
 * viewers saw of a room, in DPlayer's danmaku API ({@code {"code":0,"data":[[time, type, color, author,
 * text], …]}}), without a token and to any origin, for a DPlayer that reads danmaku itself. The times,
 * colours and sender hashes are those of the Bilibili XML export. DPlayer draws the text as HTML, so
 * it is escaped here; a failure answers a non-zero {@code code} with a {@code msg}, as DPlayer reads it.
 */
final class PlayerApi {

    private static final Logger log = LoggerFactory.getLogger(PlayerApi.class);
    /** Relative to the archive API; DPlayer asks for {@code <api>v3/?id=}. */
    static final String DPLAYER_PATH = "/player/dplayer/v3";
    static final int DEFAULT_MAX = 1000;
    static final int MOST = 10_000;
    private static final int MOST_PAGES = 10;
    private static final HttpString ALLOW_ORIGIN = new HttpString("Access-Control-Allow-Origin");

    private final ArchiveStore store;
    private final BilibiliXml bilibili;
    private final boolean enabled;

    PlayerApi(ArchiveStore store, BilibiliXml bilibili, boolean enabled) {
        this.store = store;
        this.bilibili = bilibili;
        this.enabled = enabled;
    }

    void dplayer(HttpServerExchange exchange) {
        exchange.getResponseHeaders().put(ALLOW_ORIGIN, "*");
        if (!enabled) {
            failure(exchange, StatusCodes.NOT_FOUND, "the player API is off on this archive (DANMAKU_ARCHIVE_PLAYER_API)");
            return;
        }
        QueryParams params = new QueryParams(exchange.getQueryParameters());
        String room;
        int max;
        try {
            room = params.room("id");
            max = params.integer("max", DEFAULT_MAX, 1, MOST);
        } catch (IllegalArgumentException e) {
            failure(exchange, StatusCodes.BAD_REQUEST, e.getMessage());
            return;
        }
        ArchiveFilter shownVerdicts = new ArchiveFilter(room, 0, Long.MAX_VALUE, Set.of("ACCEPTED", "MASKED"), null, null);
        List<List<Object>> data = new ArrayList<>();
        long firstSentAtMs = -1;
        ArchiveStore.Seek after = null;
        try {
            // recalled rows are not shown: read on past them, a few pages at most
            for (int page = 0; page < MOST_PAGES && data.size() < max; page++) {
                int wanted = max - data.size();
                List<ArchivedDanmaku> rows = store.page(shownVerdicts, ArchiveStore.Order.SENT_AT, after, wanted);
                for (ArchivedDanmaku row : rows) {
                    if (!BilibiliXml.wasShown(row)) {
                        continue;
                    }
                    if (firstSentAtMs < 0) {
                        firstSentAtMs = row.sentAtMs();
                    }
                    data.add(List.of(BilibiliXml.shownAtMs(row, firstSentAtMs) / 1000.0, dplayerType(row.mode()),
                            BilibiliXml.rgb(row.color()), bilibili.sender(row.userId()), escapeHtml(row.text())));
                }
                if (rows.size() < wanted) {
                    break;
                }
                after = ArchiveStore.Seek.after(ArchiveStore.Order.SENT_AT, rows.get(rows.size() - 1));
            }
        } catch (SQLException e) {
            log.warn("Player API query of {} failed: {}", room, e.getMessage());
            failure(exchange, StatusCodes.SERVICE_UNAVAILABLE, "the archive database is unavailable; try again");
            return;
        }
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-cache");
        Json.send(exchange, StatusCodes.OK, Map.of("code", 0, "data", data));
    }

    private static void failure(HttpServerExchange exchange, int status, String message) {
        Json.send(exchange, status, Map.of("code", 1, "msg", message));
    }

    /** DPlayer's types: 0 scrolls from the right, 1 top, 2 bottom. */
    private static int dplayerType(String mode) {
        return switch (mode) {
            case "TOP" -> 1;
            case "BOTTOM" -> 2;
            default -> 0;
        };
    }

    static String escapeHtml(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
