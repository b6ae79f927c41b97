package dev.danmaku.filter.moderation;

import dev.danmaku.filter.matching.KeywordMatcher.Findings;
import dev.danmaku.filter.matching.TextViews;
import dev.danmaku.proto.v1.Category;
import dev.danmaku.proto.v1.Reason;
import dev.danmaku.proto.v1.Verdict;

/** What keyword moderation decided for a text, and why: the dry run shows it whole. */
public record Judgement(TextViews views, Findings findings, Verdict verdict, Reason reason, Category category,
        String shownText, long ruleSetVersion) {
}
