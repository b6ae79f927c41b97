package dev.danmaku.filter.matching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

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

    private static List<Match> find(KeywordMatcher matcher, String text, String room) {
        return matcher.find(new TextViews(text), room).matches();
    }

    private static KeywordRule literal(String id, String pattern) {
        return KeywordRule.newBuilder().setId(id).setPattern(pattern).setAction(RuleAction.REJECT)
                .setKind(RuleKind.LITERAL).build();
    }

    /** Regex rules see the text in lower case, without the confusable skeleton ("1" stays a digit). */
    private static final KeywordMatcher MATCHER = KeywordMatcher.build(List.of(
            literal("en", "fuck"),
            literal("zh", "傻逼"),
            literal("zh2", "垃圾主播"),
            literal("spam", "freecoins"),
            literal("cunt", "cunt").toBuilder().setWholeWord(true).build(),
            literal("ass", "ass").toBuilder().setWholeWord(true).build(),
            KeywordRule.newBuilder().setId("re").setPattern("v+[il1]+a+g+r+a+").setKind(RuleKind.REGEX)
                    .setAction(RuleAction.REJECT).build()));

    private static List<String> matchedIds(String text) {
        List<String> ids = new ArrayList<>();
        for (Match match : find(MATCHER, text, "room")) {
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
            "儍逼", "傻屄", "儍 屄", // Unihan and curated variant characters
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

        assertThat(find(matcher, "spoiler: the ending", "movie")).extracting(m -> m.rule().getId())
                .containsExactlyInAnyOrder("g", "r");
        assertThat(find(matcher, "spoiler: the ending", "music")).extracting(m -> m.rule().getId()).containsExactly("g");
    }

    @Test
    void mapsMatchesBackToTheOriginalSpan() {
        String text = "hi ｆ.u.c.k there";
        Match match = find(MATCHER, text, "r").get(0);

        assertThat(text.substring(match.originalStart(), match.originalEnd())).isEqualTo("ｆ.u.c.k");
    }

    @Test
    void keepsTheOriginalSpansWhenOneCharacterExpandsToMany() {
        String text = "\uFDFA".repeat(50) + " f.u.c.k"; // each ﷺ is 18 letters after NFKC
        Match match = find(MATCHER, text, "r").get(0);

        assertThat(NORMALIZER.normalize(text).text().length()).isGreaterThan(text.length() * 5);
        assertThat(text.substring(match.originalStart(), match.originalEnd())).isEqualTo("f.u.c.k");
    }

    @Test
    void tenThousandRulesCompileAndMatch() {
        List<KeywordRule> rules = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            rules.add(literal("r" + i, "blocked" + Integer.toString(i, 36) + "word"));
        }
        KeywordMatcher matcher = KeywordMatcher.build(rules);

        assertThat(matcher.ruleCount()).isEqualTo(10_000);
        assertThat(find(matcher, "say BLOCKED7PRWORD now", "r"))
                .extracting(m -> m.rule().getId()).contains("r" + Integer.parseInt("7pr", 36));
        assertThat(find(matcher, "nothing to see", "r")).isEmpty();
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

    private static final KeywordMatcher EVASION_RULES = KeywordMatcher.build(List.of(
            literal("sb-zh", "傻逼"),
            literal("spoiler", "spoiler").toBuilder().setWholeWord(true).build(),
            literal("ad", "代练"),
            literal("sb", "sb").toBuilder().setWholeWord(true).build(),
            literal("slur", "zqxivb").toBuilder().setWholeWord(true).build()));

    /** Script boundaries, noise inside a token, repeats and leet (rules of four letters or more). */
    @ParameterizedTest
    @ValueSource(strings = {
            "前方spoiler预警", "你个SB主播", "sb", "a SB!", // a hanzi or punctuation next to a Latin word is a boundary
            "spoi-ler", "spoi🔥ler", "spoi.ler", "spoi\u2800ler", "z.qx-ivb", // noise inside a token
            "spooooiler", "sppoiiler", "5p0il3r", "$poiler", "zqx1vb", "SP0ILER!", "$p00iler", "spoi-l3r", // repeats, leet
    })
    void catchesScriptBoundaryNoiseAndLeetEvasions(String text) {
        assertThat(find(EVASION_RULES, text, "room")).as("\"%s\"", text).isNotEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "usb", "LSB", "SB19", "sbc", "spoilers", "unspoiler", // Latin letters and digits next to a Latin word
            "他一直装傻，逼问也没用", "傻。逼", // CJK sentence punctuation ends a phrase
            "spoil her", "spo iler", "spoil-er-y", // a space splits a token; noise joins only what lies inside one
            "100%", "￥500", "50$ poll", // symbols are not letters
    })
    void leavesScriptBoundaryInnocentsAlone(String text) {
        assertThat(find(EVASION_RULES, text, "room")).as("\"%s\"", text).isEmpty();
    }

    @Test
    void symbolsNeverTurnIntoLettersThroughTheSkeleton() {
        assertThat(NORMALIZER.normalize("100% ￥9").text()).isEqualTo("loo 9");
    }

    @Test
    void regexRulesSeeDigitsAndLettersAsSent() {
        KeywordRule phone = KeywordRule.newBuilder().setId("phone").setKind(RuleKind.REGEX).setPattern("1[0-9]{10}")
                .setAction(RuleAction.MASK).build();
        KeywordRule spam = phone.toBuilder().setId("spam").setPattern("spam").build();
        KeywordMatcher matcher = KeywordMatcher.build(List.of(phone, spam));

        assertThat(find(matcher, "call 13800138000 now", "r")).extracting(m -> m.rule().getId()).containsExactly("phone");
        assertThat(find(matcher, "ｃａｌｌ １０１００１０１００１", "r")).extracting(m -> m.rule().getId())
                .containsExactly("phone");
        assertThat(find(matcher, "SPAM", "r")).extracting(m -> m.rule().getId()).containsExactly("spam");
    }

    @Test
    void foldingRepeatsWidensTheOriginalSpan() {
        String text = "no spooooiler here";
        Match match = find(EVASION_RULES, text, "r").get(0);

        assertThat(text.substring(match.originalStart(), match.originalEnd())).isEqualTo("spooooiler");
        assertThat(match.view()).isEqualTo(TextNormalizer.View.FOLDED);
    }

    @Test
    void theLeftmostLongestMatchWinsAndAnExemptionWinsATie() {
        KeywordRule allow = literal("ok", "时代").toBuilder().setAction(RuleAction.ALLOW).build();
        KeywordRule longer = literal("long", "新时代练").toBuilder().build();
        KeywordMatcher matcher = KeywordMatcher.build(List.of(literal("ad", "代练"), allow));
        KeywordMatcher overridden = KeywordMatcher.build(List.of(literal("ad", "代练"), allow, longer));
        KeywordMatcher tie = KeywordMatcher.build(List.of(literal("w", "时代"), allow));

        assertThat(matcher.find(new TextViews("新时代练兵"), "r").matches()).isEmpty();
        assertThat(matcher.find(new TextViews("时代 代练"), "r").matches()).extracting(m -> m.rule().getId())
                .containsExactly("ad");
        KeywordMatcher.Findings overriddenFindings = overridden.find(new TextViews("新时代练兵"), "r");
        assertThat(overriddenFindings.matches()).extracting(m -> m.rule().getId()).containsExactly("long");
        assertThat(overriddenFindings.shielded()).as("时代|练兵 cross 代练").extracting(m -> m.rule().getId())
                .containsExactly("ad");
        assertThat(tie.find(new TextViews("新时代"), "r").matches()).isEmpty();
    }

    private static final KeywordMatcher PINYIN_RULES = KeywordMatcher.build(List.of(
            literal("sb-zh", "傻逼").toBuilder().addAlternatives("sb").addAlternatives("煞笔").build(),
            literal("ad", "代练")));

    /** Pinyin generated from CJK rules, on syllable boundaries, mixed with hanzi; alternatives the rule lists. */
    @ParameterizedTest
    @ValueSource(strings = {
            "sha逼", "傻bi", "shabi", "SHABI", "sha bi", "Shǎ Bī", "shǎbī", "你是shabi吧", "woshabi", "s h a b i",
            "dai练", "代lian", "dailian", "专业dai lian上分",
            "sha3bi1", "shab1", "sh4bi", "d4ilian", // tone numbers after syllables; leet where no syllable ends
            "sb", "你个SB", "煞笔", "煞 笔", // alternatives
    })
    void catchesPinyinAndAlternatives(String text) {
        assertThat(find(PINYIN_RULES, text, "room")).as("\"%s\" (pinyin view \"%s\")", text,
                NORMALIZER.normalize(text, TextNormalizer.View.PINYIN).text()).isNotEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "杀必死", "沙比", // other hanzi with the same reading: the text is never turned into pinyin
            "visha bike", "shabit", "kshabi", "dailiang", "a shab in", // not on syllable boundaries
            "sha1 checksum", "shab2", // a tone number after a syllable; 2 is no letter
            "usb", "sbc", "SB19", // a Latin alternative is a whole word
    })
    void leavesPinyinLookalikesAlone(String text) {
        assertThat(find(PINYIN_RULES, text, "room")).as("\"%s\"", text).isEmpty();
    }

    @Test
    void refusesAlternativesThatCannotWork() {
        KeywordRule regex = KeywordRule.newBuilder().setId("x").setKind(RuleKind.REGEX).setPattern("a+b")
                .addAlternatives("ab").build();
        assertThatThrownBy(() -> KeywordMatcher.validate(regex)).hasMessageContaining("literal rules");
        assertThatThrownBy(() -> KeywordMatcher.validate(literal("x", "ok").toBuilder().addAlternatives("...").build()))
                .hasMessageContaining("alternative \"...\"");
        KeywordRule.Builder many = literal("x", "ok").toBuilder();
        for (int i = 0; i <= KeywordMatcher.MAX_ALTERNATIVES; i++) {
            many.addAlternatives("alt" + i);
        }
        assertThatThrownBy(() -> KeywordMatcher.validate(many.build())).hasMessageContaining("at most");
    }

    @ParameterizedTest
    @ValueSource(strings = {"((a{1000}){1000}){1000}", "(a{101}){100}", "((x{10}){10}){101}", "[ab]{3}(c{1000}){11}",
            "(a{1000,}){11}"})
    void refusesRegexesThatExpandBeyondTheLimitBeforeCompilingThem(String regex) {
        KeywordRule rule = KeywordRule.newBuilder().setId("x").setKind(RuleKind.REGEX).setPattern(regex).build();
        assertThatThrownBy(() -> KeywordMatcher.validate(rule)).hasMessageContaining("instructions, at most 10000");
    }

    @Test
    void estimatesRegexSizeFromItsCountedRepetition() {
        assertThat(RegexSize.estimate("1[3-9][0-9]{9}")).isEqualTo(11);
        assertThat(RegexSize.estimate("(a{100}){100}")).isEqualTo(10_100);
        assertThat(RegexSize.estimate("a\\{2}|b")).as("an escaped brace counts nothing").isEqualTo(6);
        assertThat(RegexSize.estimate("\\p{Han}{3}")).isEqualTo(3);
        assertThat(RegexSize.estimate("[{]{5}x")).isEqualTo(6);
        assertThat(RegexSize.estimate("((a{1000}){1000}){1000}")).isGreaterThan(1_000_000_000L);
    }

    @Test
    void aStoredRuleThatNoLongerPassesIsLeftOutAndCountedNotFatal() {
        KeywordRule huge = KeywordRule.newBuilder().setId("huge").setKind(RuleKind.REGEX)
                .setPattern("((a{1000}){1000}){1000}").setAction(RuleAction.REJECT).build();
        KeywordMatcher matcher = KeywordMatcher.build(List.of(huge, literal("ok", "spoiler")));

        assertThat(matcher.ruleCount()).isEqualTo(1);
        assertThat(matcher.skippedCount()).isEqualTo(1);
        assertThat(find(matcher, "spoiler", "r")).extracting(m -> m.rule().getId()).containsExactly("ok");
    }

    @Test
    void regexesAreWrittenInLowerCaseAndAWideClassCompilesAtOnce() throws Exception {
        KeywordRule upper = KeywordRule.newBuilder().setId("x").setKind(RuleKind.REGEX).setPattern("V+[IL]+AGRA").build();
        assertThatThrownBy(() -> KeywordMatcher.validate(upper)).hasMessageContaining("in lower case");
        for (String fine : List.of("\\p{Han}+\\P{Lu}", "\\D{3}\\S\\W", "(?P<Name>spam)", "[[:alpha:]]x", "\\QABC\\E",
                "\\x{4E00}")) {
            KeywordMatcher.validate(upper.toBuilder().setPattern(fine).build());
        }
        // case folding made RE2/J take minutes over this class: one rule could stall every filter
        KeywordRule wide = upper.toBuilder().setPattern("[a-\\x{ffff}]{3}").build();
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> {
            KeywordMatcher.validate(wide);
            KeywordMatcher.build(List.of(wide));
        });
    }

    @Test
    void refusesRegexesThatWouldBringCaseFoldingOrAHugeExpansionBack() throws Exception {
        KeywordRule regex = KeywordRule.newBuilder().setId("x").setKind(RuleKind.REGEX).setPattern("x").build();
        for (String folding : List.of("(?i)[a-\\x{ffff}]", "(?si:spam)", "a(?i)b")) {
            assertThatThrownBy(() -> KeywordMatcher.validate(regex.toBuilder().setPattern(folding).build()))
                    .as(folding).hasMessageContaining("(?i)");
        }
        assertThatThrownBy(() -> KeywordMatcher.validate(regex.toBuilder()
                .setPattern("\\Q)\\E((a{1000}){1000}){1000}").build())).hasMessageContaining("instructions");
        for (String fine : List.of("\\pL+", "\\PN", "(?s:a.b)", "(?-s:a.b)", "\\Q(?i)\\E")) {
            KeywordMatcher.validate(regex.toBuilder().setPattern(fine).build());
        }
    }

    @Test
    void aRuleWithManyHanziGetsItsCommonestPinyinOnlyAndCompilesAtOnce() {
        KeywordRule long64 = literal("long", "傻".repeat(64));
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> {
            KeywordMatcher.validate(long64);
            assertThat(KeywordMatcher.patternsOf(long64)).hasSizeLessThan(10);
            KeywordMatcher.build(List.of(long64));
        });
    }

    @Test
    void anExemptionShieldsOnlyWhatStartsWithinItAndDictionaryWordsOnlyTheMatchTheyCross() {
        KeywordRule mask = literal("mask", "x新").toBuilder().setAction(RuleAction.MASK).build();
        KeywordRule phrase = literal("phrase", "新时代练");
        KeywordRule allow = literal("ok", "时代").toBuilder().setAction(RuleAction.ALLOW).build();
        assertThat(KeywordMatcher.build(List.of(mask, phrase, allow)).find(new TextViews("x新时代练"), "r").matches())
                .extracting(m -> m.rule().getId()).contains("phrase");

        KeywordRule contact = KeywordRule.newBuilder().setId("contact").setKind(RuleKind.REGEX).setPattern("加.{0,4}微信")
                .setAction(RuleAction.REJECT).build();
        KeywordMatcher.Findings findings = KeywordMatcher.build(List.of(literal("ad", "代练"), contact))
                .find(new TextViews("加古代练兵微信"), "r");
        assertThat(findings.matches()).extracting(m -> m.rule().getId()).containsExactly("contact");
        assertThat(findings.shielded()).extracting(m -> m.rule().getId()).containsExactly("ad");
    }

    @Test
    void foldingRepeatsNeverMakesADoubledLetterOfTheRuleOptional() {
        KeywordMatcher matcher = KeywordMatcher.build(List.of(literal("b", "boobs").toBuilder().setWholeWord(true).build()));

        assertThat(find(matcher, "boooobs", "r")).isNotEmpty();
        assertThat(find(matcher, "b00bs", "r")).isNotEmpty();
        assertThat(find(matcher, "Bob's car", "r")).isEmpty();
        assertThat(find(matcher, "bobs", "r")).isEmpty();
    }

    @Test
    void pinyinStopsAtAChineseSentenceEndLikeHanzi() {
        assertThat(find(PINYIN_RULES, "他装sha，逼问也没用", "r")).isEmpty();
        assertThat(find(PINYIN_RULES, "他装sha逼", "r")).isNotEmpty();
    }
}
