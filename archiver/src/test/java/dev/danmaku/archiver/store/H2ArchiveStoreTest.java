package dev.danmaku.archiver.store;

import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The archive contract on H2 in PostgreSQL mode, as {@code danmaku dev} runs it. */
class H2ArchiveStoreTest extends ArchiveStoreContract {

    private static ArchiveStore store;

    @BeforeAll
    static void open() {
        store = ArchiveStore.open("jdbc:h2:mem:" + UUID.randomUUID()
                + ";DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH", "", "", 2);
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
