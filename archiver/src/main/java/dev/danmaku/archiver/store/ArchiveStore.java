package dev.danmaku.archiver.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;

import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.Reason;

/** The archive table, on PostgreSQL or H2 through the same SQL. */
public final class ArchiveStore implements AutoCloseable {

    /** A verdict read from Kafka, with where it was read. */
    public record Incoming(JudgedDanmaku judged, int partition, long offset) {
    }

    /** A moderator's recall of a stored danmaku. */
    public record RecallMark(String msgId, long recalledAtMs) {
    }

    private static final String INSERT = """
            INSERT INTO danmaku (msg_id, room_id, user_id, user_name, text, color, mode, font_size, sent_at_ms,
                                 video_offset_ms, verdict, reason, rule_set_version, original_text,
                                 kafka_partition, kafka_offset)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT DO NOTHING""";
    private static final String RECALL = "UPDATE danmaku SET recalled_at_ms = ? WHERE msg_id = ?";
    private static final String COLUMNS = """
            msg_id, room_id, user_id, user_name, text, color, mode, font_size, sent_at_ms, video_offset_ms,
            verdict, reason, rule_set_version, original_text, recalled_at_ms""";

    private final HikariDataSource dataSource;

    private ArchiveStore(HikariDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Connects and brings the schema up to date. */
    public static ArchiveStore open(String jdbcUrl, String user, String password, int maxPoolSize) {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(jdbcUrl);
        hikari.setUsername(user);
        hikari.setPassword(password);
        hikari.setMaximumPoolSize(maxPoolSize);
        hikari.setPoolName("archive");
        hikari.setInitializationFailTimeout(10_000);
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            hikari.addDataSourceProperty("reWriteBatchedInserts", "true");
        }
        HikariDataSource dataSource;
        try {
            dataSource = new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot connect to the archive database " + jdbcUrl + ": " + e.getMessage(), e);
        }
        migrate(dataSource);
        return new ArchiveStore(dataSource);
    }

    private static void migrate(DataSource dataSource) {
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
    }

    /** Stores verdicts and recall marks in one database transaction; rows already stored are left as they are. */
    public void write(List<Incoming> verdicts, List<RecallMark> recalls) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                    for (Incoming incoming : verdicts) {
                        bind(insert, incoming);
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
                try (PreparedStatement recall = connection.prepareStatement(RECALL)) {
                    for (RecallMark mark : recalls) {
                        recall.setLong(1, mark.recalledAtMs());
                        recall.setString(2, mark.msgId());
                        recall.addBatch();
                    }
                    recall.executeBatch();
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    private static void bind(PreparedStatement insert, Incoming incoming) throws SQLException {
        JudgedDanmaku judged = incoming.judged();
        var danmaku = judged.getDanmaku();
        insert.setString(1, danmaku.getMsgId());
        insert.setString(2, danmaku.getRoomId());
        insert.setString(3, danmaku.getUserId());
        insert.setString(4, danmaku.getUserName());
        insert.setString(5, danmaku.getText());
        insert.setInt(6, danmaku.getColor());
        insert.setString(7, danmaku.getMode().name());
        insert.setInt(8, danmaku.getFontSize());
        insert.setLong(9, danmaku.getSentAtMs());
        insert.setLong(10, danmaku.getVideoOffsetMs());
        insert.setString(11, judged.getVerdict().name());
        insert.setString(12, judged.getReason() == Reason.REASON_UNSPECIFIED ? null : judged.getReason().name());
        insert.setLong(13, judged.getRuleSetVersion());
        insert.setString(14, judged.getOriginalText().isEmpty() ? null : judged.getOriginalText());
        insert.setInt(15, incoming.partition());
        insert.setLong(16, incoming.offset());
    }

    /** One page of a room's history; asks for one row more than the limit to know whether more follow. */
    public List<ArchivedDanmaku> query(RoomQuery query) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS
                + " FROM danmaku WHERE room_id = ? AND sent_at_ms >= ? AND sent_at_ms < ?");
        if (query.after() != null) {
            sql.append(" AND (sent_at_ms > ? OR (sent_at_ms = ? AND msg_id > ?))");
        }
        if (!query.verdicts().isEmpty()) {
            sql.append(" AND verdict IN (").append("?,".repeat(query.verdicts().size() - 1)).append("?)");
        }
        sql.append(" ORDER BY sent_at_ms, msg_id LIMIT ?");
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(sql.toString())) {
            int i = 1;
            select.setString(i++, query.roomId());
            select.setLong(i++, query.fromMs());
            select.setLong(i++, query.toMs());
            if (query.after() != null) {
                select.setLong(i++, query.after().sentAtMs());
                select.setLong(i++, query.after().sentAtMs());
                select.setString(i++, query.after().msgId());
            }
            for (String verdict : query.verdicts()) {
                select.setString(i++, verdict);
            }
            select.setInt(i, query.limit() + 1);
            List<ArchivedDanmaku> rows = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    long recalledAt = rs.getLong(15);
                    Long recalled = rs.wasNull() ? null : recalledAt;
                    rows.add(new ArchivedDanmaku(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getInt(6), rs.getString(7), rs.getInt(8), rs.getLong(9), rs.getLong(10),
                            rs.getString(11), rs.getString(12), rs.getLong(13), rs.getString(14),
                            recalled));
                }
            }
            return rows;
        }
    }

    public boolean reachable() {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
