package dev.danmaku.gateway.send;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.danmaku.common.auth.Identity;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.Mode;
import dev.danmaku.proto.v1.Reason;

class DraftTest {

    private static Draft draft(String text, int color, Mode mode, int fontSize, long videoOffsetMs) {
        return new Draft("lobby", text, color, mode, fontSize, videoOffsetMs);
    }

    @Test
    void aWellFormedDraftPasses() {
        assertThat(draft("hi", 0xFF0000, Mode.TOP, 24, 1500).check(10)).isNull();
    }

    @Test
    void anOverlongTextIsARefusalCountedInCodePoints() {
        assertThat(draft("弹幕弹幕", 0, Mode.SCROLL, 0, 0).check(4)).isNull();
        assertThat(draft("😀😀😀😀😀", 0, Mode.SCROLL, 0, 0).check(4).reason()).isEqualTo(Reason.TOO_LONG);
    }

    @Test
    void malformedFieldsAreBadRequestsNotRefusals() {
        assertThat(draft("", 0, Mode.SCROLL, 0, 0).check(10).code()).isEqualTo("empty_text");
        // 2^31 and above arrive as negative ints from a uint32 field
        assertThat(draft("hi", 0x80000000, Mode.SCROLL, 0, 0).check(10).code()).isEqualTo("bad_request");
        assertThat(draft("hi", 0x1000000, Mode.SCROLL, 0, 0).check(10).code()).isEqualTo("bad_request");
        assertThat(draft("hi", 0, Mode.SCROLL, -1, 0).check(10).code()).isEqualTo("bad_request");
        assertThat(draft("hi", 0, Mode.SCROLL, 129, 0).check(10).code()).isEqualTo("bad_request");
        assertThat(draft("hi", 0, Mode.UNRECOGNIZED, 0, 0).check(10).code()).isEqualTo("bad_request");
        Draft.Fault negativeOffset = draft("hi", 0, Mode.SCROLL, 0, -1).check(10);
        assertThat(negativeOffset.refusal()).isFalse();
        assertThat(negativeOffset.message()).contains("videoOffsetMs");
    }

    @Test
    void theDanmakuCarriesTheSendersStampAndDefaults() {
        Identity sender = new Identity("u1", "Ann", Set.of(Identity.VIEWER), Set.of(), Instant.now().plusSeconds(60));
        Danmaku danmaku = draft("hi", 0, Mode.MODE_UNSPECIFIED, 0, 2500).toDanmaku("m1", sender);
        assertThat(danmaku.getMsgId()).isEqualTo("m1");
        assertThat(danmaku.getUserId()).isEqualTo("u1");
        assertThat(danmaku.getUserName()).isEqualTo("Ann");
        assertThat(danmaku.getRoomId()).isEqualTo("lobby");
        assertThat(danmaku.getColor()).isEqualTo(0xFFFFFF);
        assertThat(danmaku.getMode()).isEqualTo(Mode.SCROLL);
        assertThat(danmaku.getVideoOffsetMs()).isEqualTo(2500);
    }
}
