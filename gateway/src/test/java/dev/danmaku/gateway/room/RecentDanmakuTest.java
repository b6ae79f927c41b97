package dev.danmaku.gateway.room;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.danmaku.proto.v1.Danmaku;

class RecentDanmakuTest {

    private static final long NOW = 1_000_000;

    private static Danmaku danmaku(String id) {
        return Danmaku.newBuilder().setMsgId(id).setText("t" + id).build();
    }

    private static RecentDanmaku holding(int size, int count) {
        RecentDanmaku recent = new RecentDanmaku(size, 60_000);
        for (int i = 1; i <= count; i++) {
            recent.remember(danmaku("m" + i), NOW);
        }
        return recent;
    }

    @Test
    void keepsOnlyTheMostRecent() {
        Room.Recent recent = holding(3, 5).after("", NOW);
        assertThat(recent.danmaku()).extracting(Danmaku::getMsgId).containsExactly("m3", "m4", "m5");
        assertThat(recent.resumed()).isFalse();
    }

    @Test
    void resumesAfterAHeldMessage() {
        RecentDanmaku recent = holding(10, 5);
        Room.Recent after = recent.after("m3", NOW);
        assertThat(after.resumed()).isTrue();
        assertThat(after.danmaku()).extracting(Danmaku::getMsgId).containsExactly("m4", "m5");
        assertThat(recent.after("m5", NOW).danmaku()).isEmpty();
    }

    @Test
    void cannotResumeAfterAMessageNoLongerHeld() {
        Room.Recent after = holding(2, 5).after("m1", NOW);
        assertThat(after.resumed()).isFalse();
        assertThat(after.danmaku()).extracting(Danmaku::getMsgId).containsExactly("m4", "m5");
    }

    @Test
    void forgetsWhatIsTooOld() {
        RecentDanmaku recent = new RecentDanmaku(10, 1_000);
        recent.remember(danmaku("old"), NOW - 5_000);
        recent.remember(danmaku("new"), NOW);
        assertThat(recent.after("", NOW).danmaku()).extracting(Danmaku::getMsgId).containsExactly("new");
        assertThat(recent.after("old", NOW).resumed()).isFalse();
    }

    @Test
    void forgetsARecalledMessage() {
        RecentDanmaku recent = holding(10, 2);
        recent.forget("m1");
        assertThat(recent.after("", NOW).danmaku()).extracting(Danmaku::getMsgId).containsExactly("m2");
    }

    @Test
    void knowsWhichMsgIdsItHoldsAsTheyComeAndGo() {
        RecentDanmaku recent = holding(3, 4);
        assertThat(recent.holds("m1")).as("pushed out").isFalse();
        assertThat(recent.holds("m4")).isTrue();
        recent.forget("m4");
        assertThat(recent.holds("m4")).isFalse();
        recent.after("", NOW + 120_000); // all too old now
        assertThat(recent.holds("m3")).isFalse();
    }
}
