package dev.danmaku.filter.moderation;

import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import dev.danmaku.common.auth.Identity;
import dev.danmaku.filter.matching.Match;
import dev.danmaku.filter.matching.NormalizedText;
import dev.danmaku.filter.matching.TextNormalizer;
import dev.danmaku.filter.ratelimit.SendLimiter;
import dev.danmaku.filter.rules.RuleSet;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.RawDanmaku;
import dev.danmaku.proto.v1.Reason;
import dev.danmaku.proto.v1.RuleAction;
import dev.danmaku.proto.v1.Verdict;

/**
 * Judges one danmaku: mutes and send limits first (moderators and admins are exempt), then keyword
 * rules on the normalized text. REJECT beats SHADOW beats MASK. Used by the one pipeline thread.
 */
public final class Moderator {

    private static final Set<String> EXEMPT = Set.of(Identity.MODERATOR, Identity.ADMIN);
    private static final char MASK = '*';

    private final Supplier<RuleSet> rules;
    private final SendLimiter limiter;
    private final TextNormalizer normalizer = new TextNormalizer();

    public Moderator(Supplier<RuleSet> rules, SendLimiter limiter) {
        this.rules = rules;
        this.limiter = limiter;
    }

    public JudgedDanmaku judge(RawDanmaku raw) {
        RuleSet ruleSet = rules.get();
        Danmaku danmaku = raw.getDanmaku();
        JudgedDanmaku.Builder judged = JudgedDanmaku.newBuilder()
                .setDanmaku(danmaku)
                .setOrigin(raw.getOrigin())
                .setRuleSetVersion(ruleSet.version());
        long nowMs = danmaku.getSentAtMs() > 0 ? danmaku.getSentAtMs() : System.currentTimeMillis();
        NormalizedText normalized = normalizer.normalize(danmaku.getText());
        if (raw.getOrigin().getRolesList().stream().noneMatch(EXEMPT::contains)) {
            Reason refused = ruleSet.muteOf(danmaku.getRoomId(), danmaku.getUserId(), nowMs) != null
                    ? Reason.MUTED
                    : limiter.check(danmaku.getRoomId(), danmaku.getUserId(), danmaku.getText(), normalized.text(),
                            ruleSet.room(danmaku.getRoomId()), nowMs);
            if (refused != null) {
                return judged.setVerdict(Verdict.REJECTED).setReason(refused).setOriginalText(danmaku.getText()).build();
            }
        }
        Judgement judgement = judgeText(normalized, danmaku.getRoomId(), ruleSet);
        judged.setVerdict(judgement.verdict()).setReason(judgement.reason());
        if (judgement.verdict() != Verdict.ACCEPTED) {
            judged.setOriginalText(danmaku.getText());
        }
        if (judgement.verdict() == Verdict.MASKED) {
            judged.setDanmaku(danmaku.toBuilder().setText(judgement.shownText()));
        }
        return judged.build();
    }

    /** Keyword moderation alone, for the dry run: no send limits, nothing counted. */
    public Judgement explain(String text, String roomId) {
        return judgeText(normalizer.normalize(text), roomId, rules.get());
    }

    private static Judgement judgeText(NormalizedText normalized, String roomId, RuleSet ruleSet) {
        List<Match> matches = ruleSet.matcher().find(normalized, roomId);
        if (matches.isEmpty()) {
            return new Judgement(normalized, matches, Verdict.ACCEPTED, Reason.REASON_UNSPECIFIED,
                    normalized.original(), ruleSet.version());
        }
        boolean shadow = false;
        for (Match match : matches) {
            RuleAction action = match.rule().getAction();
            if (action == RuleAction.REJECT || action == RuleAction.RULE_ACTION_UNSPECIFIED) {
                return new Judgement(normalized, matches, Verdict.REJECTED, Reason.BLOCKED_KEYWORD, "", ruleSet.version());
            }
            shadow |= action == RuleAction.SHADOW;
        }
        if (shadow) {
            return new Judgement(normalized, matches, Verdict.SHADOWED, Reason.BLOCKED_KEYWORD, normalized.original(),
                    ruleSet.version());
        }
        return new Judgement(normalized, matches, Verdict.MASKED, Reason.BLOCKED_KEYWORD, mask(normalized, matches),
                ruleSet.version());
    }

    /** The original text with each matched span replaced by one mask char per code point; the rest untouched. */
    static String mask(NormalizedText normalized, List<Match> matches) {
        String original = normalized.original();
        boolean[] masked = new boolean[original.length()];
        for (Match match : matches) {
            for (int i = normalized.originalStartOf(match.start()); i < normalized.originalEndOf(match.end()); i++) {
                masked[i] = true;
            }
        }
        StringBuilder out = new StringBuilder(original.length());
        for (int i = 0; i < original.length(); ) {
            int cp = original.codePointAt(i);
            out.appendCodePoint(masked[i] ? MASK : cp);
            i += Character.charCount(cp);
        }
        return out.toString();
    }
}
