package dev.danmaku.gateway.room;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.danmaku.proto.v1.Danmaku;

class RoomTest {

    private static Danmaku danmaku(String id) {
        return Danmaku.newBuilder().setMsgId(id).setText("t" + id).build();
    }

    @Test
    void keepsOnlyTheMostRecent() {
        Room room = new Room("r", 3);
        for (int i = 1; i <= 5; i++) {
            room.remember(danmaku("m" + i));
        }
        assertThat(room.recentAfter("").danmaku()).extracting(Danmaku::getMsgId).containsExactly("m3", "m4", "m5");
        assertThat(room.recentAfter("").resumed()).isFalse();
    }

    @Test
    void resumesAfterAHeldMessage() {
        Room room = new Room("r", 10);
        for (int i = 1; i <= 5; i++) {
            room.remember(danmaku("m" + i));
        }
        Room.Recent recent = room.recentAfter("m3");
        assertThat(recent.resumed()).isTrue();
        assertThat(recent.danmaku()).extracting(Danmaku::getMsgId).containsExactly("m4", "m5");
        assertThat(room.recentAfter("m5").danmaku()).isEmpty();
    }

    @Test
    void cannotResumeAfterAMessageNoLongerHeld() {
        Room room = new Room("r", 2);
        for (int i = 1; i <= 5; i++) {
            room.remember(danmaku("m" + i));
        }
        Room.Recent recent = room.recentAfter("m1");
        assertThat(recent.resumed()).isFalse();
        assertThat(recent.danmaku()).extracting(Danmaku::getMsgId).containsExactly("m4", "m5");
    }

    @Test
    void forgetsARecalledMessage() {
        Room room = new Room("r", 10);
        room.remember(danmaku("m1"));
        room.remember(danmaku("m2"));
        room.forget("m1");
        assertThat(room.recentAfter("").danmaku()).extracting(Danmaku::getMsgId).containsExactly("m2");
    }
}
