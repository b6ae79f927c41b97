package dev.danmaku.filter.moderation;

import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import dev.danmaku.common.auth.Identity;
import dev.danmaku.filter.matching.KeywordMatcher.Findings;
import dev.danmaku.filter.matching.Match;
import dev.danmaku.filter.matching.TextViews;
import dev.danmaku.filter.ratelimit.SendLimiter;
import dev.danmaku.filter.rules.RuleSet;
import dev.danmaku.proto.v1.Category;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.RawDanmaku;
import dev.danmaku.proto.v1.Reason;
import dev.danmaku.proto.v1.RuleAction;
import dev.danmaku.proto.v1.Verdict;

/**
 * Judges one danmaku: mutes and send limits first (moderators and admins are exempt), then keyword
 * rules on the views of the text. REJECT beats SHADOW beats MASK. Bidi controls, which could reorder
 * what other viewers see, are taken out of the text first. Used by the one pipeline thread.
 */
public final class Moderator {

    private static final Set<String> EXEMPT = Set.of(Identity.MODERATOR, Identity.ADMIN);
    private static final char MASK = '*';

    private final Supplier<RuleSet> rules;
    private final SendLimiter limiter;

    public Moderator(Supplier<RuleSet> rules, SendLimiter limiter) {
        this.rules = rules;
        this.limiter = limiter;
    }

    public JudgedDanmaku judge(RawDanmaku raw) {
        RuleSet ruleSet = rules.get();
        Danmaku sent = raw.getDanmaku();
        String text = withoutBidiControls(sent.getText());
        Danmaku danmaku = text.equals(sent.getText()) ? sent : sent.toBuilder().setText(text).build();
        JudgedDanmaku.Builder judged = JudgedDanmaku.newBuilder()
                .setDanmaku(danmaku)
                .setOrigin(raw.getOrigin())
                .setRuleSetVersion(ruleSet.version());
        if (danmaku != sent) {
            judged.setOriginalText(sent.getText());
        }
        long nowMs = danmaku.getSentAtMs() > 0 ? danmaku.getSentAtMs() : System.currentTimeMillis();
        TextViews views = new TextViews(text);
        if (!exempt(raw.getOrigin().getRolesList())) {
            Reason refused = ruleSet.muteOf(danmaku.getRoomId(), danmaku.getUserId(), nowMs) != null
                    ? Reason.MUTED
                    : limiter.check(danmaku.getRoomId(), danmaku.getUserId(), text, views.standard().text(),
                            ruleSet.room(danmaku.getRoomId()), nowMs);
            if (refused != null) {
                return judged.setVerdict(Verdict.REJECTED).setReason(refused).setOriginalText(sent.getText()).build();
            }
        }
        Judgement judgement = judgeText(views, danmaku.getRoomId(), ruleSet);
        judged.setVerdict(judgement.verdict()).setReason(judgement.reason()).setCategory(judgement.category());
        if (judgement.verdict() != Verdict.ACCEPTED) {
            judged.setOriginalText(sent.getText());
        }
        if (judgement.verdict() == Verdict.MASKED) {
            judged.setDanmaku(danmaku.toBuilder().setText(judgement.shownText()));
        }
        return judged.build();
    }

    /** Staff are not held to the send limits. A loop: this runs for every danmaku. */
    private static boolean exempt(List<String> roles) {
        for (String role : roles) {
            if (EXEMPT.contains(role)) {
                return true;
            }
        }
        return false;
    }

    /** The answer to a send the filter could not judge: nobody sees it, its sender learns why. */
    public static JudgedDanmaku notJudged(RawDanmaku raw) {
        return JudgedDanmaku.newBuilder().setDanmaku(raw.getDanmaku()).setOrigin(raw.getOrigin())
                .setVerdict(Verdict.REJECTED).setReason(Reason.NOT_JUDGED).setOriginalText(raw.getDanmaku().getText())
                .build();
    }

    /** Keyword moderation alone, for the dry run: no send limits, nothing counted. */
    public Judgement explain(String text, String roomId) {
        return judgeText(new TextViews(withoutBidiControls(text)), roomId, rules.get());
    }

    private static Judgement judgeText(TextViews views, String roomId, RuleSet ruleSet) {
        Findings findings = ruleSet.matcher().find(views, roomId);
        List<Match> matches = findings.matches();
        if (matches.isEmpty()) {
            return new Judgement(views, findings, Verdict.ACCEPTED, Reason.REASON_UNSPECIFIED,
                    Category.CATEGORY_UNSPECIFIED, views.original(), ruleSet.version());
        }
        Match shadow = null;
        for (Match match : matches) {
            RuleAction action = match.rule().getAction();
            if (action == RuleAction.REJECT || action == RuleAction.RULE_ACTION_UNSPECIFIED) {
                return new Judgement(views, findings, Verdict.REJECTED, Reason.BLOCKED_KEYWORD,
                        match.rule().getCategory(), "", ruleSet.version());
            }
            if (action == RuleAction.SHADOW && shadow == null) {
                shadow = match;
            }
        }
        if (shadow != null) {
            return new Judgement(views, findings, Verdict.SHADOWED, Reason.BLOCKED_KEYWORD, shadow.rule().getCategory(),
                    views.original(), ruleSet.version());
        }
        return new Judgement(views, findings, Verdict.MASKED, Reason.BLOCKED_KEYWORD, matches.get(0).rule().getCategory(),
                mask(views.original(), matches), ruleSet.version());
    }

    /** U+202A–202E and U+2066–2069: embeddings, overrides and isolates. */
    static String withoutBidiControls(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (isBidiControl(text.charAt(i))) {
                StringBuilder kept = new StringBuilder(text.length());
                text.chars().filter(c -> !isBidiControl((char) c)).forEach(c -> kept.append((char) c));
                return kept.toString();
            }
        }
        return text;
    }

    private static boolean isBidiControl(char c) {
        return (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069');
    }

    /** The original text with each matched span replaced by one mask char per code point; the rest untouched. */
    static String mask(String original, List<Match> matches) {
        boolean[] masked = new boolean[original.length()];
        for (Match match : matches) {
            for (int i = match.originalStart(); i < match.originalEnd(); i++) {
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
