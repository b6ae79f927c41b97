package dev.danmaku.filter.matching;

/**
 * The matching form of a text, with the span of the original text each of its chars came from,
 * so a match found in the normalized form can be masked in the original.
 */
public record NormalizedText(String original, String text, int[] originalStart, int[] originalEnd) {

    /** The UTF-16 range {@code [start, end)} of the original text behind normalized chars {@code [from, to)}. */
    public int originalStartOf(int from) {
        return originalStart[from];
    }

    public int originalEndOf(int toExclusive) {
        return originalEnd[toExclusive - 1];
    }

    /** True when the normalized chars {@code [from, to)} are not glued to a letter or digit on either side. */
    public boolean isWholeWord(int from, int to) {
        return (from == 0 || !Character.isLetterOrDigit(text.charAt(from - 1)))
                && (to == text.length() || !Character.isLetterOrDigit(text.charAt(to)));
    }
}
