package dev.danmaku.filter.pipeline;

import java.util.HashMap;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import dev.danmaku.filter.moderation.Categories;
import dev.danmaku.proto.v1.Category;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.Reason;
import dev.danmaku.proto.v1.Verdict;

/**
 * {@code danmaku_filter_verdicts_total{verdict, reason, category}}, counters made once; the category
 * is the deciding rule's for BLOCKED_KEYWORD, "none" otherwise.
 */
final class VerdictCounters {

    private record Key(Verdict verdict, Reason reason, Category category) {
    }

    private final Map<Key, Counter> counters = new HashMap<>();

    VerdictCounters(MeterRegistry meters) {
        for (Verdict verdict : Verdict.values()) {
            for (Reason reason : Reason.values()) {
                for (Category category : Category.values()) {
                    if (verdict == Verdict.UNRECOGNIZED || reason == Reason.UNRECOGNIZED
                            || category == Category.UNRECOGNIZED
                            || (reason != Reason.BLOCKED_KEYWORD && category != Category.CATEGORY_UNSPECIFIED)) {
                        continue;
                    }
                    counters.put(new Key(verdict, reason, category), Counter.builder("danmaku_filter_verdicts_total")
                            .description("Verdicts published, by verdict, reason and the deciding rule's category")
                            .tag("verdict", verdict.name())
                            .tag("reason", reason == Reason.REASON_UNSPECIFIED ? "none" : reason.name())
                            .tag("category", Categories.nameOf(category))
                            .register(meters));
                }
            }
        }
    }

    void count(JudgedDanmaku judged) {
        Counter counter = counters.get(new Key(judged.getVerdict(), judged.getReason(), judged.getCategory()));
        if (counter == null) { // a category from a newer filter
            counter = counters.get(new Key(judged.getVerdict(), judged.getReason(), Category.CATEGORY_UNSPECIFIED));
        }
        if (counter != null) {
            counter.increment();
        }
    }
}
