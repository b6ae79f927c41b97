package dev.danmaku.filter.matching;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import net.sourceforge.pinyin4j.PinyinHelper;
import net.sourceforge.pinyin4j.format.HanyuPinyinCaseType;
import net.sourceforge.pinyin4j.format.HanyuPinyinOutputFormat;
import net.sourceforge.pinyin4j.format.HanyuPinyinToneType;
import net.sourceforge.pinyin4j.format.HanyuPinyinVCharType;
import net.sourceforge.pinyin4j.format.exception.BadHanyuPinyinOutputFormatCombination;

/**
 * Pinyin for CJK rules: every reading of a hanzi (pinyin4j), toneless and lower case, and where a
 * run of Latin letters in a text may be cut into syllables, so a rule's pinyin matches only on
 * syllable boundaries ("woshabi" holds "shabi", "visha bike" does not). Thread-safe.
 */
final class Pinyin {

    private static final HanyuPinyinOutputFormat FORMAT = new HanyuPinyinOutputFormat();

    static {
        FORMAT.setToneType(HanyuPinyinToneType.WITHOUT_TONE);
        FORMAT.setVCharType(HanyuPinyinVCharType.WITH_V);
        FORMAT.setCaseType(HanyuPinyinCaseType.LOWERCASE);
    }

    private Pinyin() {
    }

    /** Every reading of a hanzi ("ü" both as "v" and "u"); empty for anything else. */
    static List<String> readings(int cp) {
        if (cp > 0xFFFF) {
            return List.of();
        }
        String[] readings;
        try {
            readings = PinyinHelper.toHanyuPinyinStringArray((char) cp, FORMAT);
        } catch (BadHanyuPinyinOutputFormatCombination e) {
            throw new IllegalStateException(e);
        }
        if (readings == null) {
            return List.of();
        }
        Set<String> distinct = new LinkedHashSet<>();
        for (String reading : readings) {
            if (Syllables.isSyllable(reading)) {
                distinct.add(reading);
                distinct.add(reading.replace('v', 'u'));
            }
        }
        return List.copyOf(distinct);
    }

    /**
     * Where a match may start or end in a pinyin view: at either end, next to anything that is not
     * a Latin letter, where a separator was dropped, and inside a run of letters only between two
     * syllables of a way to cut the whole run into syllables.
     */
    static boolean[] boundaries(NormalizedText view) {
        String text = view.text();
        int n = text.length();
        boolean[] allowed = new boolean[n + 1];
        for (int i = 0; i <= n; ) {
            if (i == n || !isLatinLetter(text.charAt(i))) {
                allowed[i++] = true;
                continue;
            }
            int end = i + 1;
            while (end < n && isLatinLetter(text.charAt(end)) && !separatedBefore(view, end)) {
                end++;
            }
            markRun(text, i, end, allowed);
            i = end;
        }
        return allowed;
    }

    /** True when something was dropped between chars {@code i - 1} and {@code i} of the view. */
    private static boolean separatedBefore(NormalizedText view, int i) {
        return i > 0 && view.originalStartOf(i) > view.originalEndOf(i);
    }

    private static void markRun(String text, int start, int end, boolean[] allowed) {
        allowed[start] = true;
        allowed[end] = true;
        int length = end - start;
        boolean[] fromStart = syllableEnds(text, start, end);
        if (!fromStart[length]) {
            return; // not pinyin: only the run's ends are boundaries
        }
        boolean[] toEnd = new boolean[length + 1];
        toEnd[length] = true;
        for (int i = length - 1; i >= 0; i--) {
            int node = Syllables.ROOT;
            for (int k = 1; i + k <= length && !toEnd[i]; k++) {
                node = Syllables.next(node, text.charAt(start + i + k - 1));
                if (node == Syllables.NONE) {
                    break;
                }
                toEnd[i] = toEnd[i + k] && Syllables.endsSyllable(node);
            }
        }
        for (int i = 1; i < length; i++) {
            allowed[start + i] |= fromStart[i] && toEnd[i];
        }
    }

    /** Whether the letters (a-z) {@code [start, end)} can be cut into syllables, all of them. */
    static boolean isSyllables(CharSequence text, int start, int end) {
        return syllableEnds(text, start, end)[end - start];
    }

