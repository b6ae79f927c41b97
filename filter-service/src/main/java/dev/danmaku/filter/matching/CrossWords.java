package dev.danmaku.filter.matching;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

import dev.danmaku.proto.v1.KeywordRule;
import dev.danmaku.proto.v1.RuleAction;

/**
 * Exemptions generated from a dictionary, for CJK rules matched across a word boundary: two common
 * words that meet inside the match, one starting before it and one ending after it ("古代|练兵"
 * across "代练", "现代|练习曲"), shield it the way a moderator's ALLOW rule would. Both words must be
 * in jieba's dictionary with a frequency of at least {@value #MIN_FREQUENCY}; a word on one side only
 * is not enough ("大傻逼", "装傻逼我" stay caught). Words are loaded on first use. Thread-safe.
 */
final class CrossWords {

    static final int MIN_FREQUENCY = 20;
    static final int LONGEST_WORD = 4;
    /** The rule a generated exemption is shown as in the dry run. */
    static final KeywordRule RULE = KeywordRule.newBuilder().setId("dictionary").setAction(RuleAction.ALLOW)
            .setPattern("(two dictionary words across the match)").build();

    private CrossWords() {
    }

    /**
     * The span {@code [from, to)} of the two words that cross chars {@code [start, end)} of a
     * standard view, or null when none do.
     */
    static int[] crossing(String text, int start, int end) {
        for (int split = start + 1; split < end; split++) {
            for (int from = Math.max(0, split - LONGEST_WORD); from < start; from++) {
                if (!isWord(text, from, split)) {
                    continue;
                }
                for (int to = Math.min(text.length(), split + LONGEST_WORD); to > end; to--) {
                    if (isWord(text, split, to)) {
                        return new int[] {from, to};
                    }
                }
            }
        }
        return null;
    }

    private static boolean isWord(String text, int from, int to) {
        return Words.ALL.contains(text.substring(from, to));
    }

    /** jieba's dict.txt ("word frequency tag" per line), CJK words of 2–4 chars, in the standard view's form. */
    private static final class Words {
        static final Set<String> ALL = load();

        private static Set<String> load() {
            TextNormalizer normalizer = new TextNormalizer();
            Set<String> words = new HashSet<>(200_000);
            try (InputStream in = CrossWords.class.getResourceAsStream("/dict.txt")) {
                if (in == null) {
                    throw new IllegalStateException("jieba's dict.txt is missing from the class path");
                }
                BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                for (String line; (line = lines.readLine()) != null; ) {
                    String[] columns = line.split(" ");
                    if (columns.length >= 2 && columns[0].length() >= 2 && columns[0].length() <= LONGEST_WORD
                            && columns[0].codePoints().allMatch(TextNormalizer::isCjk)
                            && Integer.parseInt(columns[1]) >= MIN_FREQUENCY) {
                        words.add(normalizer.normalizePattern(columns[0]));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Set.copyOf(words);
        }
    }
}
