package dev.danmaku.filter.pipeline;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import dev.danmaku.filter.FilterConfig;
import dev.danmaku.filter.bench.BenchCorpus;
import dev.danmaku.filter.matching.KeywordMatcher;
import dev.danmaku.filter.moderation.Moderator;
import dev.danmaku.filter.ratelimit.SendLimiter;
import dev.danmaku.filter.rules.RuleSet;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.KeywordRule;
import dev.danmaku.proto.v1.Origin;
import dev.danmaku.proto.v1.RawDanmaku;

/**
 * The pipeline thread's own work per danmaku, without a broker: polls of 5 000 raw danmaku over 6
 * partitions (P5's shape and texts, 10 000 rules) handed to {@link ModerationPipeline} with Kafka's
 * mock consumer and producer, each sent once with a clientMsgId of its own, as in a steady room.
 * {@code rules=0} leaves judging out of it (no rules, so no view but the standard one is made).
 * Runs about 1 min: {@code java -cp "$CP" dev.danmaku.filter.pipeline.JudgingLoopBenchmark}
 * ({@code CP} as in docs/filter.md).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
public class JudgingLoopBenchmark {

    private static final int PER_POLL = 5_000;
    private static final int PARTITIONS = 6;

    @Param({"10000", "0"})
    public int rules;

    private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
    private final List<MockProducer<String, byte[]>> producers = new ArrayList<>();
    private ModerationPipeline pipeline;
    private String[] texts;
    private long sent;
    private final long[] nextOffsets = new long[PARTITIONS];
    private ConsumerRecords<String, byte[]> poll;

    @Setup
    public void setUp() {
        List<KeywordRule> ruleList = BenchCorpus.rules(rules);
        texts = BenchCorpus.texts(4096, BenchCorpus.rules(10_000)).toArray(String[]::new);
        RuleSet set = new RuleSet(1, Map.of(), Map.of(), Map.of(), KeywordMatcher.build(ruleList));
        Moderator moderator = new Moderator(() -> set, new SendLimiter(FilterConfig.DEFAULT_LIMITS));
        DepartedMembers.Cluster noOneDeparted = new DepartedMembers.Cluster() {
            @Override
            public Set<String> ongoingTransactionalIds() {
                return Set.of();
            }

            @Override
            public Set<String> memberIds(String groupId) {
                return Set.of();
            }

            @Override
            public void fence(java.util.Collection<String> transactionalIds) {
            }
        };
        pipeline = new ModerationPipeline(consumer, transactionalId -> {
            MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(),
                    new ByteArraySerializer());
            producers.add(producer);
            return producer;
        }, "raw", "filtered", "dead", moderator, (partitions, since) -> List.of(),
                new DepartedMembers(noOneDeparted, "danmaku-filter"), new SimpleMeterRegistry());
        List<TopicPartition> partitions = new ArrayList<>();
        Map<TopicPartition, Long> beginning = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            partitions.add(new TopicPartition("raw", p));
            beginning.put(partitions.get(p), 0L);
        }
        consumer.updateBeginningOffsets(beginning);
        pipeline.onStart();
        consumer.rebalance(partitions);
    }

    /** The next poll: new sends, each with its own clientMsgId, rooms spread over the partitions. */
    @Setup(Level.Invocation)
    public void nextPoll() {
        producers.get(producers.size() - 1).clear();
        Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> byPartition = new HashMap<>();
        long now = System.currentTimeMillis();
        for (int i = 0; i < PER_POLL; i++, sent++) {
            String room = "room-" + (sent % 200);
            int partition = (int) (sent % 200 % PARTITIONS);
            RawDanmaku raw = RawDanmaku.newBuilder()
                    .setDanmaku(Danmaku.newBuilder().setMsgId("m" + sent).setRoomId(room)
                            .setUserId("user-" + (sent % 100_000)).setUserName("viewer").setText(texts[(int) (sent & 4095)])
                            .setSentAtMs(now))
                    .setOrigin(Origin.newBuilder().setGatewayId("gw").setSessionId("s").setClientMsgId("c" + sent))
                    .build();
            byPartition.computeIfAbsent(new TopicPartition("raw", partition), p -> new ArrayList<>())
                    .add(new ConsumerRecord<>("raw", partition, nextOffsets[partition]++, room, raw.toByteArray()));
        }
        poll = new ConsumerRecords<>(byPartition, Map.of());
    }

    @Benchmark
    @OperationsPerInvocation(PER_POLL)
    public void judgeAndPublishOnePoll() {
        pipeline.handle(poll);
    }

    public static void main(String[] args) throws RunnerException {
        new Runner(new OptionsBuilder().include(JudgingLoopBenchmark.class.getSimpleName()).build()).run();
    }
}
