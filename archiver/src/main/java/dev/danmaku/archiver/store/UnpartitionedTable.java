package dev.danmaku.archiver.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Set;

import javax.sql.DataSource;

/** The embedded H2 archive: one table, so retention deletes rows. */
final class UnpartitionedTable implements Partitioning {

    @Override
    public void cover(DataSource dataSource, Set<Long> epochDays) {
        // every row fits the one table
    }

    @Override
    public String dropBefore(DataSource dataSource, long cutoffMs) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement("DELETE FROM danmaku WHERE sent_at_ms < ?")) {
            delete.setLong(1, cutoffMs);
            return delete.executeUpdate() + " rows";
        }
    }
}
