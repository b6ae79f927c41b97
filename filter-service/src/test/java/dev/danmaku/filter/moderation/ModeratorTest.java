package dev.danmaku.filter.moderation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.danmaku.filter.FilterConfig;
import dev.danmaku.filter.matching.KeywordMatcher;
import dev.danmaku.filter.ratelimit.SendLimiter;
import dev.danmaku.filter.rules.ControlKeys;
import dev.danmaku.filter.rules.RuleSet;
import dev.danmaku.proto.v1.Category;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.KeywordRule;
import dev.danmaku.proto.v1.Mute;
import dev.danmaku.proto.v1.Origin;
import dev.danmaku.proto.v1.RawDanmaku;
import dev.danmaku.proto.v1.Reason;
import dev.danmaku.proto.v1.RuleAction;
import dev.danmaku.proto.v1.Verdict;

class ModeratorTest {

    private static final long NOW = 1_800_000_000_000L;

    private static KeywordRule rule(String id, String pattern, RuleAction action) {
        return KeywordRule.newBuilder().setId(id).setPattern(pattern).setAction(action).build();
    }

    private static Moderator moderator(List<KeywordRule> rules, Map<String, Mute> mutes) {
        RuleSet set = new RuleSet(42, Map.of(), Map.of(), mutes, KeywordMatcher.build(rules));
        return new Moderator(() -> set, new SendLimiter(FilterConfig.DEFAULT_LIMITS));
    }

    private static RawDanmaku raw(String user, String text, String... roles) {
        return RawDanmaku.newBuilder()
                .setDanmaku(Danmaku.newBuilder().setMsgId("m").setRoomId("room").setUserId(user).setText(text)
                        .setSentAtMs(NOW))
                .setOrigin(Origin.newBuilder().setClientMsgId("c").addAllRoles(List.of(roles)))
                .build();
    }

    @Test
    void masksOnlyTheMatchedSpanOfTheOriginalText() {
        Moderator moderator = moderator(List.of(rule("m", "darn", RuleAction.MASK)), Map.of());

        JudgedDanmaku judged = moderator.judge(raw("u", "Oh Ｄ.Ａ.Ｒ.Ｎ it, darn!"));

        assertThat(judged.getVerdict()).isEqualTo(Verdict.MASKED);
        assertThat(judged.getReason()).isEqualTo(Reason.BLOCKED_KEYWORD);
        assertThat(judged.getDanmaku().getText()).isEqualTo("Oh ******* it, ****!");
        assertThat(judged.getOriginalText()).isEqualTo("Oh Ｄ.Ａ.Ｒ.Ｎ it, darn!");
        assertThat(judged.getRuleSetVersion()).isEqualTo(42);
    }

    @Test
    void masksChineseAndKeepsEverythingElse() {
        Moderator moderator = moderator(List.of(rule("m", "傻逼", RuleAction.MASK)), Map.of());

        assertThat(moderator.judge(raw("u", "你个傻 逼啊😀")).getDanmaku().getText()).isEqualTo("你个***啊😀");
    }

    @Test
    void rejectBeatsShadowBeatsMask() {
        Moderator moderator = moderator(List.of(rule("m", "meh", RuleAction.MASK), rule("s", "scam", RuleAction.SHADOW),
                rule("r", "slur", RuleAction.REJECT)), Map.of());

        assertThat(moderator.judge(raw("a", "meh scam slur")).getVerdict()).isEqualTo(Verdict.REJECTED);
        JudgedDanmaku shadowed = moderator.judge(raw("b", "meh scam"));
        assertThat(shadowed.getVerdict()).isEqualTo(Verdict.SHADOWED);
        assertThat(shadowed.getDanmaku().getText()).as("the sender sees what they wrote").isEqualTo("meh scam");
        assertThat(moderator.judge(raw("c", "meh")).getVerdict()).isEqualTo(Verdict.MASKED);
        assertThat(moderator.judge(raw("d", "fine")).getVerdict()).isEqualTo(Verdict.ACCEPTED);
    }

    @Test
    void mutedUsersAreRefusedUntilTheMuteEndsUnlessTheyModerate() {
        Map<String, Mute> mutes = Map.of(
                ControlKeys.mute("room", "troll"), Mute.newBuilder().setRoomId("room").setUserId("troll").setUntilMs(NOW + 1).build(),
                ControlKeys.mute("", "everywhere"), Mute.newBuilder().setUserId("everywhere").setUntilMs(NOW + 1).build(),
                ControlKeys.mute("room", "served"), Mute.newBuilder().setRoomId("room").setUserId("served").setUntilMs(NOW).build());
        Moderator moderator = moderator(List.of(), mutes);

        assertThat(moderator.judge(raw("troll", "hi")).getReason()).isEqualTo(Reason.MUTED);
        assertThat(moderator.judge(raw("everywhere", "hi")).getReason()).isEqualTo(Reason.MUTED);
        assertThat(moderator.judge(raw("served", "hi")).getVerdict()).isEqualTo(Verdict.ACCEPTED);
        assertThat(moderator.judge(raw("troll", "hi", "moderator")).getVerdict()).isEqualTo(Verdict.ACCEPTED);
    }

