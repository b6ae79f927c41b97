package dev.danmaku.archiver.store;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;

import dev.danmaku.common.MsgIds;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.Mode;
import dev.danmaku.proto.v1.Reason;

/**
 * The archive table, on PostgreSQL (partitioned by day) or H2 (one table) through the same SQL.
 * Writes are batched and idempotent; reads are keyset pages, streams, and aggregates.
 */
public final class ArchiveStore implements AutoCloseable {

    /** A verdict read from Kafka, with where it was read. */
    public record Incoming(JudgedDanmaku judged, int partition, long offset) {
    }

    /** A moderator's recall of a danmaku, which must be of the room the recall names. */
    public record RecallMark(String roomId, String msgId, long recalledAtMs) {
    }

    /** Receives rows of a stream one at a time. */
    @FunctionalInterface
    public interface RowSink {
        void accept(ArchivedDanmaku row) throws IOException;
    }

    /** The order rows are read in: by send time, or by position in the video (VOD replay). */
    public enum Order {
        SENT_AT("sent_at_ms", "msg_id"),
        VIDEO_OFFSET("video_offset_ms", "sent_at_ms", "msg_id");

        private final List<String> columns;

        Order(String... columns) {
            this.columns = List.of(columns);
        }
    }

    /**
     * A keyset position in an {@link Order}: the leading value (sentAtMs or videoOffsetMs), then
     * the tie-breakers of the last row read.
     */
    public record Seek(long leading, long sentAtMs, String msgId) {
        public static Seek after(Order order, ArchivedDanmaku row) {
            return new Seek(order == Order.SENT_AT ? row.sentAtMs() : row.videoOffsetMs(), row.sentAtMs(), row.msgId());
        }
    }

    /** The maintenance task that clears refused texts, by its name in archive_progress. */
    private static final String CLEAR_REFUSED_TEXT = "clear-refused-text";

    public static final String VERDICTS_AS_TEXT = "ACCEPTED, MASKED, SHADOWED, REJECTED";
    public static final List<String> VERDICTS = List.of("ACCEPTED", "MASKED", "SHADOWED", "REJECTED");

    private static final String INSERT = """
            INSERT INTO danmaku (msg_id, room_id, user_id, user_name, text, color, mode, font_size, sent_at_ms,
                                 video_offset_ms, verdict, reason, rule_set_version, original_text,
                                 kafka_partition, kafka_offset)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT DO NOTHING""";
    /**
     * A recall keeps the first recall time and touches only its own room (a moderator scoped to one room
     * cannot recall another's danmaku by its id); a msgId's time (UUIDv7) narrows the partitions searched.
     */
    private static final String RECALL =
            "UPDATE danmaku SET recalled_at_ms = ? WHERE msg_id = ? AND room_id = ? AND recalled_at_ms IS NULL";
    private static final String RECALL_NEAR = RECALL + " AND sent_at_ms >= ? AND sent_at_ms < ?";
    private static final long RECALL_WINDOW_MS = Partitioning.DAY_MS;
    private static final String COLUMNS = """
            msg_id, room_id, user_id, user_name, text, color, mode, font_size, sent_at_ms, video_offset_ms,
            verdict, reason, rule_set_version, original_text, recalled_at_ms""";
    private static final int STREAM_FETCH_SIZE = 2000;
    private static final int STATEMENT_TIMEOUT_SECONDS = 60;

    /**
     * Connections of ingest, imports and maintenance, apart from the API's: no number of queries,
     * exports or replays can make the live archive wait for a connection.
     */
    public static final int WRITE_POOL_SIZE = 3;

    private final HikariDataSource writes;
    private final HikariDataSource reads;
    private final Partitioning partitioning;
    /** PostgreSQL writes batches with COPY; H2 with batched inserts. */
    private final boolean postgres;

    private ArchiveStore(HikariDataSource writes, HikariDataSource reads, Partitioning partitioning, boolean postgres) {
        this.writes = writes;
        this.reads = reads;
        this.partitioning = partitioning;
        this.postgres = postgres;
    }

