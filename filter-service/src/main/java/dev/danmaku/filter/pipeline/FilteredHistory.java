package dev.danmaku.filter.pipeline;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.google.protobuf.InvalidProtocolBufferException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.RoomEvent;

/**
 * Reads recent verdicts back from danmaku.filtered.v1 (read_committed) when this instance takes raw
 * partitions over, so that a retry whose first copy the previous owner judged gets that verdict
 * again instead of being shown as a new danmaku. Called after the new owner has fenced the old one,
 * so what the old one left open is aborted and judged again anyway.
 *
 * <p>Bounded, because it delays the takeover: at most {@value #MOST_RECORDS_PER_PARTITION} records of
 * each filtered partition, within {@link #TIME_LIMIT}. Used by one thread (the pipeline's).
 */
public final class FilteredHistory implements RecentVerdicts {

    private static final Logger log = LoggerFactory.getLogger(FilteredHistory.class);
    /** More than a partition's {@link SentBefore} keeps is never needed. */
    static final int MOST_RECORDS_PER_PARTITION = SentBefore.CAPACITY;
    static final Duration TIME_LIMIT = Duration.ofSeconds(2);
    private static final Duration POLL = Duration.ofMillis(100);

    private final Consumer<String, byte[]> consumer;
    private final String rawTopic;
    private final String filteredTopic;

    /** @param consumer a read_committed consumer without a group, for this alone */
    public FilteredHistory(Consumer<String, byte[]> consumer, String rawTopic, String filteredTopic) {
        this.consumer = consumer;
        this.rawTopic = rawTopic;
        this.filteredTopic = filteredTopic;
    }

    @Override
    public List<Recent> since(Collection<TopicPartition> rawPartitions, long sinceMillis) {
        long started = System.nanoTime();
        long deadline = started + TIME_LIMIT.toNanos();
        List<Recent> found = new ArrayList<>();
        try {
            boolean complete = read(rawPartitions, sinceMillis, deadline, found);
            log.info("Read {} recent verdicts for {} in {} ms{}", found.size(), rawPartitions,
                    (System.nanoTime() - started) / 1_000_000,
                    complete ? "" : " (time limit reached: retries of older sends are judged as new sends)");
        } catch (InterruptException e) {
            throw e;
        } catch (KafkaException e) {
            log.warn("Could not read the recent verdicts for {} ({}): retries of sends judged before this instance "
                    + "took them over are judged as new sends", rawPartitions, e.getMessage());
        } finally {
            consumer.unsubscribe();
        }
        return found;
    }

    /** Fills {@code found}; false when the time limit cut the reading short. */
    private boolean read(Collection<TopicPartition> rawPartitions, long sinceMillis, long deadline, List<Recent> found) {
        int rawCount = consumer.partitionsFor(rawTopic, left(deadline)).size();
        int filteredCount = consumer.partitionsFor(filteredTopic, left(deadline)).size();
        Set<Integer> wanted = rawPartitions.stream().map(TopicPartition::partition).collect(Collectors.toSet());
        // both topics are keyed by room, so with as many partitions on each a room's verdicts are on the
        // partition with its sends' number; otherwise they may be on any
        List<TopicPartition> candidates = IntStream.range(0, filteredCount)
                .filter(p -> filteredCount != rawCount || wanted.contains(p))
                .mapToObj(p -> new TopicPartition(filteredTopic, p)).toList();
        // read_committed: the end is the last stable offset
        Map<TopicPartition, Long> ends = consumer.endOffsets(candidates, left(deadline));
        Map<TopicPartition, OffsetAndTimestamp> firsts = consumer.offsetsForTimes(
                candidates.stream().collect(Collectors.toMap(Function.identity(), p -> sinceMillis)), left(deadline));
        Map<TopicPartition, Long> starts = new HashMap<>();
        for (TopicPartition partition : candidates) {
            OffsetAndTimestamp first = firsts.get(partition);
            long end = ends.getOrDefault(partition, 0L);
            if (first != null && first.offset() < end) {
                starts.put(partition, Math.max(first.offset(), end - MOST_RECORDS_PER_PARTITION));
            }
        }
        consumer.assign(starts.keySet());
        starts.forEach(consumer::seek);
        Set<TopicPartition> unfinished = new HashSet<>(starts.keySet());
        while (!unfinished.isEmpty()) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                if (record.offset() < ends.get(partition)) {
                    take(record, rawCount, wanted, found);
                }
            }
            unfinished.removeIf(partition -> consumer.position(partition) >= ends.get(partition));
        }
        return true;
    }

    private void take(ConsumerRecord<String, byte[]> record, int rawCount, Set<Integer> wanted, List<Recent> found) {
        if (record.key() == null || record.value() == null) {
            return;
        }
        RoomEvent event;
        try {
            event = RoomEvent.parseFrom(record.value());
        } catch (InvalidProtocolBufferException e) {
            return;
        }
        JudgedDanmaku verdict = event.getDanmaku();
        if (!event.hasDanmaku() || verdict.getRepeat() || verdict.getOrigin().getClientMsgId().isEmpty()) {
            return;
        }
        int rawPartition = rawPartitionOf(record.key(), rawCount);
        if (wanted.contains(rawPartition)) {
            found.add(new Recent(new TopicPartition(rawTopic, rawPartition), verdict, record.timestamp()));
        }
    }

    /** The partition the gateways send a room's danmaku to: the default partitioner's choice for a keyed record. */
    static int rawPartitionOf(String roomId, int rawCount) {
        return Utils.toPositive(Utils.murmur2(roomId.getBytes(StandardCharsets.UTF_8))) % rawCount;
    }

    private static Duration left(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
