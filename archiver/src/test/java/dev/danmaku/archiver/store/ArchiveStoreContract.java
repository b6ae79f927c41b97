package dev.danmaku.archiver.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.Mode;
import dev.danmaku.proto.v1.Reason;
import dev.danmaku.proto.v1.Verdict;

/** What the archive store must do on every database it supports. */
abstract class ArchiveStoreContract {

    protected abstract ArchiveStore store();

    private final String room = "room-" + UUID.randomUUID().toString().substring(0, 8);

    /** Ids are unique per test (the room is random), since every test shares one database. */
    private String id(String shortId) {
        return room + ":" + shortId;
    }

    private String shortId(ArchivedDanmaku row) {
        return row.msgId().substring(room.length() + 1);
    }

    private ArchiveStore.Incoming verdict(String shortId, long sentAtMs, Verdict verdict, long offset) {
        return verdict(shortId, sentAtMs, verdict, "u1", "text " + shortId, 1234, offset);
    }

    private ArchiveStore.Incoming verdict(String shortId, long sentAtMs, Verdict verdict, String user, String text,
            long videoOffsetMs, long offset) {
        return incoming(room, id(shortId), sentAtMs, verdict, user, text, videoOffsetMs, offset);
    }

    private static ArchiveStore.Incoming incoming(String room, String msgId, long sentAtMs, Verdict verdict, String user,
            String text, long videoOffsetMs, long offset) {
        Danmaku danmaku = Danmaku.newBuilder().setMsgId(msgId).setRoomId(room).setUserId(user)
                .setUserName("User " + user).setText(text).setColor(0xFF0000).setMode(Mode.TOP).setFontSize(25)
                .setSentAtMs(sentAtMs).setVideoOffsetMs(videoOffsetMs).build();
        JudgedDanmaku.Builder judged = JudgedDanmaku.newBuilder().setDanmaku(danmaku).setVerdict(verdict).setRuleSetVersion(7);
        if (verdict == Verdict.REJECTED) {
            judged.setReason(Reason.BLOCKED_KEYWORD).setOriginalText("original " + text);
        }
        return new ArchiveStore.Incoming(judged.build(), 0, offset);
    }

    private ArchiveFilter everything() {
        return ArchiveFilter.wholeRoom(room);
    }

    private RoomQuery all(int limit, RoomQuery.Position after) {
        return new RoomQuery(everything(), limit, after);
    }

    private static ArchiveFilter filter(String room, String user, String text, Set<String> verdicts) {
        return new ArchiveFilter(room, 0, Long.MAX_VALUE, verdicts, user, text);
    }

    @Test
    void storesEverythingAVerdictCarries() throws SQLException {
        store().write(List.of(verdict("m1", 1000, Verdict.REJECTED, 5)), List.of());

        ArchivedDanmaku row = store().query(all(10, null)).get(0);
        assertThat(row).isEqualTo(new ArchivedDanmaku(id("m1"), room, "u1", "User u1", "text m1", 0xFF0000, "TOP", 25, 1000,
                1234, "REJECTED", "BLOCKED_KEYWORD", 7, "original text m1", null));
    }

    @Test
    void ordersByTimeThenIdAndPagesByKeyset() throws SQLException {
        store().write(List.of(verdict("m3", 3000, Verdict.ACCEPTED, 3), verdict("m1", 1000, Verdict.ACCEPTED, 1),
                verdict("m2b", 2000, Verdict.ACCEPTED, 2), verdict("m2a", 2000, Verdict.ACCEPTED, 4)), List.of());

        List<ArchivedDanmaku> first = store().query(all(2, null));
        assertThat(first).extracting(this::shortId).containsExactly("m1", "m2a", "m2b");
        ArchivedDanmaku last = first.get(1);
        List<ArchivedDanmaku> second = store().query(all(2, new RoomQuery.Position(last.sentAtMs(), last.msgId())));
        assertThat(second).extracting(this::shortId).containsExactly("m2b", "m3");
    }

