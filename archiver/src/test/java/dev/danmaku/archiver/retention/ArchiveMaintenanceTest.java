package dev.danmaku.archiver.retention;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.danmaku.archiver.store.ArchiveFilter;
import dev.danmaku.archiver.store.ArchiveStore;
import dev.danmaku.archiver.store.ArchivedDanmaku;
import dev.danmaku.archiver.store.RoomQuery;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.Verdict;

/** Retention and the clearing of refused texts on the embedded H2 archive, on a fixed clock. */
class ArchiveMaintenanceTest {

    private static final Instant NOW = Instant.parse("2026-05-20T10:00:00Z");
    private final ArchiveStore store = ArchiveStore.open("jdbc:h2:mem:" + UUID.randomUUID()
            + ";DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH", "", "", 2);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @AfterEach
    void close() {
        store.close();
    }

    private void write(String msgId, Instant sentAt) throws SQLException {
        write(msgId, sentAt, Verdict.ACCEPTED);
    }

    private void write(String msgId, Instant sentAt, Verdict verdict) throws SQLException {
        store.write(List.of(new ArchiveStore.Incoming(JudgedDanmaku.newBuilder().setVerdict(verdict)
                .setDanmaku(Danmaku.newBuilder().setMsgId(msgId).setRoomId("r").setText("said " + msgId)
                        .setSentAtMs(sentAt.toEpochMilli())).build(),
                0, 0)), List.of());
    }

    private Map<String, String> texts() throws SQLException {
        return store.query(new RoomQuery(ArchiveFilter.wholeRoom("r"), 100, null)).stream()
                .collect(Collectors.toMap(ArchivedDanmaku::msgId, ArchivedDanmaku::text));
    }

    private void maintainAt(Instant now) {
        try (ArchiveMaintenance maintenance = new ArchiveMaintenance(store, Clock.fixed(now, ZoneOffset.UTC), 3,
                Duration.ZERO, Duration.ofDays(30), meters)) {
            maintenance.runOnce();
        }
    }

    @Test
    void clearsRefusedTextsOnceTheyAreOlderThanTheirKeepTimeLookingOnlyAtWhatCameOfAgeSince() throws SQLException {
        write("old-rejected", NOW.minus(Duration.ofDays(40)), Verdict.REJECTED);
        write("old-accepted", NOW.minus(Duration.ofDays(40)));
        write("recent-rejected", NOW.minus(Duration.ofDays(10)), Verdict.REJECTED);

        maintainAt(NOW);
        assertThat(texts()).containsEntry("old-rejected", "").containsEntry("old-accepted", "said old-accepted")
                .containsEntry("recent-rejected", "said recent-rejected");
        assertThat(store.clearRefusedTextBefore(NOW.minus(Duration.ofDays(30)).toEpochMilli()))
                .as("the same cutoff again: nothing left to read").isZero();

        maintainAt(NOW.plus(Duration.ofDays(21)));
        assertThat(texts()).containsEntry("recent-rejected", "").hasSize(3);
        assertThat(meters.counter("danmaku_archive_maintenance_failures").count()).isZero();
    }

    private List<String> stored() throws SQLException {
        return store.query(new RoomQuery(ArchiveFilter.wholeRoom("r"), 100, null)).stream().map(ArchivedDanmaku::msgId)
                .toList();
    }

    @Test
    void dropsWhatIsOlderThanTheRetention() throws SQLException {
        write("old", NOW.minus(Duration.ofDays(8)));
        write("recent", NOW.minus(Duration.ofDays(6)));

        try (ArchiveMaintenance maintenance = new ArchiveMaintenance(store, Clock.fixed(NOW, ZoneOffset.UTC), 3,
                Duration.ofDays(7), Duration.ZERO, meters)) {
            maintenance.runOnce();
        }

        assertThat(stored()).containsExactly("recent");
        assertThat(meters.counter("danmaku_archive_maintenance_failures").count()).isZero();
    }

    @Test
    void keepsEverythingWhenRetentionIsOff() throws SQLException {
        write("ancient", NOW.minus(Duration.ofDays(3000)));

        try (ArchiveMaintenance maintenance = new ArchiveMaintenance(store, Clock.fixed(NOW, ZoneOffset.UTC), 3,
                Duration.ZERO, Duration.ZERO, meters)) {
            maintenance.runOnce();
        }

        assertThat(stored()).containsExactly("ancient");
    }
}
