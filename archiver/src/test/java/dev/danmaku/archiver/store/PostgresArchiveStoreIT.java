package dev.danmaku.archiver.store;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import dev.danmaku.testkit.DanmakuIT;
import dev.danmaku.testkit.PostgresDatabase;

/** The archive contract on the machine's real PostgreSQL. */
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
}
