package dev.danmaku.filter.moderation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.RawDanmaku;
import dev.danmaku.proto.v1.Reason;
import dev.danmaku.proto.v1.Verdict;

class KeywordFilterTest {

    private final KeywordFilter filter = new KeywordFilter(List.of("spam", "广告"));

    private static RawDanmaku raw(String text) {
        return RawDanmaku.newBuilder().setDanmaku(Danmaku.newBuilder().setMsgId("m").setText(text)).build();
    }

    @Test
    void acceptsCleanText() {
        JudgedDanmaku judged = filter.judge(raw("hello"));
        assertThat(judged.getVerdict()).isEqualTo(Verdict.ACCEPTED);
        assertThat(judged.getReason()).isEqualTo(Reason.REASON_UNSPECIFIED);
        assertThat(judged.getOriginalText()).isEmpty();
    }

    @Test
    void rejectsABlockedWordIgnoringCaseAndKeepsTheOriginal() {
        JudgedDanmaku judged = filter.judge(raw("buy SPAM now"));
        assertThat(judged.getVerdict()).isEqualTo(Verdict.REJECTED);
        assertThat(judged.getReason()).isEqualTo(Reason.BLOCKED_KEYWORD);
        assertThat(judged.getOriginalText()).isEqualTo("buy SPAM now");
    }

    @Test
    void matchesChineseWords() {
        assertThat(filter.judge(raw("这是广告")).getVerdict()).isEqualTo(Verdict.REJECTED);
    }

    @Test
    void anEmptyListAcceptsEverything() {
        assertThat(new KeywordFilter(List.of("")).judge(raw("anything")).getVerdict()).isEqualTo(Verdict.ACCEPTED);
    }
}
