package dev.danmaku.filter.matching;

/**
 * One view of a text, with the span of the original text each of its chars came from, so a match
 * found in the view can be masked in the original.
 */
public record NormalizedText(String original, String text, int[] originalStart, int[] originalEnd) {

    /** The UTF-16 range {@code [start, end)} of the original text behind normalized chars {@code [from, to)}. */
    public int originalStartOf(int from) {
        return originalStart[from];
    }

    public int originalEndOf(int toExclusive) {
        return originalEnd[toExclusive - 1];
    }

    /**
     * True when the chars {@code [from, to)} are not glued to a letter or digit of a script written with
     * spaces: hanzi and kana next to a Latin word are a boundary ("前方spoiler预警"), Latin letters and
     * digits are not ("usb", "SB19").
     */
    public boolean isWholeWord(int from, int to) {
        return (from == 0 || !joinsWords(text.charAt(from - 1)))
                && (to == text.length() || !joinsWords(text.charAt(to)));
    }

    private static boolean joinsWords(char c) {
        return Character.isLetterOrDigit(c) && !TextNormalizer.isCjk(c);
    }
}
