package dev.danmaku.filter.matching;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.Character.UnicodeScript;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UProperty;
import com.ibm.icu.text.Normalizer2;
import com.ibm.icu.text.SpoofChecker;
import com.ibm.icu.text.Transliterator;

/**
 * Turns a text into the forms rules are matched against ({@link View}), so that common evasions land
 * on the same letters as the rule: full/half width and compatibility forms (NFKC), case (folding),
 * accents (dropped), zero-width and other format characters (removed), traditional Chinese (to
 * simplified), rare variant characters (to their common form, from Unihan), look-alike letters from other scripts (the Unicode confusables skeleton, for letters
 * only: a symbol never becomes a letter that way), and separators put between single letters or
 * between CJK characters ("f.u.c.k", "傻 逼"). Other separator runs become one space, so whole-word
 * rules still see word boundaries; CJK sentence punctuation (，。！？；：) always ends a phrase.
 *
 * <p>Each code point is mapped on its own and the result cached, which keeps normalizing cheap and
 * lets every normalized char point back at the original text. Thread-safe.
 */
public final class TextNormalizer {

    /** The forms of a text; each rule is matched against the views its kind and script call for. */
    public enum View {
        /** Every literal rule. */
        STANDARD,
        /** Latin rules: also punctuation, symbols and emoji inside a space-delimited token dropped ("spoi-ler"). */
        SQUASHED,
        /** Latin rules of four letters or more: squashed, leet read as letters ("5p0il3r", "$poiler"), repeats folded. */
        FOLDED,
        /** Regex rules: as standard, but without the confusable skeleton ("0" and "1" stay digits, "m" stays "m"). */
        REGEX,
        /**
         * The pinyin of CJK rules ("sha逼", "shabi"): as regex, with every separator and tone number dropped ("sha bi",
         * "sha3bi1"); a digit after letters that are not whole syllables is read as leet ("shab1").
         */
        PINYIN
    }

    private static final String[] BMP = new String[0x10000];
    private static final String[] BMP_PLAIN = new String[0x10000];
    /** The same forms when they are one char, for the common case without a String: 0 not known yet. */
    private static final char[] BMP_ONE = new char[0x10000];
    private static final char[] BMP_PLAIN_ONE = new char[0x10000];
    /** In the one-char tables: the form is empty or longer than one char. U+FFFF is never a word char. */
    private static final char NOT_ONE_CHAR = '\uFFFF';
    private static final Kind[] BMP_KINDS = new Kind[0x10000];
    private static final byte[] BMP_CJK = new byte[0x10000]; // 0 not known yet, 1 CJK, 2 not
    private static final ConcurrentHashMap<Integer, String> SUPPLEMENTARY = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<Integer, String> SUPPLEMENTARY_PLAIN = new ConcurrentHashMap<>();
    private static final Normalizer2 NFKC_CASEFOLD = Normalizer2.getNFKCCasefoldInstance();
    private static final Normalizer2 NFD = Normalizer2.getNFDInstance();
    private static final SpoofChecker SPOOF = new SpoofChecker.Builder().build();
    private static final ThreadLocal<Transliterator> TO_SIMPLIFIED =
            ThreadLocal.withInitial(() -> Transliterator.getInstance("Traditional-Simplified"));
    /** Digits and symbols read as letters in the folded view, looked up after NFKC ("５" is "5"). */
    private static final char[] LEET = leetTable("013457$@!|", "oieastsaii");
    private static final Map<Integer, Integer> VARIANTS = loadVariants();

    private enum Kind { IGNORED, SEPARATOR, WORD }

    /** The standard view of a text; {@link NormalizedText#text()} is what literal rules match. */
    public NormalizedText normalize(String original) {
        return normalize(original, View.STANDARD);
    }

