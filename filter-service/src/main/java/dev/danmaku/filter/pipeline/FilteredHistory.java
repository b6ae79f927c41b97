package dev.danmaku.filter.pipeline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.danmaku.common.kafka.RecentRecords;
import dev.danmaku.common.kafka.RoomEvents;
import dev.danmaku.common.kafka.Topics;
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
        }
        return found;
    }

    /** Fills {@code found}; false when the time limit cut the reading short. */
    private boolean read(Collection<TopicPartition> rawPartitions, long sinceMillis, long deadline, List<Recent> found) {
        int rawCount = consumer.partitionsFor(rawTopic, RecentRecords.left(deadline)).size();
        int filteredCount = consumer.partitionsFor(filteredTopic, RecentRecords.left(deadline)).size();
        Set<Integer> wanted = rawPartitions.stream().map(TopicPartition::partition).collect(Collectors.toSet());
        // both topics are keyed by room, so with as many partitions on each a room's verdicts are on the
        // partition with its sends' number; otherwise they may be on any
        Map<TopicPartition, Long> since = IntStream.range(0, filteredCount)
                .filter(p -> filteredCount != rawCount || wanted.contains(p))
                .mapToObj(p -> new TopicPartition(filteredTopic, p))
                .collect(Collectors.toMap(Function.identity(), p -> sinceMillis));
        return RecentRecords.read(consumer, since, MOST_RECORDS_PER_PARTITION, deadline,
                record -> take(record, rawCount, wanted, found)).unfinished().isEmpty();
    }

    private void take(ConsumerRecord<String, byte[]> record, int rawCount, Set<Integer> wanted, List<Recent> found) {
        RoomEvent event = RoomEvents.decode(record);
        if (record.key() == null || event == null) {
            return;
        }
        JudgedDanmaku verdict = event.getDanmaku();
        if (!event.hasDanmaku() || verdict.getRepeat() || verdict.getOrigin().getClientMsgId().isEmpty()) {
            return;
        }
        int rawPartition = Topics.partitionOf(record.key(), rawCount);
        if (wanted.contains(rawPartition)) {
            found.add(new Recent(new TopicPartition(rawTopic, rawPartition), verdict, record.timestamp()));
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