    @Test
    void writingTheSameVerdictTwiceKeepsOneRow() throws SQLException {
        store().write(List.of(verdict("m1", 1000, Verdict.ACCEPTED, 1)), List.of());
        store().write(List.of(verdict("m1", 1000, Verdict.ACCEPTED, 1), verdict("m2", 2000, Verdict.ACCEPTED, 2)),
                List.of());
        // the same verdict twice in one batch, too
        store().write(List.of(verdict("m3", 3000, Verdict.ACCEPTED, 3), verdict("m3", 3000, Verdict.ACCEPTED, 3)),
                List.of());

        assertThat(store().query(all(10, null))).extracting(this::shortId).containsExactly("m1", "m2", "m3");
    }

    @Test
    void filtersByTimeRangeAndVerdict() throws SQLException {
        store().write(List.of(verdict("m1", 1000, Verdict.ACCEPTED, 1), verdict("m2", 2000, Verdict.REJECTED, 2),
                verdict("m3", 3000, Verdict.ACCEPTED, 3)), List.of());

        assertThat(store().query(new RoomQuery(everything().withRange(1000, 3000), 10, null)))
                .extracting(this::shortId).containsExactly("m1", "m2");
        assertThat(store().query(new RoomQuery(filter(room, null, null, Set.of("ACCEPTED")), 10, null)))
                .extracting(this::shortId).containsExactly("m1", "m3");
        assertThat(store().query(new RoomQuery(ArchiveFilter.wholeRoom("another-room"), 10, null))).isEmpty();
    }

    @Test
    void filtersByUserAndByTextFragment() throws SQLException {
        store().write(List.of(
                verdict("a", 1000, Verdict.ACCEPTED, "alice", "Hello World", 0, 1),
                verdict("b", 2000, Verdict.ACCEPTED, "bob", "hello there", 0, 2),
                verdict("c", 3000, Verdict.ACCEPTED, "alice", "100% sure_thing", 0, 3),
                verdict("d", 4000, Verdict.ACCEPTED, "bob", "1000 sureXthing", 0, 4)), List.of());

        assertThat(store().query(new RoomQuery(filter(room, "alice", null, Set.of()), 10, null)))
                .extracting(this::shortId).containsExactly("a", "c");
        assertThat(store().query(new RoomQuery(filter(room, null, "HELLO", Set.of()), 10, null)))
                .extracting(this::shortId).containsExactly("a", "b");
        // LIKE wildcards in the fragment are taken literally
        assertThat(store().query(new RoomQuery(filter(room, null, "0% sure_", Set.of()), 10, null)))
                .extracting(this::shortId).containsExactly("c");
        assertThat(store().query(new RoomQuery(filter(room, "bob", "hello", Set.of()), 10, null)))
                .extracting(this::shortId).containsExactly("b");
    }

    @Test
    void marksARecallOfItsOwnRoomOnly() throws SQLException {
        store().write(List.of(verdict("m1", 1000, Verdict.ACCEPTED, 1)), List.of());
        store().write(List.of(), List.of(new ArchiveStore.RecallMark("another-room", id("m1"), 3000)));
        assertThat(store().query(all(10, null)).get(0).recalledAtMs()).as("a recall named another room").isNull();

        store().write(List.of(), List.of(new ArchiveStore.RecallMark(room, id("m1"), 5000)));
        store().write(List.of(), List.of(new ArchiveStore.RecallMark(room, id("m1"), 9000))); // the first recall counts

        assertThat(store().query(all(10, null)).get(0).recalledAtMs()).isEqualTo(5000L);
    }

    @Test
    void marksARecallOfATimeOrderedId() throws SQLException {
        long now = System.currentTimeMillis();
        String msgId = uuidV7(now);
        store().write(List.of(incoming(room, msgId, now + 3, Verdict.ACCEPTED, "u1", "hi", 0, 1)), List.of());
        store().write(List.of(), List.of(new ArchiveStore.RecallMark(room, msgId, now + 10)));

        assertThat(store().query(all(10, null)).get(0).recalledAtMs()).isEqualTo(now + 10);
    }

    @Test
    void storesRowsOnManyDaysAndKeepsTextsTheDatabaseCouldNotHold() throws SQLException {
        long day = 86_400_000L;
        long start = Instant.parse("2026-03-01T23:59:59.999Z").toEpochMilli();
        store().write(List.of(verdict("d1", start, Verdict.ACCEPTED, "u1", "nul\0inside", 0, 1),
                verdict("d2", start + 1, Verdict.ACCEPTED, 2), verdict("d3", start + 40 * day, Verdict.ACCEPTED, 3)),
                List.of());

        List<ArchivedDanmaku> rows = store().query(all(10, null));
        assertThat(rows).extracting(this::shortId).containsExactly("d1", "d2", "d3");
        assertThat(rows.get(0).text()).isEqualTo("nul\uFFFDinside");
    }

