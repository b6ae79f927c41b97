package dev.danmaku.filter.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import dev.danmaku.filter.FilterConfig;
import dev.danmaku.filter.matching.KeywordMatcher;
import dev.danmaku.filter.matching.TextNormalizer;
import dev.danmaku.filter.moderation.Judgement;
import dev.danmaku.filter.moderation.Moderator;
import dev.danmaku.filter.ratelimit.SendLimiter;
import dev.danmaku.filter.rules.RuleSet;
import dev.danmaku.proto.v1.KeywordRule;

/**
 * The matcher alone, with 10 000 literal rules (half Latin, half CJK with their pinyin): normalizing
 * one danmaku, and every view plus matching plus the verdict; printed also as chars/s on one core.
 * Runs about 1 min:
 * {@code ./mvnw -q -pl filter-service -am test-compile && java -cp "$(cat filter-service/target/bench.classpath)" dev.danmaku.filter.bench.MatcherBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgs = {"-Xmx512m"})
public class MatcherBenchmark {

    private final TextNormalizer normalizer = new TextNormalizer();
    private Moderator moderator;
    private String[] texts;
    private int next;

    @Setup
    public void setUp() {
        List<KeywordRule> rules = BenchCorpus.rules(10_000);
        RuleSet set = new RuleSet(1, Map.of(), Map.of(), Map.of(), KeywordMatcher.build(rules));
        moderator = new Moderator(() -> set, new SendLimiter(FilterConfig.DEFAULT_LIMITS));
        texts = BenchCorpus.texts(4096, rules).toArray(String[]::new);
    }

    @Benchmark
    public Object normalize() {
        return normalizer.normalize(texts[next++ & 4095]);
    }

    @Benchmark
    public Judgement normalizeMatchAndJudge() {
        return moderator.explain(texts[next++ & 4095], "room");
    }

    /** Runs both benchmarks, then gives each as chars/s on one core (the texts' mean length over the mean time). */
    public static void main(String[] args) throws RunnerException {
        double meanChars = BenchCorpus.texts(4096, BenchCorpus.rules(10_000)).stream().mapToInt(String::length)
                .average().orElseThrow();
        for (RunResult result : new Runner(new OptionsBuilder().include(MatcherBenchmark.class.getName()).build()).run()) {
            double nanos = result.getPrimaryResult().getScore();
            System.out.printf(Locale.ROOT, "%s: %.0f ns per danmaku of %.1f chars = %.2f M chars/s on one core%n",
                    result.getParams().getBenchmark(), nanos, meanChars, meanChars / nanos * 1000);
        }
    }
}
