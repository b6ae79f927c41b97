package dev.danmaku.gateway.room;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import dev.danmaku.proto.v1.Danmaku;

class CatchUpTest {

    private static List<Danmaku> danmaku(String... ids) {
        return Stream.of(ids).map(id -> Danmaku.newBuilder().setMsgId(id).build()).toList();
    }

    private static List<String> ids(Room.Recent recent) {
        return recent.danmaku().stream().map(Danmaku::getMsgId).toList();
    }

    @Test
    void historyAfterTheResumePointThenWhatWasFlushedBeyondIt() {
        CatchUp catchUp = new CatchUp(100);
        // the room's feed was behind the bus's end when the read began: h3 and h4 come in both
        catchUp.flushed(danmaku("h3", "h4"));
        catchUp.flushed(danmaku("f1", "f2"));
        Room.Recent recent = catchUp.after("h2", danmaku("h1", "h2", "h3", "h4"), Set.of());
        assertThat(recent.resumed()).isTrue();
        assertThat(ids(recent)).containsExactly("h3", "h4", "f1", "f2");
    }

    @Test
    void whatIsStillPendingComesWithTheNextFlushInstead() {
        CatchUp catchUp = new CatchUp(100);
        Room.Recent recent = catchUp.after("h1", danmaku("h1", "h2", "h3"), Set.of("h3"));
        assertThat(ids(recent)).containsExactly("h2");
    }

    @Test
    void aFlushedDanmakuTheHistoryHasBeforeTheResumePointIsNotShownAgain() {
        CatchUp catchUp = new CatchUp(100);
        catchUp.flushed(danmaku("h1", "h2", "f1"));
        assertThat(ids(catchUp.after("h2", danmaku("h1", "h2"), Set.of()))).containsExactly("f1");
    }

    @Test
    void recalledMeanwhileIsLeftOut() {
        CatchUp catchUp = new CatchUp(100);
        catchUp.flushed(danmaku("f1", "f2"));
        catchUp.recalled("h3");
        catchUp.recalled("f1");
        assertThat(ids(catchUp.after("h1", danmaku("h1", "h2", "h3"), Set.of()))).containsExactly("h2", "f2");
    }

    @Test
    void noResumeWithoutTheResumePointOrBeyondTheBound() {
        assertThat(new CatchUp(100).after("gone", danmaku("h1", "h2"), Set.of())).isNull();
        assertThat(new CatchUp(2).after("h1", danmaku("h1", "h2", "h3", "h4"), Set.of())).isNull();
        CatchUp overflowed = new CatchUp(2);
        overflowed.flushed(danmaku("f1", "f2", "f3"));
        overflowed.flushed(danmaku("f4"));
        assertThat(overflowed.after("h1", danmaku("h1"), Set.of())).isNull();
    }
}