    /** For each length from {@code start}: whether that many letters can be cut into syllables. */
    private static boolean[] syllableEnds(CharSequence text, int start, int end) {
        int length = end - start;
        boolean[] fromStart = new boolean[length + 1];
        fromStart[0] = true;
        for (int i = 0; i < length; i++) {
            if (fromStart[i]) {
                int node = Syllables.ROOT;
                for (int k = 1; i + k <= length; k++) {
                    node = Syllables.next(node, text.charAt(start + i + k - 1));
                    if (node == Syllables.NONE) {
                        break;
                    }
                    fromStart[i + k] |= Syllables.endsSyllable(node);
                }
            }
        }
        return fromStart;
    }

    private static boolean isLatinLetter(char c) {
        return c >= 'a' && c <= 'z';
    }

    /**
     * The toneless syllables hanzi are read as, with a vowel ("m", "ng", "hng" left out), made on first
     * use; also as a trie over a-z, so a run of letters is cut into syllables without a substring.
     */
    private static final class Syllables {
        static final Set<String> ALL = all();
        static final int ROOT = 0;
        static final int NONE = 0; // the root is nobody's child
        private static final int LETTERS = 26;
        private static final int[] CHILDREN; // node * LETTERS + letter: the child node, or NONE
        private static final boolean[] ENDS;

        static {
            int[] children = new int[(ALL.stream().mapToInt(String::length).sum() + 1) * LETTERS];
            boolean[] ends = new boolean[children.length / LETTERS];
            int nodes = 1;
            for (String syllable : ALL) {
                int node = ROOT;
                for (int k = 0; k < syllable.length(); k++) {
                    int slot = node * LETTERS + syllable.charAt(k) - 'a';
                    if (children[slot] == NONE) {
                        children[slot] = nodes++;
                    }
                    node = children[slot];
                }
                ends[node] = true;
            }
            CHILDREN = children;
            ENDS = ends;
        }

        static boolean isSyllable(String s) {
            return ALL.contains(s);
        }

        /** The node after one more letter (a-z), or NONE when no syllable goes on that way. */
        static int next(int node, char letter) {
            return CHILDREN[node * LETTERS + letter - 'a'];
        }

        static boolean endsSyllable(int node) {
            return ENDS[node];
        }

        private static Set<String> all() {
            Set<String> syllables = new HashSet<>();
            for (char c = 0x4E00; c <= 0x9FFF; c++) {
                String[] readings;
                try {
                    readings = PinyinHelper.toHanyuPinyinStringArray(c, FORMAT);
                } catch (BadHanyuPinyinOutputFormatCombination e) {
                    throw new IllegalStateException(e);
                }
                if (readings != null) {
                    for (String reading : readings) {
                        if (reading.matches("[a-z]+") && reading.matches(".*[aeiouv].*")) {
                            syllables.add(reading);
                            syllables.add(reading.replace('v', 'u'));
                        }
                    }
                }
            }
            return Set.copyOf(syllables);
        }
    }

    /** Every spelling of a normalized CJK pattern with at least one hanzi read as pinyin, at most {@code limit}. */
    static List<String> spellings(String pattern, int limit) {
        List<List<String>> options = new ArrayList<>();
        long combinations = 1;
        for (int i = 0; i < pattern.length(); ) {
            int cp = pattern.codePointAt(i);
            List<String> choices = new ArrayList<>();
            choices.add(new String(Character.toChars(cp)));
            choices.addAll(readings(cp));
            options.add(choices);
            combinations = Math.min((long) limit + 1, combinations * choices.size()); // saturates: no overflow
            i += Character.charCount(cp);
        }
        if (combinations > limit) { // a long rule: only its commonest reading, all in pinyin
            StringBuilder first = new StringBuilder();
            options.forEach(choices -> first.append(choices.get(choices.size() > 1 ? 1 : 0)));
            return first.toString().equals(pattern) ? List.of() : List.of(first.toString());
        }
        List<String> spellings = new ArrayList<>(List.of(""));
        for (List<String> choices : options) {
            List<String> longer = new ArrayList<>(spellings.size() * choices.size());
            for (String prefix : spellings) {
                for (String choice : choices) {
                    longer.add(prefix + choice);
                }
            }
            spellings = longer;
        }
        spellings.remove(pattern);
        return spellings;
    }
}
