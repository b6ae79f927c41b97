package dev.danmaku.archiver.ingest;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.google.protobuf.InvalidProtocolBufferException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import dev.danmaku.archiver.store.ArchiveStore;
import dev.danmaku.common.kafka.PollLoop;
import dev.danmaku.proto.v1.RoomEvent;

/**
 * Stores every verdict of danmaku.filtered.v1. Kafka offsets are committed only after the
 * database commit; if the database fails, the batch is read again after a pause, and rows
 * already stored are not duplicated (msgId is the key).
 */
public final class ArchiveIngest extends PollLoop {

    private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);

    private final ArchiveStore store;
    private final String topic;
    private final Counter rowsWritten;
    private final Counter undecodable;
    private final Counter databaseErrors;

    public ArchiveIngest(Consumer<String, byte[]> consumer, String topic, ArchiveStore store, MeterRegistry meters) {
        super("archive-ingest", consumer);
        this.store = store;
        this.topic = topic;
        this.rowsWritten = meters.counter("danmaku_archive_rows_written_total");
        this.undecodable = meters.counter("danmaku_archive_undecodable_records_total");
        this.databaseErrors = meters.counter("danmaku_archive_database_errors_total");
    }

    @Override
    protected void onStart() {
        consumer.subscribe(List.of(topic));
    }

    @Override
    protected void handle(ConsumerRecords<String, byte[]> records) {
        if (records.isEmpty()) {
            return;
        }
        List<ArchiveStore.Incoming> verdicts = new ArrayList<>();
        List<ArchiveStore.RecallMark> recalls = new ArrayList<>();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            offsets.put(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1));
            RoomEvent event;
            try {
                event = RoomEvent.parseFrom(record.value());
            } catch (InvalidProtocolBufferException | NullPointerException e) {
                undecodable.increment();
                log.warn("Skipped an undecodable record at {}-{}@{}", record.topic(), record.partition(), record.offset());
                continue;
            }
            switch (event.getEventCase()) {
                case DANMAKU -> verdicts.add(new ArchiveStore.Incoming(event.getDanmaku(), record.partition(), record.offset()));
                case RECALL -> recalls.add(new ArchiveStore.RecallMark(event.getRecall().getMsgId(), record.timestamp()));
                default -> {
                    // notices are not archived
                }
            }
        }
        try {
            store.write(verdicts, recalls);
        } catch (SQLException e) {
            databaseErrors.increment();
            log.warn("Archive write failed, retrying in {} ms: {}", RETRY_PAUSE.toMillis(), e.getMessage());
            for (TopicPartition partition : records.partitions()) {
                consumer.seek(partition, records.records(partition).get(0).offset());
            }
            sleep(RETRY_PAUSE);
            return;
        }
        rowsWritten.increment(verdicts.size());
        consumer.commitSync(offsets);
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