    @Test
    void pagesInVideoOrderForVod() throws SQLException {
        store().write(List.of(verdict("late", 1000, Verdict.ACCEPTED, "u", "x", 9000, 1),
                verdict("early", 2000, Verdict.ACCEPTED, "u", "x", 1000, 2),
                verdict("mid-b", 3000, Verdict.ACCEPTED, "u", "x", 5000, 3),
                verdict("mid-a", 4000, Verdict.ACCEPTED, "u", "x", 5000, 4)), List.of());

        List<ArchivedDanmaku> first = store().page(everything(), ArchiveStore.Order.VIDEO_OFFSET, null, 2);
        assertThat(first).extracting(this::shortId).containsExactly("early", "mid-b");
        List<ArchivedDanmaku> rest = store().page(everything(), ArchiveStore.Order.VIDEO_OFFSET,
                ArchiveStore.Seek.after(ArchiveStore.Order.VIDEO_OFFSET, first.get(1)), 10);
        assertThat(rest).extracting(this::shortId).containsExactly("mid-a", "late");
        // seeking to a video position: everything from it on
        List<ArchivedDanmaku> fromFive = store().page(everything(), ArchiveStore.Order.VIDEO_OFFSET,
                new ArchiveStore.Seek(5000, Long.MIN_VALUE, ""), 10);
        assertThat(fromFive).extracting(this::shortId).containsExactly("mid-b", "mid-a", "late");
    }

