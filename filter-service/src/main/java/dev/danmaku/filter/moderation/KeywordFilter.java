package dev.danmaku.filter.moderation;

import java.util.List;
import java.util.Locale;

import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.RawDanmaku;
import dev.danmaku.proto.v1.Reason;
import dev.danmaku.proto.v1.Verdict;

/** Rejects a danmaku whose text contains a blocked word, ignoring case. */
public final class KeywordFilter {

    private final List<String> blockedWords;

    public KeywordFilter(List<String> blockedWords) {
        this.blockedWords = blockedWords.stream().map(w -> w.toLowerCase(Locale.ROOT)).filter(w -> !w.isEmpty()).toList();
    }

    public JudgedDanmaku judge(RawDanmaku raw) {
        String text = raw.getDanmaku().getText().toLowerCase(Locale.ROOT);
        boolean blocked = blockedWords.stream().anyMatch(text::contains);
        JudgedDanmaku.Builder judged = JudgedDanmaku.newBuilder()
                .setDanmaku(raw.getDanmaku())
                .setOrigin(raw.getOrigin());
        if (blocked) {
            return judged.setVerdict(Verdict.REJECTED).setReason(Reason.BLOCKED_KEYWORD)
                    .setOriginalText(raw.getDanmaku().getText()).build();
        }
        return judged.setVerdict(Verdict.ACCEPTED).build();
    }
}
