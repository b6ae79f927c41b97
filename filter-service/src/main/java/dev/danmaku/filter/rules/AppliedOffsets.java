package dev.danmaku.filter.rules;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.TopicPartition;

/**
 * How far a reader of a topic has applied each partition, so a writer on another thread can wait
 * until its own record is applied (read-your-writes for the API). Thread-safe.
 */
final class AppliedOffsets {

    private final Map<TopicPartition, Long> applied = new HashMap<>();

    /** Everything before {@code position} of {@code partition} is applied. */
    synchronized void advance(TopicPartition partition, long position) {
        applied.put(partition, position);
        notifyAll();
    }

    /** Blocks until the record at {@code offset} of {@code partition} is applied, at most {@code timeout}. */
    synchronized boolean await(TopicPartition partition, long offset, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (applied.getOrDefault(partition, 0L) <= offset) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }
}
