package dev.danmaku.archiver.ingest;

import java.sql.SQLException;
import java.util.List;

import dev.danmaku.archiver.store.ArchiveStore;

/** Where ingest puts a batch: {@link ArchiveStore#write}, all or nothing, idempotent. */
@FunctionalInterface
public interface ArchiveWriter {
    void write(List<ArchiveStore.Incoming> verdicts, List<ArchiveStore.RecallMark> recalls) throws SQLException;
}