    @Test
    void dryRunShowsTheNormalizedTextAndMatches() {
        Moderator moderator = moderator(List.of(rule("r", "spam", RuleAction.REJECT)), Map.of());

        Judgement judgement = moderator.explain("Ｓ.P.A.M here", "room");

        // the confusables skeleton folds "m" and "rn" together
        assertThat(judgement.views().standard().text()).isEqualTo("sparn here");
        assertThat(judgement.findings().matches()).extracting(m -> m.rule().getId()).containsExactly("r");
        assertThat(judgement.verdict()).isEqualTo(Verdict.REJECTED);
        assertThat(judgement.ruleSetVersion()).isEqualTo(42);
    }

    @Test
    void anExemptionShieldsTheWordsItCoversAndIsShownInTheDryRun() {
        Moderator moderator = moderator(List.of(rule("ad", "代练", RuleAction.REJECT), rule("ok", "时代", RuleAction.ALLOW)),
                Map.of());

        assertThat(moderator.judge(raw("u", "新时代练兵备战")).getVerdict()).isEqualTo(Verdict.ACCEPTED);
        assertThat(moderator.judge(raw("u", "专业代练上分")).getVerdict()).isEqualTo(Verdict.REJECTED);
        Judgement judgement = moderator.explain("新时代练", "room");
        assertThat(judgement.verdict()).isEqualTo(Verdict.ACCEPTED);
        assertThat(judgement.findings().exemptions()).extracting(m -> m.rule().getId()).containsExactly("ok");
        assertThat(judgement.findings().shielded()).extracting(m -> m.rule().getId()).containsExactly("ad");
    }

    @Test
    void twoDictionaryWordsAcrossAChineseRuleExemptItButOneWordAloneDoesNot() {
        Moderator moderator = moderator(List.of(rule("ad", "代练", RuleAction.REJECT), rule("sb", "傻逼", RuleAction.REJECT)),
                Map.of());

        Judgement crossed = moderator.explain("古代练兵", "room");
        assertThat(crossed.verdict()).isEqualTo(Verdict.ACCEPTED);
        assertThat(crossed.findings().exemptions()).extracting(m -> m.rule().getId()).containsExactly("dictionary");
        assertThat(crossed.findings().exemptions().get(0).matched()).isEqualTo("古代练兵");
        assertThat(moderator.judge(raw("u", "现代练习曲")).getVerdict()).isEqualTo(Verdict.ACCEPTED);
        assertThat(moderator.judge(raw("u", "专业代练上分")).getVerdict()).isEqualTo(Verdict.REJECTED);
        assertThat(moderator.judge(raw("u", "古代练")).getVerdict()).as("no word after it").isEqualTo(Verdict.REJECTED);
        assertThat(moderator.judge(raw("u", "大傻逼")).getVerdict()).isEqualTo(Verdict.REJECTED);
    }

    @Test
    void aRoomExemptionShieldsThatRoomsRulesButNeverAGlobalOne() {
        KeywordRule allowHere = rule("ok", "spoiler", RuleAction.ALLOW).toBuilder().setRoomId("room").build();
        KeywordRule roomRule = rule("r", "spoiler", RuleAction.REJECT).toBuilder().setRoomId("room").build();
        Moderator roomOnly = moderator(List.of(roomRule, allowHere), Map.of());
        Moderator withGlobal = moderator(List.of(rule("g", "spoiler", RuleAction.REJECT), allowHere), Map.of());

        assertThat(roomOnly.judge(raw("u", "spoiler alert")).getVerdict()).isEqualTo(Verdict.ACCEPTED);
        assertThat(withGlobal.judge(raw("u", "spoiler alert")).getVerdict())
                .as("a room's moderators cannot switch off a global rule").isEqualTo(Verdict.REJECTED);
    }

    @Test
    void theDecidingRulesCategoryIsOnTheVerdict() {
        KeywordRule ad = rule("ad", "代练", RuleAction.REJECT).toBuilder().setCategory(Category.CATEGORY_ADVERTISING).build();
        KeywordRule spoiler = rule("sp", "spoiler", RuleAction.MASK).toBuilder().setCategory(Category.CATEGORY_SPOILER).build();
        Moderator moderator = moderator(List.of(ad, spoiler), Map.of());

        assertThat(moderator.judge(raw("u", "spoiler: 代练")).getCategory()).isEqualTo(Category.CATEGORY_ADVERTISING);
        assertThat(moderator.judge(raw("u", "spoiler!")).getCategory()).isEqualTo(Category.CATEGORY_SPOILER);
        assertThat(moderator.judge(raw("u", "hello")).getCategory()).isEqualTo(Category.CATEGORY_UNSPECIFIED);
    }

    @Test
    void bidiControlsAreTakenOutBeforeMatchingAndDisplay() {
        Moderator moderator = moderator(List.of(rule("m", "darn", RuleAction.MASK)), Map.of());

        JudgedDanmaku clean = moderator.judge(raw("u", "\u202Eolleh\u202C there"));
        assertThat(clean.getVerdict()).isEqualTo(Verdict.ACCEPTED);
        assertThat(clean.getDanmaku().getText()).isEqualTo("olleh there");
        assertThat(clean.getOriginalText()).isEqualTo("\u202Eolleh\u202C there");
        JudgedDanmaku masked = moderator.judge(raw("u", "d\u2066ar\u2069n it"));
        assertThat(masked.getDanmaku().getText()).isEqualTo("**** it");
    }
}
