package dev.danmaku.filter.moderation;

import java.util.List;

import dev.danmaku.filter.matching.Match;
import dev.danmaku.filter.matching.NormalizedText;
import dev.danmaku.proto.v1.Reason;
import dev.danmaku.proto.v1.Verdict;

/** What keyword moderation decided for a text, and why: the dry run shows it whole. */
public record Judgement(NormalizedText normalized, List<Match> matches, Verdict verdict, Reason reason, String shownText,
        long ruleSetVersion) {
}
