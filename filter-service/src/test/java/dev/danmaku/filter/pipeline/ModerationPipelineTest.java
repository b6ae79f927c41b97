package dev.danmaku.filter.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.danmaku.filter.FilterConfig;
import dev.danmaku.filter.matching.KeywordMatcher;
import dev.danmaku.filter.moderation.Moderator;
import dev.danmaku.filter.ratelimit.SendLimiter;
import dev.danmaku.filter.rules.RuleSet;
import dev.danmaku.proto.v1.KeywordRule;
import dev.danmaku.proto.v1.RuleAction;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.RawDanmaku;
import dev.danmaku.proto.v1.RoomEvent;
import dev.danmaku.proto.v1.Verdict;

class ModerationPipelineTest {

    private static final TopicPartition RAW_0 = new TopicPartition("raw", 0);

    private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
    private final MockProducer<String, byte[]> producer =
            new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private ModerationPipeline pipeline;

    @BeforeEach
    void setUp() {
        pipeline = new ModerationPipeline(consumer, producer, "raw", "filtered", moderator(), meters);
        producer.initTransactions();
        consumer.assign(List.of(RAW_0));
        consumer.updateBeginningOffsets(Map.of(RAW_0, 0L));
        consumer.seek(RAW_0, 10);
    }

    private static Moderator moderator() {
        KeywordRule spam = KeywordRule.newBuilder().setId("r1").setPattern("spam").setAction(RuleAction.REJECT).build();
        RuleSet rules = new RuleSet(7, Map.of("r1", spam), Map.of(), Map.of(), KeywordMatcher.build(List.of(spam)));
        return new Moderator(() -> rules, new SendLimiter(FilterConfig.DEFAULT_LIMITS));
    }

    private static ConsumerRecord<String, byte[]> record(long offset, String room, String text) {
        RawDanmaku raw = RawDanmaku.newBuilder()
                .setDanmaku(Danmaku.newBuilder().setMsgId("m" + offset).setRoomId(room).setText(text)).build();
        return new ConsumerRecord<>("raw", 0, offset, room, raw.toByteArray());
    }

    private static ConsumerRecords<String, byte[]> batch(List<ConsumerRecord<String, byte[]>> records) {
        return new ConsumerRecords<>(Map.of(RAW_0, records), Map.of());
    }

    private static RoomEvent event(ProducerRecord<String, byte[]> record) throws Exception {
        return RoomEvent.parseFrom(record.value());
    }

    @Test
    void publishesEveryVerdictAndTheOffsetsInOneTransaction() throws Exception {
        pipeline.handle(batch(List.of(record(10, "r1", "hello"), record(11, "r1", "spam here"))));

        assertThat(producer.transactionCommitted()).isTrue();
        assertThat(producer.history()).hasSize(2);
        assertThat(producer.history()).allSatisfy(r -> {
            assertThat(r.topic()).isEqualTo("filtered");
            assertThat(r.key()).isEqualTo("r1");
        });
        assertThat(event(producer.history().get(0)).getDanmaku().getVerdict()).isEqualTo(Verdict.ACCEPTED);
        assertThat(event(producer.history().get(1)).getDanmaku().getVerdict()).isEqualTo(Verdict.REJECTED);
        assertThat(event(producer.history().get(1)).getDanmaku().getRuleSetVersion()).isEqualTo(7);
        assertThat(meters.counter("danmaku_filter_verdicts_total", "verdict", "REJECTED", "reason", "BLOCKED_KEYWORD")
                .count()).isEqualTo(1);
        assertThat(producer.consumerGroupOffsetsHistory()).hasSize(1);
        Map<TopicPartition, OffsetAndMetadata> committed = producer.consumerGroupOffsetsHistory().get(0).values().iterator().next();
        assertThat(committed.get(RAW_0).offset()).isEqualTo(12);
    }

    @Test
    void skipsAnUndecodableRecordButCommitsPastIt() {
        ConsumerRecord<String, byte[]> garbage = new ConsumerRecord<>("raw", 0, 10, "r1", new byte[] {(byte) 0xff, 1, 2});
        pipeline.handle(batch(List.of(garbage, record(11, "r1", "fine"))));

        assertThat(producer.history()).hasSize(1);
        assertThat(meters.counter("danmaku_filter_undecodable_records_total").count()).isEqualTo(1);
        Map<TopicPartition, OffsetAndMetadata> committed = producer.consumerGroupOffsetsHistory().get(0).values().iterator().next();
        assertThat(committed.get(RAW_0).offset()).isEqualTo(12);
    }

    @Test
    void anAbortedTransactionRewindsSoTheBatchIsJudgedAgain() {
        producer.commitTransactionException = new KafkaException("broker went away");
        pipeline.handle(batch(List.of(record(10, "r1", "hello"), record(11, "r1", "again"))));

        assertThat(producer.transactionAborted()).isTrue();
        assertThat(producer.history()).isEmpty();
        assertThat(consumer.position(RAW_0)).isEqualTo(10);
        assertThat(meters.counter("danmaku_filter_transactions_aborted_total").count()).isEqualTo(1);
    }

    @Test
    void aFencedProducerStopsThePipeline() {
        producer.commitTransactionException = new ProducerFencedException("another instance took over");
        assertThatThrownBy(() -> pipeline.handle(batch(List.of(record(10, "r1", "hello")))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot continue");
    }
}
