package dev.danmaku.archiver.ingest;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import com.google.protobuf.InvalidProtocolBufferException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import dev.danmaku.archiver.store.ArchiveStore;
import dev.danmaku.common.kafka.PollLoop;
import dev.danmaku.proto.v1.RoomEvent;

/**
 * Stores every verdict of danmaku.filtered.v1, one database transaction per poll, and commits the
 * Kafka offsets only after the database commit. When the database fails, the batch is kept, the
 * partitions are paused (the consumer keeps polling, so the group does not evict it) and the write
 * is retried with a growing pause; once it succeeds, the partitions resume. Rows already stored
 * are not duplicated (the store is idempotent on msgId), so a crash between the database commit
 * and the offset commit only re-reads a batch.
 */
public final class ArchiveIngest extends PollLoop {

    private final ArchiveWriter store;
    private final String topic;
    private final Backoff backoff;
    private final Counter rowsWritten;
    private final Counter undecodable;
    private final Counter databaseErrors;
    private final Counter rowsRefused;
    private final DistributionSummary batchRows;
    private final Timer batchWrite;
    private final AtomicLong lag = new AtomicLong();
    private final AtomicLong paused = new AtomicLong();

    /** The batch read but not yet stored; while it is there, every partition is paused. */
    private Batch pending;
    private boolean backingOff;
    private long retryAtNanos;

    public ArchiveIngest(Consumer<String, byte[]> consumer, String topic, ArchiveWriter store, Backoff backoff,
            MeterRegistry meters) {
        super("archive-ingest", consumer);
        this.store = store;
        this.topic = topic;
        this.backoff = backoff;
        this.rowsWritten = Counter.builder("danmaku_archive_rows_written").description("Verdicts stored").register(meters);
        this.undecodable = Counter.builder("danmaku_archive_undecodable_records")
                .description("Records skipped because they were not a RoomEvent").register(meters);
        this.databaseErrors = Counter.builder("danmaku_archive_database_errors")
                .description("Failed batch writes (retried)").register(meters);
        this.rowsRefused = Counter.builder("danmaku_archive_rows_refused")
                .description("Verdicts the database refused as invalid, skipped after isolating them").register(meters);
        this.batchRows = DistributionSummary.builder("danmaku_archive_batch_rows").description("Verdicts per write")
                .publishPercentiles(0.5, 0.99).register(meters);
        this.batchWrite = Timer.builder("danmaku_archive_batch_write").description("Time to store one batch")
                .publishPercentiles(0.5, 0.99).register(meters);
        meters.gauge("danmaku_archive_consumer_lag", lag);
        meters.gauge("danmaku_archive_ingest_paused", paused);
    }