    /** One view of a text, with the original span of each of its chars. */
    public NormalizedText normalize(String original, View view) {
        boolean squash = view == View.SQUASHED || view == View.FOLDED;
        boolean fold = view == View.FOLDED;
        int length = original.length();
        Output out = new Output(length + 16);

        int tokenLength = 0; // code points in the current word token
        int previousTokenLength = 0;
        boolean previousTokenEndsCjk = false;
        int pendingSeparatorStart = -1; // a separator run waiting to see the next token
        int pendingSeparatorEnd = -1;
        boolean pendingPhraseEnd = false;

        for (int i = 0; i < length; ) {
            int cp = original.codePointAt(i);
            int next = i + Character.charCount(cp);
            Kind kind = kindOf(cp);
            if (kind == Kind.SEPARATOR && fold && leet(cp) != 0 && next < length
                    && kindOf(original.codePointAt(next)) == Kind.WORD) {
                kind = Kind.WORD; // "$poiler", but not the "!" that ends "spoiler!"
            }
            boolean leetInPinyin = false;
            if (view == View.PINYIN && cp >= '1' && cp <= '5' && pendingSeparatorStart < 0 && out.endsWithLatinLetter()) {
                if (out.endsWithSyllables()) {
                    kind = Kind.IGNORED; // a tone number ("sha3bi1"); the gap it leaves is a syllable boundary
                } else {
                    leetInPinyin = leet(cp) != 0; // no syllable ends before it, so it stands for a letter ("shab1")
                }
            }
            boolean phraseEnd = kind == Kind.SEPARATOR && isPhraseEnd(cp);
            if (kind == Kind.SEPARATOR && squash && !phraseEnd && !isBlank(cp)) {
                kind = Kind.IGNORED; // noise inside a token
            }
            if (kind == Kind.SEPARATOR) {
                if (tokenLength > 0) {
                    previousTokenLength = tokenLength;
                    previousTokenEndsCjk = out.endsWithCjk();
                    tokenLength = 0;
                }
                if (out.length > 0) {
                    if (pendingSeparatorStart < 0) {
                        pendingSeparatorStart = i;
                    }
                    pendingSeparatorEnd = next;
                    pendingPhraseEnd |= phraseEnd;
                }
            } else if (kind == Kind.WORD) {
                char one = leetInPinyin ? leet(cp) : oneCharFor(view, cp);
                String mapped = one == NOT_ONE_CHAR ? mapFor(view, cp) : null;
                if (mapped == null || !mapped.isEmpty()) {
                    if (pendingSeparatorStart >= 0) {
                        boolean glue = !pendingPhraseEnd && (previousTokenEndsCjk || isCjk(cp)
                                || (previousTokenLength == 1 && isSingleLetterToken(original, i, next, squash)));
                        if (!glue && (view != View.PINYIN || pendingPhraseEnd)) { // pinyin runs on, up to a phrase end
                            out.append(' ', pendingSeparatorStart, pendingSeparatorEnd, false);
                        }
                        pendingSeparatorStart = -1;
                        pendingPhraseEnd = false;
                    }
                    if (mapped == null) {
                        out.append(one, i, next, fold);
                    } else {
                        for (int k = 0; k < mapped.length(); k++) {
                            out.append(mapped.charAt(k), i, next, fold);
                        }
                    }
                    tokenLength++;
                }
            }
            i = next;
        }
        return out.toText(original);
    }

    /**
     * Whether the squashed view of a text differs from its standard view: only punctuation, symbols
     * and emoji inside it (not blanks, not phrase ends) are treated differently.
     */
    public boolean squashes(String original) {
        for (int i = 0; i < original.length(); ) {
            int cp = original.codePointAt(i);
            if (kindOf(cp) == Kind.SEPARATOR && !isBlank(cp) && !isPhraseEnd(cp)) {
                return true;
            }
            i += Character.charCount(cp);
        }
        return false;
    }

    /** The matching form of a rule's pattern in a view: the same mapping as texts get. */
    public String normalizePattern(String pattern, View view) {
        return normalize(pattern, view).text();
    }

    public String normalizePattern(String pattern) {
        return normalizePattern(pattern, View.STANDARD);
    }

    /** A view being written: its chars and the original span of each. */
    private static final class Output {
        private char[] chars;
        private int[] starts;
        private int[] ends;
        private int length;

        Output(int capacity) {
            chars = new char[capacity];
            starts = new int[capacity];
            ends = new int[capacity];
        }

        /** Appends one char from an original span; when folding repeats, a char equal to the one before only widens its span. */
        void append(char c, int start, int end, boolean foldRepeats) {
            if (foldRepeats && length > 0 && chars[length - 1] == c) {
                ends[length - 1] = end;
                return;
            }
            if (length == chars.length) { // one expanded code point may need many chars
                chars = Arrays.copyOf(chars, length * 2);
                starts = Arrays.copyOf(starts, length * 2);
                ends = Arrays.copyOf(ends, length * 2);
            }
            chars[length] = c;
            starts[length] = start;
            ends[length] = end;
            length++;
        }

        boolean endsWithLatinLetter() {
            return length > 0 && isLatinLetter(chars[length - 1]);
        }

