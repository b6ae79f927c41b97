package dev.danmaku.archiver.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;

import com.fasterxml.jackson.core.JsonGenerator;
import org.junit.jupiter.api.Test;

import dev.danmaku.archiver.store.ArchivedDanmaku;
import dev.danmaku.common.http.Json;

class NdjsonRowsTest {

    private static String written(ArchivedDanmaku row) throws Exception {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = Json.MAPPER.getFactory().createGenerator(out)) {
            NdjsonRows.write(json, row);
        }
        return out.toString();
    }

    @Test
    void writesWhatTheQueryEndpointReturns() throws Exception {
        ArchivedDanmaku refused = new ArchivedDanmaku("m1", "r", "u", "U \"quoted\"", "line\nbreak 弹幕", 0xFF0000, "TOP", 25,
                1000, 20, "REJECTED", "BLOCKED_KEYWORD", 7, "original", 5000L);
        ArchivedDanmaku plain = new ArchivedDanmaku("m2", "r", "u", "U", "hi", 0, "SCROLL", 0, 1, 0, "ACCEPTED", null, 0,
                null, null);
        for (ArchivedDanmaku row : new ArchivedDanmaku[] {refused, plain}) {
            assertThat(written(row)).isEqualTo(Json.MAPPER.writeValueAsString(row));
        }
    }
}
