package dev.danmaku.filter.pipeline;

import java.util.EnumMap;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.Reason;
import dev.danmaku.proto.v1.Verdict;

/** {@code danmaku_filter_verdicts_total{verdict, reason}}, counters made once. */
final class VerdictCounters {

    private final Map<Verdict, Map<Reason, Counter>> counters = new EnumMap<>(Verdict.class);

    VerdictCounters(MeterRegistry meters) {
        for (Verdict verdict : Verdict.values()) {
            if (verdict == Verdict.UNRECOGNIZED) {
                continue;
            }
            Map<Reason, Counter> byReason = new EnumMap<>(Reason.class);
            for (Reason reason : Reason.values()) {
                if (reason == Reason.UNRECOGNIZED) {
                    continue;
                }
                byReason.put(reason, Counter.builder("danmaku_filter_verdicts_total")
                        .description("Verdicts published, by verdict and reason")
                        .tag("verdict", verdict.name())
                        .tag("reason", reason == Reason.REASON_UNSPECIFIED ? "none" : reason.name())
                        .register(meters));
            }
            counters.put(verdict, byReason);
        }
    }

    void count(JudgedDanmaku judged) {
        Map<Reason, Counter> byReason = counters.get(judged.getVerdict());
        Counter counter = byReason == null ? null : byReason.get(judged.getReason());
        if (counter != null) {
            counter.increment();
        }
    }
}
