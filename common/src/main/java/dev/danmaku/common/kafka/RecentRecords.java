package dev.danmaku.common.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads partitions back from a point in time up to their end as it was when the read began (the last
 * stable offset, for a read_committed consumer), bounded in records per partition and in time. For
 * whoever takes over from another process and must know what it did last.
 */
public final class RecentRecords {

    private static final Duration POLL = Duration.ofMillis(100);

    private RecentRecords() {
    }

    /**
     * @param ends where each partition ended when the read began
     * @param unfinished the partitions the deadline cut short: empty when everything was read
     */
    public record Read(Map<TopicPartition, Long> ends, Set<TopicPartition> unfinished) {
    }

    /**
     * Hands every record of each partition from its time in {@code sinceMillis} to its end, oldest
     * first, to {@code each}; at most the last {@code mostPerPartition} of each. Leaves the consumer
     * unassigned.
     *
     * @param consumer a consumer without a group, used by the calling thread alone
     */
    public static Read read(org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer,
            Map<TopicPartition, Long> sinceMillis, int mostPerPartition, long deadlineNanos,
            Consumer<ConsumerRecord<String, byte[]>> each) {
        try {
            Map<TopicPartition, Long> ends = consumer.endOffsets(sinceMillis.keySet(), left(deadlineNanos));
            Map<TopicPartition, OffsetAndTimestamp> firsts = consumer.offsetsForTimes(sinceMillis, left(deadlineNanos));
            Map<TopicPartition, Long> starts = new HashMap<>();
            for (TopicPartition partition : sinceMillis.keySet()) {
                OffsetAndTimestamp first = firsts.get(partition);
                long end = ends.getOrDefault(partition, 0L);
                if (first != null && first.offset() < end) {
                    starts.put(partition, Math.max(first.offset(), end - mostPerPartition));
                }
            }
            consumer.assign(starts.keySet());
            starts.forEach(consumer::seek);
            Set<TopicPartition> unfinished = new HashSet<>(starts.keySet());
            while (!unfinished.isEmpty() && System.nanoTime() < deadlineNanos) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    if (record.offset() < ends.get(new TopicPartition(record.topic(), record.partition()))) {
                        each.accept(record);
                    }
                }
                unfinished.removeIf(partition -> consumer.position(partition) >= ends.get(partition));
            }
            return new Read(ends, unfinished);
        } finally {
            consumer.unsubscribe();
        }
    }

    /** What is left of the time until {@code deadlineNanos}. */
    public static Duration left(long deadlineNanos) {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }
}
