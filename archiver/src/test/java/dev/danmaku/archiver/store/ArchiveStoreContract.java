package dev.danmaku.archiver.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.UUID;

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
        String msgId = id(shortId);
        Danmaku danmaku = Danmaku.newBuilder().setMsgId(msgId).setRoomId(room).setUserId("u1").setUserName("User 1")
                .setText("text " + shortId).setColor(0xFF0000).setMode(Mode.TOP).setFontSize(25).setSentAtMs(sentAtMs)
                .setVideoOffsetMs(1234).build();
        JudgedDanmaku.Builder judged = JudgedDanmaku.newBuilder().setDanmaku(danmaku).setVerdict(verdict).setRuleSetVersion(7);
        if (verdict == Verdict.REJECTED) {
            judged.setReason(Reason.BLOCKED_KEYWORD).setOriginalText("original " + shortId);
        }
        return new ArchiveStore.Incoming(judged.build(), 0, offset);
    }

    private RoomQuery all(int limit, RoomQuery.Position after) {
        return new RoomQuery(room, 0, Long.MAX_VALUE, Set.of(), limit, after);
    }

    @Test
    void storesEverythingAVerdictCarries() throws SQLException {
        store().write(List.of(verdict("m1", 1000, Verdict.REJECTED, 5)), List.of());

        ArchivedDanmaku row = store().query(all(10, null)).get(0);
        assertThat(row).isEqualTo(new ArchivedDanmaku(id("m1"), room, "u1", "User 1", "text m1", 0xFF0000, "TOP", 25, 1000,
                1234, "REJECTED", "BLOCKED_KEYWORD", 7, "original m1", null));
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

        assertThat(store().query(all(10, null))).extracting(this::shortId).containsExactly("m1", "m2");
    }

    @Test
    void filtersByTimeRangeAndVerdict() throws SQLException {
        store().write(List.of(verdict("m1", 1000, Verdict.ACCEPTED, 1), verdict("m2", 2000, Verdict.REJECTED, 2),
                verdict("m3", 3000, Verdict.ACCEPTED, 3)), List.of());

        assertThat(store().query(new RoomQuery(room, 1000, 3000, Set.of(), 10, null)))
                .extracting(this::shortId).containsExactly("m1", "m2");
        assertThat(store().query(new RoomQuery(room, 0, Long.MAX_VALUE, Set.of("ACCEPTED"), 10, null)))
                .extracting(this::shortId).containsExactly("m1", "m3");
        assertThat(store().query(new RoomQuery("another-room", 0, Long.MAX_VALUE, Set.of(), 10, null))).isEmpty();
    }

    @Test
    void marksARecall() throws SQLException {
        store().write(List.of(verdict("m1", 1000, Verdict.ACCEPTED, 1)), List.of());
        store().write(List.of(), List.of(new ArchiveStore.RecallMark(id("m1"), 5000)));

        assertThat(store().query(all(10, null)).get(0).recalledAtMs()).isEqualTo(5000L);
    }
}
