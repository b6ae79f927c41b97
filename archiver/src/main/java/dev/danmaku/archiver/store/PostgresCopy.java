package dev.danmaku.archiver.store;

import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import org.postgresql.PGConnection;

import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.Mode;
import dev.danmaku.proto.v1.Reason;

/**
 * The fast path for PostgreSQL: COPY a batch into a session-local staging table, then move it
 * with one {@code INSERT ... SELECT ... ON CONFLICT DO NOTHING}, so idempotency holds exactly as
 * with plain inserts (a msgId stored before, or twice in the batch, is kept once).
 */
final class PostgresCopy {

    private static final String STAGE = "CREATE TEMP TABLE IF NOT EXISTS danmaku_incoming (LIKE danmaku)"
            + " ON COMMIT DELETE ROWS";
    private static final String COPY = """
            COPY danmaku_incoming (msg_id, room_id, user_id, user_name, text, color, mode, font_size, sent_at_ms,
                                   video_offset_ms, verdict, reason, rule_set_version, original_text,
                                   kafka_partition, kafka_offset) FROM STDIN""";
    private static final String MOVE = "INSERT INTO danmaku SELECT * FROM danmaku_incoming ON CONFLICT DO NOTHING";

    private PostgresCopy() {
    }

    /** Runs inside the caller's transaction. */
    static void write(Connection connection, List<ArchiveStore.Incoming> verdicts) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(STAGE);
            connection.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY, new StringReader(rows(verdicts)));
            statement.executeUpdate(MOVE);
        } catch (IOException e) {
            throw new SQLException("COPY of a batch failed: " + e.getMessage(), "08006", e);
        }
    }

    /** COPY's text format: tab-separated, \N for NULL, backslash escapes. */
    static String rows(List<ArchiveStore.Incoming> verdicts) {
        StringBuilder out = new StringBuilder(verdicts.size() * 200);
        for (ArchiveStore.Incoming incoming : verdicts) {
            JudgedDanmaku judged = incoming.judged();
            Danmaku danmaku = judged.getDanmaku();
            text(out, danmaku.getMsgId()).append('\t');
            text(out, danmaku.getRoomId()).append('\t');
            text(out, danmaku.getUserId()).append('\t');
            text(out, danmaku.getUserName()).append('\t');
            text(out, danmaku.getText()).append('\t');
            out.append(danmaku.getColor()).append('\t');
            out.append(danmaku.getMode() == Mode.MODE_UNSPECIFIED ? Mode.SCROLL.name() : danmaku.getMode().name()).append('\t');
            out.append(danmaku.getFontSize()).append('\t');
            out.append(danmaku.getSentAtMs()).append('\t');
            out.append(danmaku.getVideoOffsetMs()).append('\t');
            out.append(judged.getVerdict().name()).append('\t');
            out.append(judged.getReason() == Reason.REASON_UNSPECIFIED ? "\\N" : judged.getReason().name()).append('\t');
            out.append(judged.getRuleSetVersion()).append('\t');
            if (judged.getOriginalText().isEmpty()) {
                out.append("\\N");
            } else {
                text(out, judged.getOriginalText());
            }
            out.append('\t');
            out.append(incoming.partition()).append('\t');
            out.append(incoming.offset()).append('\n');
        }
        return out.toString();
    }

    private static StringBuilder text(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\0' -> out.append('\uFFFD'); // PostgreSQL text cannot hold U+0000
                default -> out.append(c);
            }
        }
        return out;
    }
}
