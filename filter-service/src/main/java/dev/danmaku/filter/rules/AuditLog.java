package dev.danmaku.filter.rules;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.google.protobuf.InvalidProtocolBufferException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

import dev.danmaku.common.kafka.PollLoop;
import dev.danmaku.proto.v1.AuditEntry;

/**
 * Reads the newest entries of danmaku.audit.v1 into the {@link AuditTrail} and follows the topic, on
 * every instance, so any instance lists the changes made through any other. The topic is deleted by
 * age, not compacted: its entries are a record of what was done, never replayed to rebuild state.
 */
public final class AuditLog extends PollLoop {

    private final String topic;
    private final AuditTrail trail;
    private final AppliedOffsets applied = new AppliedOffsets();
    private final Counter undecodable;

    public AuditLog(Consumer<String, byte[]> consumer, String topic, AuditTrail trail, MeterRegistry meters) {
        super("audit-log", consumer);
        this.topic = topic;
        this.trail = trail;
        this.undecodable = meters.counter("danmaku_filter_audit_undecodable_records_total");
    }

    /** Blocks until the entry at {@code offset} of {@code partition} is in the trail here. */
    public boolean awaitApplied(int partition, long offset, Duration timeout) throws InterruptedException {
        return applied.await(new TopicPartition(topic, partition), offset, timeout);
    }

    @Override
    protected void onStart() {
        List<TopicPartition> partitions = partitionsOf(topic);
        consumer.assign(partitions);
        Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(partitions);
        consumer.endOffsets(partitions).forEach((partition, end) ->
                consumer.seek(partition, Math.max(beginnings.get(partition), end - AuditTrail.KEPT)));
    }

    @Override
    protected void handle(ConsumerRecords<String, byte[]> records) {
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                if (record.value() == null) {
                    throw new InvalidProtocolBufferException("no value");
                }
                trail.add(AuditEntry.parseFrom(record.value()));
            } catch (InvalidProtocolBufferException e) {
                undecodable.increment();
                log.warn("Skipped an undecodable audit record at offset {}", record.offset());
            }
        }
        for (TopicPartition partition : consumer.assignment()) {
            applied.advance(partition, consumer.position(partition));
        }
    }
}
