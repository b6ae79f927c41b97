package dev.danmaku.archiver.store;

import java.sql.SQLException;
import java.util.Set;

import javax.sql.DataSource;

/** How the archive table is split by time: daily partitions on PostgreSQL, one plain table on H2. */
interface Partitioning {

    long DAY_MS = 86_400_000L;

    /** Makes sure rows sent on these UTC days (epoch days) have a partition to go to; commits on its own. */
    void cover(DataSource dataSource, Set<Long> epochDays) throws SQLException;

    /** Removes every row sent before {@code cutoffMs} that can be removed whole; answers how many days/rows went. */
    String dropBefore(DataSource dataSource, long cutoffMs) throws SQLException;

    static long epochDay(long epochMs) {
        return Math.floorDiv(epochMs, DAY_MS);
    }
}