        /** Whether the run of letters at the end can be cut into pinyin syllables, all of them. */
        boolean endsWithSyllables() {
            int start = length;
            while (start > 0 && isLatinLetter(chars[start - 1])) {
                start--;
            }
            return Pinyin.isSyllables(CharBuffer.wrap(chars, 0, length), start, length);
        }

        private static boolean isLatinLetter(char c) {
            return c >= 'a' && c <= 'z';
        }

        boolean endsWithCjk() {
            return length > 0 && isCjk(Character.codePointBefore(chars, length));
        }

        /** The view; the span arrays may run past its last char. */
        NormalizedText toText(String original) {
            return new NormalizedText(original, new String(chars, 0, length), starts, ends);
        }
    }

    /** Whether the word token starting at {@code from} is a single code point (the "f.u.c.k" pattern). */
    private static boolean isSingleLetterToken(String original, int from, int next, boolean squash) {
        for (int i = next; i < original.length(); ) {
            int cp = original.codePointAt(i);
            Kind kind = kindOf(cp);
            if (kind == Kind.SEPARATOR && (!squash || isBlank(cp) || isPhraseEnd(cp))) {
                return true;
            }
            if (kind == Kind.WORD && !map(cp).isEmpty()) {
                return false;
            }
            i += Character.charCount(cp);
        }
        return true;
    }

    /** CJK sentence punctuation, decided on the original char: it always ends a phrase. */
    private static boolean isPhraseEnd(int cp) {
        return switch (cp) {
            case '，', '。', '！', '？', '；', '：' -> true;
            default -> false;
        };
    }

