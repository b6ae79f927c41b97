package dev.danmaku.filter.matching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.danmaku.proto.v1.KeywordRule;
import dev.danmaku.proto.v1.RuleAction;
import dev.danmaku.proto.v1.RuleKind;

class KeywordMatcherTest {

    private static final TextNormalizer NORMALIZER = new TextNormalizer();

    private static KeywordRule literal(String id, String pattern) {
        return KeywordRule.newBuilder().setId(id).setPattern(pattern).setAction(RuleAction.REJECT)
                .setKind(RuleKind.LITERAL).build();
    }

    /** Regex rules see the normalized text: lower case, and digits that look like letters already folded ("1" → "l"). */
    private static final KeywordMatcher MATCHER = KeywordMatcher.build(List.of(
            literal("en", "fuck"),
            literal("zh", "傻逼"),
            literal("zh2", "垃圾主播"),
            literal("spam", "freecoins"),
            literal("cunt", "cunt").toBuilder().setWholeWord(true).build(),
            literal("ass", "ass").toBuilder().setWholeWord(true).build(),
            KeywordRule.newBuilder().setId("re").setPattern("v+[il]+a+g+r+a+").setKind(RuleKind.REGEX)
                    .setAction(RuleAction.REJECT).build()));

    private static List<String> matchedIds(String text) {
        List<String> ids = new ArrayList<>();
        for (Match match : MATCHER.find(NORMALIZER.normalize(text), "room")) {
            ids.add(match.rule().getId());
        }
        return ids;
    }

    /** Evasions of the rules above: width, case, zero-width, spacing, traditional, homoglyphs, accents. */
    @ParameterizedTest
    @ValueSource(strings = {
            "fuck", "FUCK", "FuCk you", "ｆｕｃｋ", "ＦＵＣＫ", // case and full width
            "fu\u200Bck", "f\u200Du\u200Cc\uFEFFk", "fu\u00ADck", // zero-width and soft hyphen
            "f.u.c.k", "f u c k", "f-u-c-k!", "f_u_c_k", "f*u*c*k", "f🔥u🔥c🔥k", // separators between letters
            "fuсk", "ƒuck", "fuᴄk", "𝐟𝐮𝐜𝐤", "ⓕⓤⓒⓚ", // homoglyphs (Cyrillic с, ƒ, small capital), math letters
            "fück", "fúck", // accents
            "傻逼", "傻 逼", "傻.逼", "傻\u200B逼", "你是傻逼吗", // spacing in Chinese
            "垃圾主播", "垃 圾 主 播", "垃圾主播", // traditional → simplified
            "freecoins", "ＦＲＥＥｃｏｉｎｓ", "f r e e c o i n s",
            "cunt", "you cunt!", "ass", "kiss my ass", "a.s.s",
            "viagra", "V1AGRA", "v i a g r a", "viiiaaagra",
    })
    void catchesEvasions(String text) {
        assertThat(matchedIds(text)).as("\"%s\" normalized to \"%s\"", text, NORMALIZER.normalize(text).text())
                .isNotEmpty();
    }

    /** Ordinary text that must pass: the Scunthorpe problem, words containing short rules, CJK without the rule. */
    @ParameterizedTest
    @ValueSource(strings = {
            "hello everyone", "Scunthorpe United won", "a class assignment", "pass the glass", "assessment",
            "classic bass guitar", "fun chat", "fu ck", "f uck", "thank you so much", "傻瓜", "逼近", "主播好棒",
            "垃圾分类", "good luck", "Dick Van Dyke", "I love this stream ❤", "666", "2333", "前方高能", "awesome",
            "free coin", "Hello!!!", "ｈｅｌｌｏ", "naïve café", "Привет всем", "こんにちは",
    })
    void leavesBenignTextAlone(String text) {
        assertThat(matchedIds(text)).as("\"%s\" normalized to \"%s\"", text, NORMALIZER.normalize(text).text())
                .isEmpty();
    }

    @Test
    void globalRulesApplyEverywhereRoomRulesOnlyInTheirRoom() {
        KeywordMatcher matcher = KeywordMatcher.build(List.of(literal("g", "spoiler"),
                literal("r", "ending").toBuilder().setRoomId("movie").build()));
        NormalizedText text = NORMALIZER.normalize("spoiler: the ending");

        assertThat(matcher.find(text, "movie")).extracting(m -> m.rule().getId()).containsExactlyInAnyOrder("g", "r");
        assertThat(matcher.find(text, "music")).extracting(m -> m.rule().getId()).containsExactly("g");
    }

    @Test
    void mapsMatchesBackToTheOriginalSpan() {
        NormalizedText text = NORMALIZER.normalize("hi ｆ.u.c.k there");
        Match match = MATCHER.find(text, "r").get(0);

        assertThat(text.original().substring(text.originalStartOf(match.start()), text.originalEndOf(match.end())))
                .isEqualTo("ｆ.u.c.k");
    }

    @Test
    void keepsTheOriginalSpansWhenOneCharacterExpandsToMany() {
        String text = "\uFDFA".repeat(50) + " f.u.c.k"; // each ﷺ is 18 letters after NFKC
        NormalizedText normalized = NORMALIZER.normalize(text);
        Match match = MATCHER.find(normalized, "r").get(0);

        assertThat(normalized.text().length()).isGreaterThan(text.length() * 5);
        assertThat(text.substring(normalized.originalStartOf(match.start()), normalized.originalEndOf(match.end())))
                .isEqualTo("f.u.c.k");
    }

    @Test
    void tenThousandRulesCompileAndMatch() {
        List<KeywordRule> rules = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            rules.add(literal("r" + i, "blocked" + Integer.toString(i, 36) + "word"));
        }
        KeywordMatcher matcher = KeywordMatcher.build(rules);

        assertThat(matcher.ruleCount()).isEqualTo(10_000);
        assertThat(matcher.find(NORMALIZER.normalize("say BLOCKED7PRWORD now"), "r"))
                .extracting(m -> m.rule().getId()).contains("r" + Integer.parseInt("7pr", 36));
        assertThat(matcher.find(NORMALIZER.normalize("nothing to see"), "r")).isEmpty();
    }

    @Test
    void refusesRulesThatCannotWork() {
        assertThatThrownBy(() -> KeywordMatcher.validate(literal("x", "  "))).hasMessageContaining("empty");
        assertThatThrownBy(() -> KeywordMatcher.validate(literal("x", "..."))).hasMessageContaining("no letters");
        assertThatThrownBy(() -> KeywordMatcher.validate(literal("x", "a".repeat(201)))).hasMessageContaining("longer");
        KeywordRule regex = KeywordRule.newBuilder().setId("x").setKind(RuleKind.REGEX).setPattern("(unclosed").build();
        assertThatThrownBy(() -> KeywordMatcher.validate(regex)).hasMessageContaining("malformed regex");
        KeywordRule everything = regex.toBuilder().setPattern("a*").build();
        assertThatThrownBy(() -> KeywordMatcher.validate(everything)).hasMessageContaining("empty text");
        KeywordRule backreference = regex.toBuilder().setPattern("(a)\\1").build();
        assertThatThrownBy(() -> KeywordMatcher.validate(backreference)).hasMessageContaining("malformed regex");
    }
}