    @Override
    protected void onStart() {
        consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
                dropPending(revoked);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
                // a fresh assignment starts from the committed offsets
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> lost) {
                dropPending(lost);
            }
        });
    }

    @Override
    protected void handle(ConsumerRecords<String, byte[]> records) {
        if (!records.isEmpty()) {
            Batch read = Batch.of(records, this::decode);
            pending = pending == null ? read : pending.followedBy(read);
        }
        if (pending != null && (!backingOff || System.nanoTime() - retryAtNanos >= 0)) {
            store(pending);
        }
        updateLag();
    }

    private RoomEvent decode(ConsumerRecord<String, byte[]> record) {
        try {
            return RoomEvent.parseFrom(record.value());
        } catch (InvalidProtocolBufferException | NullPointerException e) {
            undecodable.increment();
            log.warn("Skipped an undecodable record at {}-{}@{}", record.topic(), record.partition(), record.offset());
            return null;
        }
    }

    private void store(Batch batch) {
        long start = System.nanoTime();
        try {
            store.write(batch.verdicts(), batch.recalls());
        } catch (SQLException e) {
            databaseErrors.increment();
            if (SqlErrors.isBadData(e)) {
                log.warn("The database refused a batch as invalid ({}); storing its rows one by one", SqlErrors.brief(e));
                if (!storeOneByOne(batch)) {
                    return;
                }
            } else {
                pause(e);
                return;
            }
        }
        batchWrite.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        batchRows.record(batch.verdicts().size());
        rowsWritten.increment(batch.verdicts().size());
        pending = null;
        backoff.reset();
        backingOff = false;
        if (!consumer.paused().isEmpty()) {
            log.info("Archive database is back; resuming {} partitions", consumer.paused().size());
            consumer.resume(consumer.paused());
            paused.set(0);
        }
        consumer.commitSync(batch.offsets());
    }

    /** Isolates the rows the database refuses; answers false if the database itself failed meanwhile. */
    private boolean storeOneByOne(Batch batch) {
        for (ArchiveStore.Incoming row : batch.verdicts()) {
            try {
                store.write(List.of(row), List.of());
            } catch (SQLException e) {
                if (!SqlErrors.isBadData(e)) {
                    pause(e);
                    return false;
                }
                rowsRefused.increment();
                log.error("The database refused verdict {} at partition {} offset {}; skipped: {}",
                        row.judged().getDanmaku().getMsgId(), row.partition(), row.offset(), SqlErrors.brief(e));
            }
        }
        try {
            store.write(List.of(), batch.recalls());
        } catch (SQLException e) {
            pause(e);
            return false;
        }
        return true;
    }

    private void pause(SQLException e) {
        Duration wait = backoff.next();
        retryAtNanos = System.nanoTime() + wait.toNanos();
        backingOff = true;
        if (consumer.paused().isEmpty()) {
            consumer.pause(consumer.assignment());
            paused.set(1);
        }
        log.warn("Archive write failed ({}: {}); partitions paused, retrying in {} ms", e.getSQLState(), SqlErrors.brief(e),
                wait.toMillis());
    }

    /**
     * A rebalance takes partitions away: the batch is given up uncommitted, so their new owner reads
     * it again; partitions kept are rewound to the batch's start so that nothing is skipped.
     */
    private void dropPending(Collection<TopicPartition> leaving) {
        if (pending != null) {
            pending.firstOffsets().forEach((partition, offset) -> {
                if (!leaving.contains(partition) && consumer.assignment().contains(partition)) {
                    consumer.seek(partition, offset);
                }
            });
            pending = null;
        }
        consumer.resume(consumer.paused());
        paused.set(0);
        backoff.reset();
        backingOff = false;
    }

    private void updateLag() {
        long total = 0;
        for (TopicPartition partition : consumer.assignment()) {
            total += consumer.currentLag(partition).orElse(0);
        }
        lag.set(total);
    }

    /** One poll's worth of archive work, and the offsets to commit once it is stored. */
    record Batch(List<ArchiveStore.Incoming> verdicts, List<ArchiveStore.RecallMark> recalls,
            Map<TopicPartition, OffsetAndMetadata> offsets, Map<TopicPartition, Long> firstOffsets) {

        Batch followedBy(Batch next) {
            List<ArchiveStore.Incoming> allVerdicts = new ArrayList<>(verdicts);
            allVerdicts.addAll(next.verdicts);
            List<ArchiveStore.RecallMark> allRecalls = new ArrayList<>(recalls);
            allRecalls.addAll(next.recalls);
            Map<TopicPartition, OffsetAndMetadata> allOffsets = new HashMap<>(offsets);
            allOffsets.putAll(next.offsets);
            Map<TopicPartition, Long> allFirst = new HashMap<>(next.firstOffsets);
            allFirst.putAll(firstOffsets);
            return new Batch(allVerdicts, allRecalls, allOffsets, allFirst);
        }

        static Batch of(ConsumerRecords<String, byte[]> records,
                Function<ConsumerRecord<String, byte[]>, RoomEvent> decoder) {
            List<ArchiveStore.Incoming> verdicts = new ArrayList<>(records.count());
            List<ArchiveStore.RecallMark> recalls = new ArrayList<>();
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            Map<TopicPartition, Long> firstOffsets = new HashMap<>();
            for (ConsumerRecord<String, byte[]> record : records) {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                offsets.put(partition, new OffsetAndMetadata(record.offset() + 1));
                firstOffsets.putIfAbsent(partition, record.offset());
                RoomEvent event = decoder.apply(record);
                if (event == null) {
                    continue;
                }
                switch (event.getEventCase()) {
                    case DANMAKU -> {
                        // a retry's repeat of a verdict archived with its first send
                        if (!event.getDanmaku().getRepeat()) {
                            verdicts.add(new ArchiveStore.Incoming(event.getDanmaku(), record.partition(), record.offset()));
                        }
                    }
                    case RECALL -> recalls.add(new ArchiveStore.RecallMark(event.getRecall().getRoomId(),
                            event.getRecall().getMsgId(), record.timestamp()));
                    default -> {
                        // notices are not archived
                    }
                }
            }
            return new Batch(verdicts, recalls, offsets, firstOffsets);
        }
    }
}
