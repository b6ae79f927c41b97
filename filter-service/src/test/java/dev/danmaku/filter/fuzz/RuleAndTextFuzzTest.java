package dev.danmaku.filter.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

import dev.danmaku.filter.matching.InvalidRuleException;
import dev.danmaku.filter.matching.KeywordMatcher;
import dev.danmaku.filter.matching.Match;
import dev.danmaku.filter.matching.NormalizedText;
import dev.danmaku.filter.matching.TextNormalizer;
import dev.danmaku.filter.matching.TextNormalizer.View;
import dev.danmaku.filter.matching.TextViews;
import dev.danmaku.proto.v1.KeywordRule;
import dev.danmaku.proto.v1.RuleAction;
import dev.danmaku.proto.v1.RuleKind;

/**
 * Fuzzing of what moderators and viewers hand the filter: any text in any view normalizes with its
 * spans inside the text; any pattern is either refused with a reason or compiles and matches any
 * text without failing. {@code ./mvnw verify} runs 1 000 tries per property; {@code bench/run.sh fuzz} runs
 * millions (docs/security.md, "Fuzzing").
 */
class RuleAndTextFuzzTest {

    private static final TextNormalizer NORMALIZER = new TextNormalizer();
    /** What evasions and regexes are made of, beside any code point. */
    private static final String TRICKY = "()[]{}*+?|\\.^$,-_ 0123456789abcdeilmosz傻逼代练時代ｆ\u200B\u202E\u2800%￥$@!，。";

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(120),
                Arbitraries.strings().withChars(TRICKY).ofMaxLength(60));
    }

    @Provide
    Arbitrary<String> patterns() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars(TRICKY).ofMinLength(1).ofMaxLength(40),
                Arbitraries.strings().all().ofMinLength(1).ofMaxLength(40));
    }

    @Property
    void anyTextNormalizesWithSpansInsideIt(@ForAll("texts") String text, @ForAll View view) {
        NormalizedText normalized = NORMALIZER.normalize(text, view);

        for (int i = 0; i < normalized.text().length(); i++) {
            assertThat(normalized.originalStartOf(i)).isBetween(0, text.length() - 1);
            assertThat(normalized.originalEndOf(i + 1)).isBetween(normalized.originalStartOf(i) + 1, text.length());
        }
    }

    /** Letters, digits, hanzi, blanks, invisible and phrase-end chars: nothing the squashed view drops. */
    @Provide
    Arbitrary<String> textsWithoutNoise() {
        return Arbitraries.strings().withChars("abcdeilmosz0123456789 \t傻逼代练時代ｆ\u200B，。！").ofMaxLength(60);
    }

    @Property
    void aTextWithoutPunctuationOrSymbolsSquashesToItsStandardView(@ForAll("textsWithoutNoise") String text) {
        NormalizedText standard = NORMALIZER.normalize(text, View.STANDARD);
        NormalizedText squashed = NORMALIZER.normalize(text, View.SQUASHED);

        assertThat(NORMALIZER.squashes(text)).isFalse();
        assertThat(squashed.text()).isEqualTo(standard.text());
        for (int i = 0; i < standard.text().length(); i++) {
            assertThat(squashed.originalStartOf(i)).isEqualTo(standard.originalStartOf(i));
            assertThat(squashed.originalEndOf(i + 1)).isEqualTo(standard.originalEndOf(i + 1));
        }
        assertThat(NORMALIZER.squashes(text + "-x")).isTrue();
    }

    @Property
    void anyPatternIsRefusedWithAReasonOrMatchesAnyTextSafely(@ForAll("patterns") String pattern,
            @ForAll RuleKind kind, @ForAll("texts") String text, @ForAll @StringLength(max = 8) String alternative) {
        if (kind == RuleKind.UNRECOGNIZED) {
            return;
        }
        KeywordRule.Builder builder = KeywordRule.newBuilder().setId("fuzz").setPattern(pattern).setKind(kind)
                .setAction(RuleAction.REJECT);
        if (kind != RuleKind.REGEX && !alternative.isBlank()) {
            builder.addAlternatives(alternative);
        }
        KeywordRule rule = builder.build();
        try {
            KeywordMatcher.validate(rule);
        } catch (InvalidRuleException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        KeywordMatcher matcher = KeywordMatcher.build(List.of(rule));
        assertThat(matcher.ruleCount()).isEqualTo(1);
        for (Match match : matcher.find(new TextViews(text), "room").matches()) {
            assertThat(match.originalStart()).isBetween(0, text.length());
            assertThat(match.originalEnd()).isBetween(match.originalStart(), text.length());
        }
    }
}
