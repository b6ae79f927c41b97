package dev.danmaku.filter.pipeline;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.InvalidProtocolBufferException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;

import dev.danmaku.common.kafka.PollLoop;
import dev.danmaku.filter.moderation.Moderator;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.RawDanmaku;
import dev.danmaku.proto.v1.RoomEvent;

/**
 * Exactly-once read-process-write: each poll's raw danmaku are judged and their verdicts published
 * to danmaku.filtered.v1 in one transaction, together with the consumed offsets. An aborted
 * transaction rewinds the consumer, so the same records are judged again.
 */
public final class ModerationPipeline extends PollLoop {

    private final Producer<String, byte[]> producer;
    private final String rawTopic;
    private final String filteredTopic;
    private final Moderator moderator;
    private final Counter judged;
    private final Counter undecodable;
    private final Counter aborted;
    private final VerdictCounters verdicts;
    private final Timer commitLatency;
    private final Timer processingLatency;

    public ModerationPipeline(Consumer<String, byte[]> consumer, Producer<String, byte[]> producer, String rawTopic,
            String filteredTopic, Moderator moderator, MeterRegistry meters) {
        super("moderation-pipeline", consumer);
        this.producer = producer;
        this.rawTopic = rawTopic;
        this.filteredTopic = filteredTopic;
        this.moderator = moderator;
        this.judged = meters.counter("danmaku_filter_judged_total");
        this.undecodable = meters.counter("danmaku_filter_undecodable_records_total");
        this.aborted = meters.counter("danmaku_filter_transactions_aborted_total");
        this.verdicts = new VerdictCounters(meters);
        this.commitLatency = Timer.builder("danmaku_filter_transaction_commit_seconds")
                .description("Time to send the offsets and commit one batch's transaction")
                .publishPercentileHistogram().register(meters);
        this.processingLatency = Timer.builder("danmaku_filter_processing_seconds")
                .description("From the gateway's accept of a danmaku to the commit of its verdict")
                .publishPercentileHistogram().register(meters);
    }

    @Override
    protected void onStart() {
        producer.initTransactions();
        consumer.subscribe(List.of(rawTopic));
    }

    @Override
    protected void handle(ConsumerRecords<String, byte[]> records) {
        if (records.isEmpty()) {
            return;
        }
        producer.beginTransaction();
        List<JudgedDanmaku> batch = new ArrayList<>(records.count());
        try {
            for (ConsumerRecord<String, byte[]> record : records) {
                RawDanmaku raw;
                try {
                    raw = RawDanmaku.parseFrom(record.value());
                } catch (InvalidProtocolBufferException | NullPointerException e) {
                    undecodable.increment();
                    log.warn("Skipped an undecodable record at {}-{}@{}", record.topic(), record.partition(), record.offset());
                    continue;
                }
                JudgedDanmaku verdict = moderator.judge(raw);
                batch.add(verdict);
                producer.send(new ProducerRecord<>(filteredTopic, raw.getDanmaku().getRoomId(),
                        RoomEvent.newBuilder().setDanmaku(verdict).build().toByteArray()));
            }
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            for (TopicPartition partition : records.partitions()) {
                List<ConsumerRecord<String, byte[]>> inPartition = records.records(partition);
                offsets.put(partition, new OffsetAndMetadata(inPartition.get(inPartition.size() - 1).offset() + 1));
            }
            long commitStarted = System.nanoTime();
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            producer.commitTransaction();
            commitLatency.record(System.nanoTime() - commitStarted, TimeUnit.NANOSECONDS);
            judged.increment(records.count());
            long nowMs = System.currentTimeMillis();
            for (JudgedDanmaku verdict : batch) {
                verdicts.count(verdict);
                long sentAtMs = verdict.getDanmaku().getSentAtMs();
                if (sentAtMs > 0 && sentAtMs <= nowMs) {
                    processingLatency.record(nowMs - sentAtMs, TimeUnit.MILLISECONDS);
                }
            }
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
            // another instance took over this transactional id, or we may not write: stop, never double-publish
            throw new IllegalStateException("moderation pipeline cannot continue: " + e.getMessage(), e);
        } catch (KafkaException e) {
            log.warn("Transaction aborted, the batch will be judged again: {}", e.getMessage());
            producer.abortTransaction();
            aborted.increment();
            rewind(records);
        }
    }

    private void rewind(ConsumerRecords<String, byte[]> records) {
        for (TopicPartition partition : records.partitions()) {
            consumer.seek(partition, records.records(partition).get(0).offset());
        }
    }

    @Override
    protected void onStop() {
        producer.close();
    }
}