    /**
     * Connects and brings the schema up to date.
     *
     * @param readPoolSize connections of the API (queries, exports, replays); writes have {@value #WRITE_POOL_SIZE} of their own
     */
    public static ArchiveStore open(String jdbcUrl, String user, String password, int readPoolSize) {
        boolean postgres = jdbcUrl.startsWith("jdbc:postgresql:");
        HikariDataSource writes = pool(jdbcUrl, user, password, WRITE_POOL_SIZE, "archive-writes");
        try {
            Flyway.configure().dataSource(writes).locations(postgres ? "classpath:db/postgresql" : "classpath:db/h2")
                    .load().migrate();
            HikariDataSource reads = pool(jdbcUrl, user, password, readPoolSize, "archive-reads");
            return new ArchiveStore(writes, reads, postgres ? new DailyPartitions() : new UnpartitionedTable(), postgres);
        } catch (RuntimeException e) {
            writes.close();
            throw e;
        }
    }

    private static HikariDataSource pool(String jdbcUrl, String user, String password, int size, String name) {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(jdbcUrl);
        hikari.setUsername(user);
        hikari.setPassword(password);
        hikari.setMaximumPoolSize(size);
        hikari.setPoolName(name);
        hikari.setInitializationFailTimeout(10_000);
        // a dead database must fail a write quickly, so ingest can pause and retry
        hikari.setConnectionTimeout(5_000);
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            hikari.addDataSourceProperty("reWriteBatchedInserts", "true");
        }
        try {
            return new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot connect to the archive database " + jdbcUrl + ": " + e.getMessage(), e);
        }
    }

    /**
     * Stores verdicts and recall marks in one database transaction; rows already stored are left
     * as they are, so writing a batch again after a failure adds nothing twice.
     */
    public void write(List<Incoming> verdicts, List<RecallMark> recalls) throws SQLException {
        Set<Long> days = new HashSet<>();
        for (Incoming incoming : verdicts) {
            days.add(Partitioning.epochDay(incoming.judged().getDanmaku().getSentAtMs()));
        }
        partitioning.cover(writes, days);
        try (Connection connection = writes.getConnection()) {
            connection.setAutoCommit(false);
            try {
                if (!verdicts.isEmpty() && postgres) {
                    PostgresCopy.write(connection, verdicts);
                } else if (!verdicts.isEmpty()) {
                    try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                        insert.setQueryTimeout(STATEMENT_TIMEOUT_SECONDS);
                        for (Incoming incoming : verdicts) {
                            bind(insert, incoming);
                            insert.addBatch();
                        }
                        insert.executeBatch();
                    }
                }
                for (RecallMark mark : recalls) {
                    recall(connection, mark);
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(connection, e);
                throw e;
            }
        }
    }

    private static void recall(Connection connection, RecallMark mark) throws SQLException {
        OptionalLong idTime = MsgIds.epochMillis(mark.msgId());
        try (PreparedStatement update = connection.prepareStatement(idTime.isPresent() ? RECALL_NEAR : RECALL)) {
            update.setQueryTimeout(STATEMENT_TIMEOUT_SECONDS);
            update.setLong(1, mark.recalledAtMs());
            update.setString(2, mark.msgId());
            update.setString(3, mark.roomId());
            if (idTime.isPresent()) {
                update.setLong(4, idTime.getAsLong() - RECALL_WINDOW_MS);
                update.setLong(5, idTime.getAsLong() + RECALL_WINDOW_MS);
            }
            if (update.executeUpdate() == 0 && idTime.isPresent()) {
                // the id's time was not near its send time after all: look everywhere
                try (PreparedStatement anywhere = connection.prepareStatement(RECALL)) {
                    anywhere.setLong(1, mark.recalledAtMs());
                    anywhere.setString(2, mark.msgId());
                    anywhere.setString(3, mark.roomId());
                    anywhere.executeUpdate();
                }
            }
        }
    }

    private static void rollbackQuietly(Connection connection, Exception cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    private static void bind(PreparedStatement insert, Incoming incoming) throws SQLException {
        JudgedDanmaku judged = incoming.judged();
        Danmaku danmaku = judged.getDanmaku();
        insert.setString(1, clean(danmaku.getMsgId()));
        insert.setString(2, clean(danmaku.getRoomId()));
        insert.setString(3, clean(danmaku.getUserId()));
        insert.setString(4, clean(danmaku.getUserName()));
        insert.setString(5, clean(danmaku.getText()));
        insert.setInt(6, danmaku.getColor());
        insert.setString(7, danmaku.getMode() == Mode.MODE_UNSPECIFIED ? Mode.SCROLL.name() : danmaku.getMode().name());
        insert.setInt(8, danmaku.getFontSize());
        insert.setLong(9, danmaku.getSentAtMs());
        insert.setLong(10, danmaku.getVideoOffsetMs());
        insert.setString(11, judged.getVerdict().name());
        insert.setString(12, judged.getReason() == Reason.REASON_UNSPECIFIED ? null : judged.getReason().name());
        insert.setLong(13, judged.getRuleSetVersion());
        insert.setString(14, judged.getOriginalText().isEmpty() ? null : clean(judged.getOriginalText()));
        insert.setInt(15, incoming.partition());
        insert.setLong(16, incoming.offset());
    }

    /** PostgreSQL text cannot hold U+0000; it is stored as U+FFFD rather than refusing the row. */
    private static String clean(String value) {
        return value.indexOf('\0') < 0 ? value : value.replace('\0', '\uFFFD');
    }

    /** One page of a room's history; asks for one row more than the limit to know whether more follow. */
    public List<ArchivedDanmaku> query(RoomQuery query) throws SQLException {
        Seek after = query.after() == null ? null
                : new Seek(query.after().sentAtMs(), query.after().sentAtMs(), query.after().msgId());
        return page(query.filter(), Order.SENT_AT, after, query.limit() + 1);
    }

    /** Up to {@code limit} rows in the given order, after a keyset position (null = from the start). */
    public List<ArchivedDanmaku> page(ArchiveFilter filter, Order order, Seek after, int limit) throws SQLException {
        Sql sql = select(filter, order, after).append(" LIMIT ?", limit);
        List<ArchivedDanmaku> rows = new ArrayList<>();
        try (Connection connection = reads.getConnection();
             PreparedStatement select = sql.prepare(connection);
             ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                rows.add(row(rs));
            }
        }
        return rows;
    }

    /** Every matching row in send-time order, read with a database cursor: memory stays flat however many. */
    public long stream(ArchiveFilter filter, RowSink sink) throws SQLException, IOException {
        Sql sql = select(filter, Order.SENT_AT, null);
        long count = 0;
        try (Connection connection = reads.getConnection()) {
            connection.setAutoCommit(false); // PostgreSQL only streams with a cursor inside a transaction
            connection.setReadOnly(true);
            try (PreparedStatement select = sql.prepare(connection)) {
                select.setFetchSize(STREAM_FETCH_SIZE);
                select.setQueryTimeout(0); // an export lasts as long as its reader needs
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        sink.accept(row(rs));
                        count++;
                    }
                }
            } finally {
                connection.rollback();
                connection.setReadOnly(false);
                connection.setAutoCommit(true);
            }
        }
        return count;
    }

    /** Rooms with danmaku sent in [fromMs, toMs), by room id, after {@code afterRoom} (null = first). */
    public List<RoomActivity> rooms(long fromMs, long toMs, String afterRoom, int limit) throws SQLException {
        Sql sql = new Sql("SELECT room_id, COUNT(*), MIN(sent_at_ms), MAX(sent_at_ms) FROM danmaku"
                + " WHERE sent_at_ms >= ? AND sent_at_ms < ?", fromMs, toMs);
        if (afterRoom != null) {
            sql.append(" AND room_id > ?", afterRoom);
        }
        sql.append(" GROUP BY room_id ORDER BY room_id LIMIT ?", limit);
        List<RoomActivity> rooms = new ArrayList<>();
        try (Connection connection = reads.getConnection();
             PreparedStatement select = sql.prepare(connection);
             ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                rooms.add(new RoomActivity(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)));
            }
        }
        return rooms;
    }

    /** Counts per bucket of {@code bucketMs} (by verdict, unique senders), the top senders and the peak bucket. */
    /** Statistics answer at most this many buckets: a year in minutes would be half a million. */
    public static final int MAX_BUCKETS = 10_000;

    /** More buckets than {@link #MAX_BUCKETS} hold danmaku in the range asked for. */
    public static final class TooManyBuckets extends RuntimeException {
        TooManyBuckets() {
            super("more than " + MAX_BUCKETS + " buckets hold danmaku in this range: choose a larger bucket or a shorter"
                    + " range", null, false, false);
        }
    }

    public RoomStats stats(ArchiveFilter filter, long bucketMs, int topSenders) throws SQLException {
        Sql perBucket = new Sql("SELECT bucket, verdict, COUNT(*) FROM (SELECT sent_at_ms - MOD(sent_at_ms, ?) AS bucket,"
                + " verdict FROM danmaku", bucketMs).where(filter).append(") b GROUP BY bucket, verdict");
        Sql sendersPerBucket = new Sql("SELECT bucket, COUNT(DISTINCT user_id) FROM (SELECT sent_at_ms - MOD(sent_at_ms, ?)"
                + " AS bucket, user_id FROM danmaku", bucketMs).where(filter).append(") b GROUP BY bucket");
        Sql senders = new Sql("SELECT COUNT(DISTINCT user_id) FROM danmaku").where(filter);
        Sql top = new Sql("SELECT user_id, MAX(user_name), COUNT(*) AS n FROM danmaku").where(filter)
                .append(" GROUP BY user_id ORDER BY n DESC, user_id LIMIT ?", topSenders);

        TreeMap<Long, Map<String, Long>> verdictsByBucket = new TreeMap<>();
        Map<Long, Long> uniqueByBucket = new LinkedHashMap<>();
        Map<String, Long> totalByVerdict = new LinkedHashMap<>();
        VERDICTS.forEach(verdict -> totalByVerdict.put(verdict, 0L));
        long uniqueSenders;
        List<RoomStats.Sender> topList = new ArrayList<>();
        try (Connection connection = reads.getConnection()) {
            connection.setReadOnly(true);
            try {
                try (PreparedStatement select = perBucket.prepare(connection); ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        String verdict = rs.getString(2);
                        if (verdictsByBucket.size() == MAX_BUCKETS && !verdictsByBucket.containsKey(rs.getLong(1))) {
                            throw new TooManyBuckets();
                        }
                        verdictsByBucket.computeIfAbsent(rs.getLong(1), b -> zeroes()).merge(verdict, rs.getLong(3), Long::sum);
                        totalByVerdict.merge(verdict, rs.getLong(3), Long::sum);
                    }
                }
                try (PreparedStatement select = sendersPerBucket.prepare(connection); ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        uniqueByBucket.put(rs.getLong(1), rs.getLong(2));
                    }
                }
                try (PreparedStatement select = senders.prepare(connection); ResultSet rs = select.executeQuery()) {
                    rs.next();
                    uniqueSenders = rs.getLong(1);
                }
                try (PreparedStatement select = top.prepare(connection); ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        topList.add(new RoomStats.Sender(rs.getString(1), rs.getString(2), rs.getLong(3)));
                    }
                }
            } finally {
                connection.setReadOnly(false);
            }
        }
        List<RoomStats.Bucket> buckets = new ArrayList<>();
        RoomStats.Bucket peak = null;
        for (Map.Entry<Long, Map<String, Long>> entry : verdictsByBucket.entrySet()) {
            long total = entry.getValue().values().stream().mapToLong(Long::longValue).sum();
            RoomStats.Bucket bucket = new RoomStats.Bucket(entry.getKey(), total, entry.getValue(),
                    uniqueByBucket.getOrDefault(entry.getKey(), 0L));
            buckets.add(bucket);
            if (peak == null || total > peak.total()) {
                peak = bucket;
            }
        }
        long total = totalByVerdict.values().stream().mapToLong(Long::longValue).sum();
        return new RoomStats(filter.roomId(), bucketMs, buckets, totalByVerdict, total, uniqueSenders, topList, peak);
    }

    private static Map<String, Long> zeroes() {
        Map<String, Long> counts = new LinkedHashMap<>();
        VERDICTS.forEach(verdict -> counts.put(verdict, 0L));
        return counts;
    }

    /** Creates the partitions for the days from today to {@code daysAhead} days on. */
    public void prepareDays(long nowMs, int daysAhead) throws SQLException {
        Set<Long> days = new HashSet<>();
        long today = Partitioning.epochDay(nowMs);
        for (long day = today; day <= today + daysAhead; day++) {
            days.add(day);
        }
        partitioning.cover(writes, days);
    }

    /** Retention: removes what was sent before the cutoff (whole partitions on PostgreSQL); says what went. */
    public String dropBefore(long cutoffMs) throws SQLException {
        return partitioning.dropBefore(writes, cutoffMs);
    }

    /**
     * Privacy: clears what nobody but its sender was shown, of danmaku sent before the cutoff — the
     * text of rejected and shadowed ones, the original of masked ones — and keeps the rows (verdict,
     * reason, time) for statistics. Each run starts where the last one stopped (archive_progress), so
     * it reads only the days that came of age since. Returns the rows cleared.
     */
    public int clearRefusedTextBefore(long cutoffMs) throws SQLException {
        try (Connection connection = writes.getConnection()) {
            connection.setAutoCommit(false);
            try {
                long from = progress(connection, CLEAR_REFUSED_TEXT);
                int cleared = 0;
                if (from < cutoffMs) {
                    cleared = clearRefusedText(connection, from, cutoffMs);
                    saveProgress(connection, CLEAR_REFUSED_TEXT, cutoffMs);
                }
                connection.commit();
                return cleared;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /** The same for danmaku sent in {@code [fromMs, toMs)}, whatever was done before. */
    public int clearRefusedText(long fromMs, long toMs) throws SQLException {
        try (Connection connection = writes.getConnection()) {
            return clearRefusedText(connection, fromMs, toMs);
        }
    }

    private static int clearRefusedText(Connection connection, long fromMs, long toMs) throws SQLException {
        try (PreparedStatement clear = connection.prepareStatement("""
                UPDATE danmaku SET text = CASE WHEN verdict IN ('REJECTED', 'SHADOWED') THEN '' ELSE text END,
                                   original_text = NULL
                WHERE sent_at_ms >= ? AND sent_at_ms < ?
                  AND ((verdict IN ('REJECTED', 'SHADOWED') AND text <> '') OR original_text IS NOT NULL)""")) {
            clear.setLong(1, fromMs);
            clear.setLong(2, toMs);
            return clear.executeUpdate();
        }
    }

    private static long progress(Connection connection, String task) throws SQLException {
        try (PreparedStatement read = connection.prepareStatement("SELECT done_before_ms FROM archive_progress WHERE task = ?")) {
            read.setString(1, task);
            try (ResultSet rs = read.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    private static void saveProgress(Connection connection, String task, long doneBeforeMs) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE archive_progress SET done_before_ms = ? WHERE task = ?")) {
            update.setLong(1, doneBeforeMs);
            update.setString(2, task);
            if (update.executeUpdate() > 0) {
                return;
            }
        }
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO archive_progress (task, done_before_ms) VALUES (?, ?)")) {
            insert.setString(1, task);
            insert.setLong(2, doneBeforeMs);
            insert.executeUpdate();
        }
    }

    private static Sql select(ArchiveFilter filter, Order order, Seek after) {
        Sql sql = new Sql("SELECT " + COLUMNS + " FROM danmaku").where(filter);
        if (after != null) {
            List<String> columns = order.columns;
            // the redundant bound lets the index range start at the position instead of at the filter's start
            sql.append(" AND " + columns.get(0) + " >= ?", after.leading());
            List<Object> values = order == Order.SENT_AT ? List.of(after.sentAtMs(), after.msgId())
                    : List.of(after.leading(), after.sentAtMs(), after.msgId());
            sql.append(" AND ");
            keysetAfter(sql, columns, values, 0);
        }
        sql.append(" ORDER BY " + String.join(", ", order.columns));
        return sql;
    }

    /** (c0, c1, ...) > (v0, v1, ...), spelled out so that both databases plan it alike. */
    private static void keysetAfter(Sql sql, List<String> columns, List<Object> values, int i) {
        if (i == columns.size() - 1) {
            sql.append(columns.get(i) + " > ?", values.get(i));
            return;
        }
        sql.append("(" + columns.get(i) + " > ? OR (" + columns.get(i) + " = ? AND ", values.get(i), values.get(i));
        keysetAfter(sql, columns, values, i + 1);
        sql.append("))");
    }

    private static ArchivedDanmaku row(ResultSet rs) throws SQLException {
        long recalledAt = rs.getLong(15);
        Long recalled = rs.wasNull() ? null : recalledAt;
        return new ArchivedDanmaku(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getInt(6), rs.getString(7), rs.getInt(8), rs.getLong(9), rs.getLong(10),
                rs.getString(11), rs.getString(12), rs.getLong(13), rs.getString(14), recalled);
    }

    public boolean reachable() {
        try (Connection connection = writes.getConnection()) {
            return connection.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    /** For tests and benchmarks that look under the store. */
    public DataSource dataSource() {
        return writes;
    }

    /** Database connections the API's queries, exports and replays share. */
    public int readPoolSize() {
        return reads.getMaximumPoolSize();
    }

    @Override
    public void close() {
        reads.close();
        writes.close();
    }

    /** SQL text with its parameters, built in step. */
    private static final class Sql {
        private final StringBuilder text = new StringBuilder();
        private final List<Object> params = new ArrayList<>();

        Sql(String text, Object... params) {
            append(text, params);
        }

        Sql append(String more, Object... values) {
            text.append(more);
            params.addAll(List.of(values));
            return this;
        }

        Sql where(ArchiveFilter filter) {
            append(" WHERE room_id = ? AND sent_at_ms >= ? AND sent_at_ms < ?", filter.roomId(), filter.fromMs(),
                    filter.toMs());
            if (filter.userId() != null) {
                append(" AND user_id = ?", filter.userId());
            }
            if (filter.textContains() != null) {
                append(" AND LOWER(text) LIKE ? ESCAPE '\\'", "%" + likeEscaped(filter.textContains().toLowerCase()) + "%");
            }
            if (!filter.verdicts().isEmpty()) {
                append(" AND verdict IN (" + "?,".repeat(filter.verdicts().size() - 1) + "?)");
                params.addAll(filter.verdicts().stream().sorted().toList());
            }
            return this;
        }

        private static String likeEscaped(String fragment) {
            return fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
        }

        PreparedStatement prepare(Connection connection) throws SQLException {
            PreparedStatement statement = connection.prepareStatement(text.toString());
            try {
                statement.setQueryTimeout(STATEMENT_TIMEOUT_SECONDS);
                for (int i = 0; i < params.size(); i++) {
                    Object value = params.get(i);
                    if (value instanceof Long number) {
                        statement.setLong(i + 1, number);
                    } else if (value instanceof Integer number) {
                        statement.setInt(i + 1, number);
                    } else {
                        statement.setString(i + 1, (String) value);
                    }
                }
            } catch (SQLException | RuntimeException e) {
                statement.close();
                throw e;
            }
            return statement;
        }
    }
}
