package dev.danmaku.archiver.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL declarative partitions of {@code danmaku}, one per UTC day of sent_at_ms, named
 * {@code danmaku_pYYYYMMDD}. Created ahead by the maintenance schedule and on demand before a
 * batch that needs one, under an advisory lock so several archivers do not race.
 */
final class DailyPartitions implements Partitioning {

    private static final Logger log = LoggerFactory.getLogger(DailyPartitions.class);
    private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("yyyyMMdd");
    private static final Pattern NAME = Pattern.compile("danmaku_p(\\d{8})");
    /** Any constant both archivers agree on: serialises partition DDL. */
    private static final long DDL_LOCK = 0x64616e6d616bL;

    private final Set<Long> known = ConcurrentHashMap.newKeySet();

    @Override
    public void cover(DataSource dataSource, Set<Long> epochDays) throws SQLException {
        List<Long> missing = epochDays.stream().filter(day -> !known.contains(day)).sorted().toList();
        if (missing.isEmpty()) {
            return;
        }
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (Statement ddl = connection.createStatement()) {
                lockBriefly(ddl);
                for (long day : missing) {
                    ddl.execute("CREATE TABLE IF NOT EXISTS " + name(day) + " PARTITION OF danmaku FOR VALUES FROM ("
                            + day * DAY_MS + ") TO (" + (day + 1) * DAY_MS + ")");
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
        known.addAll(missing);
        log.debug("Archive partitions ready for days {}", missing);
    }

    @Override
    public String dropBefore(DataSource dataSource, long cutoffMs) throws SQLException {
        long cutoffDay = Partitioning.epochDay(cutoffMs);
        List<String> dropped = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (Statement ddl = connection.createStatement()) {
                lockBriefly(ddl);
                List<String> partitions = new ArrayList<>();
                try (ResultSet rs = ddl.executeQuery("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                        + " WHERE i.inhparent = 'danmaku'::regclass")) {
                    while (rs.next()) {
                        partitions.add(rs.getString(1));
                    }
                }
                for (String partition : partitions) {
                    Matcher matcher = NAME.matcher(partition);
                    if (!matcher.matches()) {
                        continue; // not ours: leave it
                    }
                    long day = LocalDate.parse(matcher.group(1), SUFFIX).toEpochDay();
                    if (day < cutoffDay) { // the whole day lies before the cutoff
                        ddl.execute("DROP TABLE " + partition);
                        known.remove(day);
                        dropped.add(partition);
                    }
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
        return dropped.isEmpty() ? "no partitions" : "partitions " + dropped;
    }

    /**
     * Partition DDL waits for readers of the table (a long export holds its lock); waiting long
     * would queue every later query behind it, so it gives up after a while and is tried again.
     */
    private static void lockBriefly(Statement ddl) throws SQLException {
        ddl.execute("SET LOCAL lock_timeout = '5s'");
        ddl.execute("SELECT pg_advisory_xact_lock(" + DDL_LOCK + ")");
    }

    static String name(long epochDay) {
        return "danmaku_p" + LocalDate.ofEpochDay(epochDay).format(SUFFIX);
    }
}
