package dev.danmaku.filter.matching;

import dev.danmaku.filter.matching.TextNormalizer.View;
import dev.danmaku.proto.v1.KeywordRule;

/**
 * A rule that matched chars {@code [start, end)} of one view of a text, which came from the UTF-16
 * range {@code [originalStart, originalEnd)} of the text as sent.
 */
public record Match(KeywordRule rule, View view, String matched, int originalStart, int originalEnd) {

    static Match in(NormalizedText text, View view, KeywordRule rule, int start, int end) {
        return new Match(rule, view, text.text().substring(start, end), text.originalStartOf(start),
                text.originalEndOf(end));
    }

    boolean overlaps(Match other) {
        return originalStart < other.originalEnd && other.originalStart < originalEnd;
    }

    int originalLength() {
        return originalEnd - originalStart;
    }
}
