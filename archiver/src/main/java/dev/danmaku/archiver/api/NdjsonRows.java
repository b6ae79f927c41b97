package dev.danmaku.archiver.api;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonGenerator;

import dev.danmaku.archiver.store.ArchivedDanmaku;

/**
 * One archived danmaku as a JSON object, field by field: the same names the query endpoint
 * returns, written without reflection because an export writes millions of them.
 */
final class NdjsonRows {

    private NdjsonRows() {
    }

    static void write(JsonGenerator json, ArchivedDanmaku row) throws IOException {
        json.writeStartObject();
        json.writeStringField("msgId", row.msgId());
        json.writeStringField("roomId", row.roomId());
        json.writeStringField("userId", row.userId());
        json.writeStringField("userName", row.userName());
        json.writeStringField("text", row.text());
        json.writeNumberField("color", row.color());
        json.writeStringField("mode", row.mode());
        json.writeNumberField("fontSize", row.fontSize());
        json.writeNumberField("sentAtMs", row.sentAtMs());
        json.writeNumberField("videoOffsetMs", row.videoOffsetMs());
        json.writeStringField("verdict", row.verdict());
        json.writeStringField("reason", row.reason());
        json.writeNumberField("ruleSetVersion", row.ruleSetVersion());
        json.writeStringField("originalText", row.originalText());
        if (row.recalledAtMs() == null) {
            json.writeNullField("recalledAtMs");
        } else {
            json.writeNumberField("recalledAtMs", row.recalledAtMs());
        }
        json.writeEndObject();
    }
}