    private static boolean isBlank(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp);
    }

    /** Han, kana and Hangul: scripts written without spaces between words. Cached for the BMP. */
    public static boolean isCjk(int cp) {
        if (cp >= 0x10000) {
            return computeCjk(cp);
        }
        byte cached = BMP_CJK[cp];
        if (cached == 0) {
            cached = computeCjk(cp) ? (byte) 1 : (byte) 2;
            BMP_CJK[cp] = cached;
        }
        return cached == 1;
    }

    private static boolean computeCjk(int cp) {
        UnicodeScript script = UnicodeScript.of(cp);
        return script == UnicodeScript.HAN || script == UnicodeScript.HIRAGANA || script == UnicodeScript.KATAKANA
                || script == UnicodeScript.HANGUL;
    }

    private static Kind kindOf(int cp) {
        if (cp < 0x10000) {
            Kind cached = BMP_KINDS[cp];
            if (cached == null) {
                cached = computeKind(cp);
                BMP_KINDS[cp] = cached;
            }
            return cached;
        }
        return computeKind(cp);
    }

    private static Kind computeKind(int cp) {
        int type = Character.getType(cp);
        if (type == Character.FORMAT || type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK
                || UCharacter.hasBinaryProperty(cp, UProperty.DEFAULT_IGNORABLE_CODE_POINT)) {
            return Kind.IGNORED;
        }
        if (isWordChar(cp) || !map(cp).isEmpty()) { // symbols that are letters in disguise (ⓕ, ㈜) count too
            return Kind.WORD;
        }
        return Kind.SEPARATOR; // spaces, punctuation, symbols, emoji, controls
    }

    private static boolean isWordChar(int cp) {
        int type = Character.getType(cp);
        return Character.isLetterOrDigit(cp) || type == Character.COMBINING_SPACING_MARK
                || type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER;
    }

    /** A code point's form in a view when it is one char, else {@link #NOT_ONE_CHAR}. */
    private static char oneCharFor(View view, int cp) {
        return switch (view) {
            case STANDARD, SQUASHED -> mapOne(cp);
            case REGEX, PINYIN -> plainOne(cp);
            case FOLDED -> {
                char leet = leet(cp);
                yield leet != 0 ? leet : mapOne(cp);
            }
        };
    }

    /** A code point's form in a view when it is not one char (a leet char always is). */
    private static String mapFor(View view, int cp) {
        return view == View.REGEX || view == View.PINYIN ? plain(cp) : map(cp);
    }

    /** The letter a leet digit or symbol stands for, or 0. */
    private static char leet(int cp) {
        int ascii = cp >= 0xFF01 && cp <= 0xFF5E ? cp - 0xFEE0 : cp; // full width
        if (ascii >= 0x80) {
            ascii = plainOne(cp); // digits of other forms ("𝟓")
        }
        return ascii < LEET.length ? LEET[ascii] : 0;
    }

    /** The letter each ASCII char stands for when read as leet, or 0. */
    private static char[] leetTable(String from, String to) {
        char[] table = new char[0x80];
        for (int k = 0; k < from.length(); k++) {
            table[from.charAt(k)] = to.charAt(k);
        }
        return table;
    }

    /** The standard form of one code point; cached. */
    static String map(int cp) {
        if (cp < 0x10000) {
            String cached = BMP[cp];
            if (cached == null) {
                cached = compute(cp);
                BMP[cp] = cached;
            }
            return cached;
        }
        return SUPPLEMENTARY.computeIfAbsent(cp, TextNormalizer::compute);
    }

    private static char mapOne(int cp) {
        return oneCharOf(BMP_ONE, cp, TextNormalizer::map);
    }

    private static char plainOne(int cp) {
        return oneCharOf(BMP_PLAIN_ONE, cp, TextNormalizer::plain);
    }

    /** A code point's form as one char, cached in {@code table} for the BMP. */
    private static char oneCharOf(char[] table, int cp, IntFunction<String> form) {
        if (cp >= 0x10000) {
            return oneChar(form.apply(cp));
        }
        char cached = table[cp];
        if (cached == 0) {
            cached = oneChar(form.apply(cp));
            table[cp] = cached;
        }
        return cached;
    }

    private static char oneChar(String form) {
        return form.length() == 1 ? form.charAt(0) : NOT_ONE_CHAR;
    }

    /** One code point without the confusable skeleton; cached. */
    private static String plain(int cp) {
        if (cp < 0x10000) {
            String cached = BMP_PLAIN[cp];
            if (cached == null) {
                cached = wordCharsOf(folded(cp));
                BMP_PLAIN[cp] = cached;
            }
            return cached;
        }
        return SUPPLEMENTARY_PLAIN.computeIfAbsent(cp, c -> wordCharsOf(folded(c)));
    }

    private static String compute(int cp) {
        String s = folded(cp);
        if (!s.isEmpty() && s.codePoints().allMatch(TextNormalizer::isWordChar)) {
            // letters only: the skeleton would turn symbols into letters ("%" into "o0", "￥" into "y")
            s = NFKC_CASEFOLD.normalize(SPOOF.getSkeleton(s));
            s = withoutMarks(NFD.normalize(s));
        }
        return wordCharsOf(s);
    }

    /** NFKC with case folding, traditional to simplified, rare variants to their common form, accents dropped. */
    private static String folded(int cp) {
        String s = NFKC_CASEFOLD.normalize(new String(Character.toChars(cp)));
        s = TO_SIMPLIFIED.get().transliterate(s);
        StringBuilder common = new StringBuilder(s.length());
        s.codePoints().map(c -> VARIANTS.getOrDefault(c, c)).forEach(common::appendCodePoint);
        return withoutMarks(NFD.normalize(common));
    }

    /** variants.tsv: a rare CJK variant and the common character it stands for (儍 → 傻, 屄 → 逼), chains followed. */
    private static Map<Integer, Integer> loadVariants() {
        Map<Integer, Integer> variants = new HashMap<>();
        try (InputStream in = TextNormalizer.class.getResourceAsStream("variants.tsv")) {
            if (in == null) {
                throw new IllegalStateException("variants.tsv is missing from the filter's jar");
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isEmpty() && !line.startsWith("#")) {
                    String[] columns = line.split("\t");
                    variants.put(columns[0].codePointAt(0), columns[1].codePointAt(0));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<Integer, Integer> resolved = new HashMap<>();
        variants.forEach((variant, common) -> {
            int to = common;
            for (int step = 0; step < 8 && variants.containsKey(to) && variants.get(to) != variant; step++) {
                to = variants.get(to); // 卝 → 艹 → 草
            }
            resolved.put(variant, to);
        });
        return Map.copyOf(resolved);
    }

    private static String wordCharsOf(String s) {
        StringBuilder kept = new StringBuilder(s.length());
        s.codePoints().filter(TextNormalizer::isWordChar).forEach(kept::appendCodePoint);
        return kept.toString();
    }

    private static String withoutMarks(String s) {
        StringBuilder kept = new StringBuilder(s.length());
        s.codePoints().filter(c -> Character.getType(c) != Character.NON_SPACING_MARK).forEach(kept::appendCodePoint);
        return kept.toString();
    }
}
