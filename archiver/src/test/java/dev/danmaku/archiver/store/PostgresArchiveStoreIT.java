package dev.danmaku.archiver.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.danmaku.testkit.DanmakuIT;
import dev.danmaku.testkit.PostgresDatabase;

/** The archive contract on the machine's real PostgreSQL, plus what only PostgreSQL does: partitions. */
@DanmakuIT
class PostgresArchiveStoreIT extends ArchiveStoreContract {

    private static ArchiveStore store;

    @BeforeAll
    static void open(PostgresDatabase database) {
        store = ArchiveStore.open(database.jdbcUrl(), database.user(), database.password(), 2);
    }

    @AfterAll
    static void close() {
        store.close();
    }

    @Override
    protected ArchiveStore store() {
        return store;
    }

    private static List<String> partitions() throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection connection = store.dataSource().getConnection(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                     + " WHERE i.inhparent = 'danmaku'::regclass ORDER BY 1")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    @Test
    void theTableIsPartitionedByDayAndTheComingDaysArePrepared() throws SQLException {
        try (Connection connection = store.dataSource().getConnection(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT partstrat FROM pg_partitioned_table WHERE partrelid = 'danmaku'::regclass")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("r"); // range
        }
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        store.prepareDays(System.currentTimeMillis(), 2);
        assertThat(partitions()).contains(DailyPartitions.name(today.toEpochDay()),
                DailyPartitions.name(today.toEpochDay() + 1), DailyPartitions.name(today.toEpochDay() + 2));
    }

    @Test
    void retentionDropsWholePartitions() throws SQLException {
        long old = Instant.parse("2002-02-10T12:00:00Z").toEpochMilli();
        store.prepareDays(old, 2);
        String oldDay = DailyPartitions.name(LocalDate.of(2002, 2, 10).toEpochDay());
        String keptDay = DailyPartitions.name(LocalDate.of(2002, 2, 11).toEpochDay());
        assertThat(partitions()).contains(oldDay, keptDay);

        String dropped = store.dropBefore(Instant.parse("2002-02-11T01:00:00Z").toEpochMilli());

        assertThat(dropped).contains(oldDay);
        assertThat(partitions()).doesNotContain(oldDay).contains(keptDay);
    }
}
