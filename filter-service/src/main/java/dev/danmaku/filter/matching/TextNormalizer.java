package dev.danmaku.filter.matching;

import java.lang.Character.UnicodeScript;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UProperty;
import com.ibm.icu.text.Normalizer2;
import com.ibm.icu.text.SpoofChecker;
import com.ibm.icu.text.Transliterator;

/**
 * Turns a text into the form rules are matched against, so that common evasions land on the same
 * letters as the rule: full/half width and compatibility forms (NFKC), case (folding), accents
 * (dropped), zero-width and other format characters (removed), traditional Chinese (to simplified),
 * look-alike letters from other scripts (the Unicode confusables skeleton), and separators put
 * between single letters or between CJK characters ("f.u.c.k", "傻 逼"). Other separator runs
 * become one space, so whole-word rules still see word boundaries.
 *
 * <p>Each code point is mapped on its own and the result cached, which keeps normalizing cheap and
 * lets every normalized char point back at the original text. Thread-safe.
 */
public final class TextNormalizer {

    private static final String[] BMP = new String[0x10000];
    private static final Kind[] BMP_KINDS = new Kind[0x10000];
    private static final ConcurrentHashMap<Integer, String> SUPPLEMENTARY = new ConcurrentHashMap<>();
    private static final Normalizer2 NFKC_CASEFOLD = Normalizer2.getNFKCCasefoldInstance();
    private static final Normalizer2 NFD = Normalizer2.getNFDInstance();
    private static final SpoofChecker SPOOF = new SpoofChecker.Builder().build();
    private static final ThreadLocal<Transliterator> TO_SIMPLIFIED =
            ThreadLocal.withInitial(() -> Transliterator.getInstance("Traditional-Simplified"));

    private enum Kind { IGNORED, SEPARATOR, WORD }

    /** Normalizes a text; {@link NormalizedText#text()} is what rules match. */
    public NormalizedText normalize(String original) {
        int length = original.length();
        StringBuilder out = new StringBuilder(length);
        int[] starts = new int[length + 16];
        int[] ends = new int[length + 16];

        int tokenLength = 0; // code points in the current word token
        int previousTokenLength = 0;
        boolean previousTokenEndsCjk = false;
        int pendingSeparatorStart = -1; // a separator run waiting to see the next token
        int pendingSeparatorEnd = -1;

        for (int i = 0; i < length; ) {
            int cp = original.codePointAt(i);
            int next = i + Character.charCount(cp);
            Kind kind = kindOf(cp);
            if (kind == Kind.SEPARATOR) {
                if (tokenLength > 0) {
                    previousTokenLength = tokenLength;
                    previousTokenEndsCjk = lastCharIsCjk(out);
                    tokenLength = 0;
                }
                if (out.length() > 0) {
                    if (pendingSeparatorStart < 0) {
                        pendingSeparatorStart = i;
                    }
                    pendingSeparatorEnd = next;
                }
            } else if (kind == Kind.WORD) {
                String mapped = map(cp);
                if (!mapped.isEmpty()) {
                    int needed = out.length() + 1 + mapped.length(); // one expanded code point may need many chars
                    if (needed > starts.length) {
                        starts = Arrays.copyOf(starts, needed * 2);
                        ends = Arrays.copyOf(ends, needed * 2);
                    }
                    if (pendingSeparatorStart >= 0) {
                        boolean glue = previousTokenEndsCjk || isCjk(cp)
                                || (previousTokenLength == 1 && isSingleLetterToken(original, i, next));
                        if (!glue) {
                            append(out, " ", pendingSeparatorStart, pendingSeparatorEnd, starts, ends);
                        }
                        pendingSeparatorStart = -1;
                    }
                    append(out, mapped, i, next, starts, ends);
                    tokenLength++;
                }
            }
            i = next;
        }
        int n = out.length();
        return new NormalizedText(original, out.toString(), Arrays.copyOf(starts, n),
                Arrays.copyOf(ends, n));
    }

    /** The matching form of a rule's pattern: the same mapping as texts get. */
    public String normalizePattern(String pattern) {
        return normalize(pattern).text();
    }

    private static void append(StringBuilder out, String mapped, int start, int end, int[] starts, int[] ends) {
        for (int k = 0; k < mapped.length(); k++) {
            starts[out.length()] = start;
            ends[out.length()] = end;
            out.append(mapped.charAt(k));
        }
    }

    /** Whether the word token starting at {@code from} is a single code point (the "f.u.c.k" pattern). */
    private static boolean isSingleLetterToken(String original, int from, int next) {
        for (int i = next; i < original.length(); ) {
            int cp = original.codePointAt(i);
            Kind kind = kindOf(cp);
            if (kind == Kind.SEPARATOR) {
                return true;
            }
            if (kind == Kind.WORD && !map(cp).isEmpty()) {
                return false;
            }
            i += Character.charCount(cp);
        }
        return true;
    }

    private static boolean lastCharIsCjk(StringBuilder out) {
        return out.length() > 0 && isCjk(Character.codePointBefore(out, out.length()));
    }

    private static boolean isCjk(int cp) {
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

    /** The matching form of one code point; cached. */
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

    private static String compute(int cp) {
        String s = NFKC_CASEFOLD.normalize(new String(Character.toChars(cp)));
        s = TO_SIMPLIFIED.get().transliterate(s);
        s = withoutMarks(NFD.normalize(s));
        if (!s.isEmpty()) {
            s = NFKC_CASEFOLD.normalize(SPOOF.getSkeleton(s));
            s = withoutMarks(NFD.normalize(s));
        }
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