    @Test
    void storesWhileEveryApiConnectionIsHeldByExportsWhoseReadersStopped() throws Exception {
        store().write(List.of(verdict("p1", 10_000, Verdict.ACCEPTED, 1)), List.of());
        int apiConnections = store().readPoolSize();
        CountDownLatch allHeld = new CountDownLatch(apiConnections);
        CountDownLatch readersBack = new CountDownLatch(1);
        ExecutorService exports = Executors.newFixedThreadPool(apiConnections);
        try {
            for (int i = 0; i < apiConnections; i++) {
                exports.submit(() -> store().stream(everything(), row -> {
                    allHeld.countDown();
                    try {
                        readersBack.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            assertThat(allHeld.await(10, TimeUnit.SECONDS)).isTrue();

            // on one shared pool this waits for a connection and fails after 5 s
            store().write(List.of(verdict("p2", 10_001, Verdict.ACCEPTED, 2)), List.of());
            assertThat(store().reachable()).isTrue();
        } finally {
            readersBack.countDown();
            exports.shutdown();
            assertThat(exports.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(store().query(all(10, null))).extracting(this::shortId).containsExactly("p1", "p2");
    }

    @Test
    void streamsEveryMatchingRowInOrder() throws Exception {
        List<ArchiveStore.Incoming> batch = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            batch.add(verdict(String.format("s%05d", i), 10_000 + i / 3, i % 10 == 0 ? Verdict.REJECTED : Verdict.ACCEPTED, i));
        }
        store().write(batch, List.of());

        List<String> streamed = new ArrayList<>();
        long count = store().stream(filter(room, null, null, Set.of("ACCEPTED")), row -> streamed.add(shortId(row)));

        assertThat(count).isEqualTo(2250);
        assertThat(streamed).hasSize(2250).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void listsRoomsWithTheirActivity() throws SQLException {
        String other = room + "-b";
        store().write(List.of(verdict("r1", 5_000, Verdict.ACCEPTED, 1), verdict("r2", 7_000, Verdict.ACCEPTED, 2),
                incoming(other, other + ":x", 6_000, Verdict.ACCEPTED, "u", "x", 0, 3)), List.of());

        List<RoomActivity> rooms = store().rooms(4_000, 8_000, room.substring(0, room.length() - 1), 1000).stream()
                .filter(activity -> activity.roomId().startsWith(room)).toList();
        assertThat(rooms).containsExactly(new RoomActivity(room, 2, 5_000, 7_000), new RoomActivity(other, 1, 6_000, 6_000));
        assertThat(store().rooms(4_000, 8_000, room, 1000)).extracting(RoomActivity::roomId).contains(other)
                .doesNotContain(room);
    }

    @Test
    void countsPerBucketWithSendersAndPeak() throws SQLException {
        long minute = 60_000;
        long t0 = 100 * minute;
        store().write(List.of(
                verdict("a", t0 + 1, Verdict.ACCEPTED, "alice", "x", 0, 1),
                verdict("b", t0 + 2, Verdict.REJECTED, "bob", "x", 0, 2),
                verdict("c", t0 + minute + 5, Verdict.ACCEPTED, "alice", "x", 0, 3),
                verdict("d", t0 + minute + 6, Verdict.MASKED, "alice", "x", 0, 4),
                verdict("e", t0 + minute + 7, Verdict.ACCEPTED, "carol", "x", 0, 5),
                verdict("f", t0 + 5 * minute, Verdict.SHADOWED, "bob", "x", 0, 6)), List.of());

        RoomStats stats = store().stats(everything(), minute, 2);

        assertThat(stats.buckets()).extracting(RoomStats.Bucket::startMs).containsExactly(t0, t0 + minute, t0 + 5 * minute);
        assertThat(stats.buckets().get(0).byVerdict()).isEqualTo(Map.of("ACCEPTED", 1L, "MASKED", 0L, "SHADOWED", 0L,
                "REJECTED", 1L));
        assertThat(stats.buckets()).extracting(RoomStats.Bucket::uniqueSenders).containsExactly(2L, 2L, 1L);
        assertThat(stats.peak().startMs()).isEqualTo(t0 + minute);
        assertThat(stats.peak().total()).isEqualTo(3);
        assertThat(stats.total()).isEqualTo(6);
        assertThat(stats.uniqueSenders()).isEqualTo(3);
        assertThat(stats.topSenders()).containsExactly(new RoomStats.Sender("alice", "User alice", 3),
                new RoomStats.Sender("bob", "User bob", 2));
        assertThat(store().stats(everything(), 60 * minute, 2).buckets()).singleElement()
                .satisfies(bucket -> assertThat(bucket.total()).isEqualTo(6));
    }

    @Test
    void pagesReturnEveryRowOnceWhileNewRowsArrive() throws Exception {
        int existing = 3000;
        List<ArchiveStore.Incoming> batch = new ArrayList<>();
        for (int i = 0; i < existing; i++) {
            batch.add(verdict(String.format("old%05d", i), 1_000_000 + i * 10L, Verdict.ACCEPTED, i));
        }
        store().write(batch, List.of());
        AtomicBoolean paging = new AtomicBoolean(true);
        AtomicInteger arrived = new AtomicInteger();
        Thread writer = new Thread(() -> {
            int n = 0;
            while (paging.get()) {
                try {
                    // new rows land before, between and after the rows being paged through
                    store().write(List.of(verdict("new" + n, 1_000_000 + (n * 7919L) % (existing * 10L + 5000), Verdict.ACCEPTED,
                            existing + n)), List.of());
                    n++;
                    arrived.set(n);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        writer.start();
        List<String> seen = new ArrayList<>();
        RoomQuery.Position after = null;
        try {
            while (true) {
                List<ArchivedDanmaku> page = store().query(all(100, after));
                List<ArchivedDanmaku> shown = page.subList(0, Math.min(100, page.size()));
                shown.forEach(row -> seen.add(shortId(row)));
                if (page.size() <= 100) {
                    break;
                }
                ArchivedDanmaku last = shown.get(shown.size() - 1);
                after = new RoomQuery.Position(last.sentAtMs(), last.msgId());
            }
        } finally {
            paging.set(false);
            writer.join();
        }

        assertThat(arrived.get()).as("rows written while paging").isPositive();
        assertThat(seen).doesNotHaveDuplicates();
        assertThat(new HashSet<>(seen)).containsAll(batch.stream()
                .map(incoming -> incoming.judged().getDanmaku().getMsgId().substring(room.length() + 1)).toList());
    }

    @Test
    void retentionRemovesWholeOldDaysAndKeepsTheRest() throws SQLException {
        long old = Instant.parse("2001-01-10T12:00:00Z").toEpochMilli();
        long kept = Instant.parse("2001-01-12T00:00:00Z").toEpochMilli();
        store().write(List.of(verdict("old", old, Verdict.ACCEPTED, 1), verdict("kept", kept, Verdict.ACCEPTED, 2)),
                List.of());

        store().dropBefore(Instant.parse("2001-01-11T06:00:00Z").toEpochMilli());

        assertThat(store().query(all(10, null))).extracting(this::shortId).containsExactly("kept");
        // a late verdict for a dropped day still finds a home
        store().write(List.of(verdict("late", old, Verdict.ACCEPTED, 3)), List.of());
        assertThat(store().query(all(10, null))).extracting(this::shortId).containsExactly("late", "kept");
    }

    @Test
    void clearsWhatOnlyItsSenderSawOfRefusedDanmakuAndKeepsTheRows() throws SQLException {
        long old = Instant.parse("2002-01-05T12:00:00Z").toEpochMilli();
        long recent = Instant.parse("2002-01-20T12:00:00Z").toEpochMilli();
        ArchiveStore.Incoming masked = verdict("masked", old, Verdict.MASKED, 4);
        masked = new ArchiveStore.Incoming(masked.judged().toBuilder().setOriginalText("the original").build(), 0, 4);
        store().write(List.of(verdict("rejected", old, Verdict.REJECTED, 1), verdict("shadowed", old, Verdict.SHADOWED, 2),
                verdict("accepted", old, Verdict.ACCEPTED, 3), masked, verdict("recent", recent, Verdict.REJECTED, 5)),
                List.of());

        int cleared = store().clearRefusedText(Instant.parse("2002-01-01T00:00:00Z").toEpochMilli(),
                Instant.parse("2002-01-10T00:00:00Z").toEpochMilli());

        assertThat(cleared).isEqualTo(3);
        Map<String, ArchivedDanmaku> rows = store().query(all(10, null)).stream()
                .collect(Collectors.toMap(this::shortId, row -> row));
        assertThat(rows).as("every row stays, for statistics").hasSize(5);
        assertThat(rows.get("rejected").text()).isEmpty();
        assertThat(rows.get("rejected").originalText()).isNull();
        assertThat(rows.get("rejected").verdict()).isEqualTo("REJECTED");
        assertThat(rows.get("shadowed").text()).isEmpty();
        assertThat(rows.get("masked").text()).as("what everyone saw").isEqualTo("text masked");
        assertThat(rows.get("masked").originalText()).isNull();
        assertThat(rows.get("accepted").text()).isEqualTo("text accepted");
        assertThat(rows.get("recent").text()).isEqualTo("text recent");
        assertThat(rows.get("recent").originalText()).isEqualTo("original text recent");
    }

    @Test
    void preparesTheComingDays() throws SQLException {
        store().prepareDays(System.currentTimeMillis(), 3);
        store().prepareDays(System.currentTimeMillis(), 3); // again: nothing to do, no error
        store().write(List.of(verdict("soon", System.currentTimeMillis() + 2 * 86_400_000L, Verdict.ACCEPTED, 1)),
                List.of());
        assertThat(store().query(all(10, null))).hasSize(1);
    }

    static String uuidV7(long epochMs) {
        long msb = (epochMs << 16) | 0x7000L | (long) (Math.random() * 0xFFF);
        long lsb = 0x8000_0000_0000_0000L | (long) (Math.random() * Long.MAX_VALUE) >>> 2;
        return new UUID(msb, lsb).toString();
    }

    @Test
    void refusesStatisticsOfMoreBucketsThanItAnswers() throws SQLException {
        List<ArchiveStore.Incoming> rows = new ArrayList<>();
        long start = 1_790_000_000_000L;
        for (int i = 0; i <= ArchiveStore.MAX_BUCKETS; i++) {
            rows.add(verdict("b" + i, start + i * 60_000L, Verdict.ACCEPTED, i));
        }
        store().write(rows, List.of());
        ArchiveFilter everything = filter(room, null, null, Set.of());

        assertThatThrownBy(() -> store().stats(everything, 60_000L, 3)).isInstanceOf(ArchiveStore.TooManyBuckets.class);
        assertThat(store().stats(everything, 3_600_000L, 3).total()).isEqualTo(ArchiveStore.MAX_BUCKETS + 1);
    }
}
