package dev.danmaku.filter.matching;

import dev.danmaku.proto.v1.KeywordRule;

/** A rule that matched normalized chars {@code [start, end)}. */
public record Match(KeywordRule rule, int start, int end) {
}
