package dev.danmaku.archiver.ingest;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential pauses between retries, from {@code first} doubling up to {@code max}, with ±20 % jitter. */
public final class Backoff {

    private final Duration first;
    private final Duration max;
    private Duration current;

    public Backoff(Duration first, Duration max) {
        if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < first <= max, got " + first + " and " + max);
        }
        this.first = first;
        this.max = max;
    }

    /** The pause before the next retry. */
    public Duration next() {
        current = current == null ? first : min(current.multipliedBy(2), max);
        double jitter = 0.8 + ThreadLocalRandom.current().nextDouble() * 0.4;
        return Duration.ofNanos((long) (current.toNanos() * jitter));
    }

    public void reset() {
        current = null;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
