package dev.danmaku.filter.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.danmaku.filter.FilterConfig;
import dev.danmaku.filter.matching.KeywordMatcher;
import dev.danmaku.filter.moderation.Moderator;
import dev.danmaku.filter.ratelimit.LimitDefaults;
import dev.danmaku.filter.ratelimit.SendLimiter;
import dev.danmaku.filter.rules.RuleSet;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.KeywordRule;
import dev.danmaku.proto.v1.Origin;
import dev.danmaku.proto.v1.RawDanmaku;
import dev.danmaku.proto.v1.Reason;
import dev.danmaku.proto.v1.RoomEvent;
import dev.danmaku.proto.v1.RuleAction;
import dev.danmaku.proto.v1.Verdict;

class ModerationPipelineTest {

    private static final TopicPartition RAW_0 = new TopicPartition("raw", 0);
    private static final TopicPartition RAW_1 = new TopicPartition("raw", 1);

    /** The group consumer; its member id changes when it rejoins after being dropped from the group. */
    private String memberId = "filter-a-1";
    /** The pipeline's rebalance listener, for what MockConsumer cannot do: lose the partitions. */
    private ConsumerRebalanceListener listener;
    private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest") {
        @Override
        public synchronized ConsumerGroupMetadata groupMetadata() {
            return new ConsumerGroupMetadata("danmaku-filter", 3, memberId, Optional.empty());
        }

        @Override
        public synchronized void subscribe(Collection<String> topics, ConsumerRebalanceListener rebalanceListener) {
            listener = rebalanceListener;
            super.subscribe(topics, rebalanceListener);
        }
    };
    /** The transactional producers the pipeline asked for, in order; the last one is in use. */
    private final List<MockProducer<String, byte[]>> producersMade = new ArrayList<>();
    /** The transactional ids of the producers made, in order. */
    private final List<String> transactionalIds = new ArrayList<>();
    /** The group metadata each transaction's offsets were sent with. */
    private final List<ConsumerGroupMetadata> offsetsSentWith = new ArrayList<>();
    /** The next offsets' send is queued and then times out, as when the group coordinator was killed. */
    private boolean offsetsTimeOutOnceQueued;
    private final FakeGroup group = new FakeGroup();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private ModerationPipeline pipeline;
    /** What the previous owners of the raw partitions committed lately, as the pipeline asks for it. */
    private final List<RecentVerdicts.Recent> committedEarlier = new ArrayList<>();
    private final List<List<TopicPartition>> recentAskedFor = new ArrayList<>();
    /** Counts the judgements; the one with this number throws, as a bug in the judge would. */
    private int judgements;
    private int failingJudgement = -1;

    @BeforeEach
    void setUp() {
        pipeline = pipeline(FilterConfig.DEFAULT_LIMITS);
    }

    private ModerationPipeline pipeline(LimitDefaults limits) {
        RecentVerdicts recent = (rawPartitions, sinceMillis) -> {
            recentAskedFor.add(List.copyOf(rawPartitions));
            return committedEarlier.stream().filter(r -> rawPartitions.contains(r.rawPartition())).toList();
        };
        KeywordRule spam = KeywordRule.newBuilder().setId("r1").setPattern("spam").setAction(RuleAction.REJECT).build();
        RuleSet rules = new RuleSet(7, Map.of("r1", spam), Map.of(), Map.of(), KeywordMatcher.build(List.of(spam)));
        Moderator moderator = new Moderator(() -> {
            if (++judgements == failingJudgement) {
                throw new IllegalStateException("a bug in the judge");
            }
            return rules;
        }, new SendLimiter(limits));
        ModerationPipeline made = new ModerationPipeline(consumer, transactionalId -> {
            MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(),
                    new ByteArraySerializer()) {
                @Override
                public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets,
                        ConsumerGroupMetadata groupMetadata) {
                    offsetsSentWith.add(groupMetadata);
                    super.sendOffsetsToTransaction(offsets, groupMetadata);
                    if (offsetsTimeOutOnceQueued) {
                        offsetsTimeOutOnceQueued = false;
                        throw new TimeoutException("awaiting TxnOffsetCommit");
                    }
                }
            };
            producersMade.add(producer);
            transactionalIds.add(transactionalId);
            return producer;
        }, "raw", "filtered", "dead", moderator, recent, new DepartedMembers(group, "danmaku-filter"), meters);
        consumer.updateBeginningOffsets(Map.of(RAW_0, 0L, RAW_1, 0L));
        made.onStart();
        consumer.rebalance(List.of(RAW_0, RAW_1));
        consumer.seek(RAW_0, 10);
        consumer.seek(RAW_1, 10);
        return made;
    }

    private static ConsumerRecord<String, byte[]> record(TopicPartition partition, long offset, String room, String user,
            String text) {
        RawDanmaku raw = RawDanmaku.newBuilder().setDanmaku(Danmaku.newBuilder().setMsgId(partition.partition() + "-m" + offset)
                .setRoomId(room).setUserId(user).setText(text).setSentAtMs(1_000_000 + offset)).build();
        return new ConsumerRecord<>(partition.topic(), partition.partition(), offset, room, raw.toByteArray());
    }

    /** A send of alice's with its clientMsgId, first or marked as a retry, as a gateway publishes it. */
    private static ConsumerRecord<String, byte[]> send(long offset, String clientMsgId, boolean retry, String text) {
        return send(offset, clientMsgId, retry, text, 1_000_000 + offset);
    }

    /** The same, stamped by its gateway at {@code sentAtMs}. */
    private static ConsumerRecord<String, byte[]> send(long offset, String clientMsgId, boolean retry, String text,
            long sentAtMs) {
        RawDanmaku raw = RawDanmaku.newBuilder().setDanmaku(Danmaku.newBuilder().setMsgId("m" + offset).setRoomId("r1")
                        .setUserId("alice").setText(text).setSentAtMs(sentAtMs))
                .setOrigin(Origin.newBuilder().setGatewayId("gw").setSessionId("s" + offset).setClientMsgId(clientMsgId)
                        .setRetry(retry)).build();
        return new ConsumerRecord<>(RAW_0.topic(), RAW_0.partition(), offset, "r1", raw.toByteArray());
    }

    private static ConsumerRecord<String, byte[]> record(long offset, String room, String text) {
        return record(RAW_0, offset, room, "u" + offset, text);
    }

    @SafeVarargs
    private static ConsumerRecords<String, byte[]> batch(List<ConsumerRecord<String, byte[]>>... perPartition) {
        Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> records = new HashMap<>();
        for (List<ConsumerRecord<String, byte[]>> list : perPartition) {
            records.put(new TopicPartition(list.get(0).topic(), list.get(0).partition()), list);
        }
        return new ConsumerRecords<>(records, Map.of());
    }

    private static JudgedDanmaku verdict(ProducerRecord<String, byte[]> record) throws Exception {
        return RoomEvent.parseFrom(record.value()).getDanmaku();
    }

    /** The producer in use. */
    private MockProducer<String, byte[]> producer() {
        return producersMade.get(producersMade.size() - 1);
    }

    /** The group and the transactions as the brokers know them. */
    private static final class FakeGroup implements DepartedMembers.Cluster {
        final Set<String> ongoing = new HashSet<>();
        final Set<String> members = new HashSet<>();
        final List<String> fenced = new ArrayList<>();
        boolean down;

        @Override
        public Set<String> ongoingTransactionalIds() throws Exception {
            if (down) {
                throw new java.util.concurrent.TimeoutException("no broker answered");
            }
            return Set.copyOf(ongoing);
        }

        @Override
        public Set<String> memberIds(String groupId) {
            return Set.copyOf(members);
        }

        @Override
        public void fence(Collection<String> transactionalIds) {
            fenced.addAll(transactionalIds);
            ongoing.removeAll(transactionalIds);
        }
    }

    @Test
    void writesUnderATransactionalIdOfItsGroupMembershipOpenedOnAssignment() {
        assertThat(transactionalIds).containsExactly("danmaku-filter.filter-a-1");
        assertThat(producer().transactionInitialized()).isTrue();
        assertThat(pipeline.ownTransactionalId()).isEqualTo("danmaku-filter.filter-a-1");
        assertThat(consumer.paused()).isEmpty();
    }

    @Test
    void publishesAPollsVerdictsAndItsPartitionsOffsetsInOneTransactionWithTheGroupMetadata() throws Exception {
        pipeline.handle(batch(List.of(record(10, "r1", "hello"), record(11, "r1", "spam here")),
                List.of(record(RAW_1, 10, "r2", "u9", "hi"))));

        MockProducer<String, byte[]> producer = producer();
        assertThat(producer.transactionCommitted()).isTrue();
        List<ProducerRecord<String, byte[]>> inRoomR1 = producer.history().stream().filter(r -> r.key().equals("r1")).toList();
        assertThat(producer.history()).hasSize(3).allSatisfy(r -> assertThat(r.topic()).isEqualTo("filtered"));
        assertThat(verdict(inRoomR1.get(0)).getVerdict()).isEqualTo(Verdict.ACCEPTED);
        assertThat(verdict(inRoomR1.get(1)).getVerdict()).isEqualTo(Verdict.REJECTED);
        assertThat(verdict(inRoomR1.get(1)).getRuleSetVersion()).isEqualTo(7);
        Map<TopicPartition, OffsetAndMetadata> committed = producer.consumerGroupOffsetsHistory().get(0).values().iterator().next();
        assertThat(committed).containsOnlyKeys(RAW_0, RAW_1);
        assertThat(committed.get(RAW_0).offset()).isEqualTo(12);
        assertThat(committed.get(RAW_1).offset()).isEqualTo(11);
        // the member id and generation: the coordinator refuses them once this member has left the group
        assertThat(offsetsSentWith).containsExactly(consumer.groupMetadata());
        assertThat(meters.counter("danmaku_filter_verdicts_total", "verdict", "REJECTED", "reason", "BLOCKED_KEYWORD", "category", "none")
                .count()).isEqualTo(1);
    }

    @Test
    void anUndecodableRecordGoesToTheDeadLetterTopicAsItCameInTheSameTransaction() {
        byte[] garbage = {(byte) 0xff, 1, 2};
        pipeline.handle(batch(List.of(new ConsumerRecord<>("raw", 0, 10, "r1", garbage), record(11, "r1", "fine"))));

        List<ProducerRecord<String, byte[]>> published = producer().history();
        assertThat(published).extracting(ProducerRecord::topic).containsExactly("dead", "filtered");
        ProducerRecord<String, byte[]> deadLetter = published.get(0);
        assertThat(deadLetter.key()).isEqualTo("r1");
        assertThat(deadLetter.value()).isEqualTo(garbage);
        assertThat(header(deadLetter, DeadLetters.SOURCE)).isEqualTo("raw-0@10");
        assertThat(header(deadLetter, DeadLetters.CAUSE)).startsWith("undecodable");
        assertThat(producer().transactionCommitted()).isTrue();
        assertThat(meters.counter("danmaku_filter_dead_letters_total", "cause", "undecodable").count()).isEqualTo(1);
        assertThat(firstCommittedOffset(RAW_0)).isEqualTo(12);
    }

    @Test
    void aSendThatCannotBeJudgedIsAnsweredNotJudgedAndKeptAsADeadLetterWhileTheRestGoOn() throws Exception {
        failingJudgement = 2;
        pipeline.handle(batch(List.of(record(10, "r1", "hello"), record(11, "r1", "trips a bug"), record(12, "r1", "after"))));

        List<ProducerRecord<String, byte[]>> published = producer().history();
        assertThat(published).extracting(ProducerRecord::topic).containsExactly("filtered", "filtered", "dead", "filtered");
        JudgedDanmaku notJudged = verdict(published.get(1));
        assertThat(notJudged.getVerdict()).isEqualTo(Verdict.REJECTED);
        assertThat(notJudged.getReason()).isEqualTo(Reason.NOT_JUDGED);
        assertThat(notJudged.getDanmaku().getMsgId()).isEqualTo("0-m11");
        assertThat(verdict(published.get(3)).getVerdict()).isEqualTo(Verdict.ACCEPTED);
        assertThat(header(published.get(2), DeadLetters.CAUSE)).contains("a bug in the judge");
        assertThat(RawDanmaku.parseFrom(published.get(2).value()).getDanmaku().getText()).isEqualTo("trips a bug");
        assertThat(meters.counter("danmaku_filter_dead_letters_total", "cause", "not_judged").count()).isEqualTo(1);
        assertThat(firstCommittedOffset(RAW_0)).isEqualTo(13);
    }

    @Test
    void aBatchWithADeadLetterJudgedAgainAfterAnAbortSendsTheSameWithoutJudgingAgain() throws Exception {
        failingJudgement = 1;
        producer().commitTransactionException = new KafkaException("coordinator moved");
        pipeline.handle(batch(List.of(record(10, "r1", "trips a bug"))));
        producer().commitTransactionException = null;

        pipeline.handle(batch(List.of(record(10, "r1", "trips a bug"))));

        List<ProducerRecord<String, byte[]>> published = producer().history();
        assertThat(published).extracting(ProducerRecord::topic).containsExactly("filtered", "dead");
        assertThat(verdict(published.get(0)).getReason()).isEqualTo(Reason.NOT_JUDGED);
        assertThat(judgements).isEqualTo(1);
        assertThat(meters.counter("danmaku_filter_dead_letters_total", "cause", "not_judged").count()).isEqualTo(1);
    }

    /** The offset the first transaction committed for a partition with its verdicts. */
    private long firstCommittedOffset(TopicPartition partition) {
        return producer().consumerGroupOffsetsHistory().get(0).values().iterator().next().get(partition).offset();
    }

    private static String header(ProducerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void anAbortedTransactionRewindsEveryPartitionOfItsBatch() {
        consumer.seek(RAW_0, 12);
        consumer.seek(RAW_1, 11);
        producer().commitTransactionException = new KafkaException("broker went away");
        pipeline.handle(batch(List.of(record(10, "r1", "hello"), record(11, "r1", "again")),
                List.of(record(RAW_1, 10, "r2", "u9", "hi"))));

        assertThat(producer().transactionAborted()).isTrue();
        assertThat(producer().history()).isEmpty();
        assertThat(consumer.position(RAW_0)).isEqualTo(10);
        assertThat(consumer.position(RAW_1)).isEqualTo(10);
        assertThat(consumer.paused()).isEmpty();
        assertThat(meters.counter("danmaku_filter_transactions_aborted_total").count()).isEqualTo(1);
        assertThat(meters.counter("danmaku_filter_judged_total").count()).isZero();
    }

    @Test
    void offsetsRefusedForAnOldGenerationPauseEveryPartitionUntilTheMemberHasRejoined() throws Exception {
        // a poll made while the group rebalances can still hand out the old generation's records, whose
        // offsets would be refused again: nothing is judged until the rebalance has completed
        producer().commitTransactionException = new CommitFailedException("consumer group metadata mismatch");
        pipeline.handle(batch(List.of(record(10, "r1", "hello"))));
        producer().commitTransactionException = null;

        assertThat(producer().transactionAborted()).isTrue();
        assertThat(consumer.position(RAW_0)).isEqualTo(10);
        assertThat(consumer.paused()).containsExactlyInAnyOrder(RAW_0, RAW_1);
        assertThat(meters.counter("danmaku_filter_transactions_aborted_total").count()).isEqualTo(1);

        consumer.rebalance(List.of(RAW_0, RAW_1)); // the rebalance completes with nothing new for this member
        assertThat(consumer.paused()).isEmpty();
        pipeline.handle(batch(List.of(record(10, "r1", "hello"))));
        assertThat(producer().history()).singleElement().satisfies(
                published -> assertThat(verdict(published).getVerdict()).isEqualTo(Verdict.ACCEPTED));
    }

    @Test
    void aBatchAbortedAsTheMemberWasDroppedGetsTheSameVerdictsWhenItsPartitionsComeBack() throws Exception {
        // a restarted broker forgot the member: its offsets are refused, it loses its partitions and rejoins
        var sameSend = List.of(record(RAW_0, 10, "r1", "alice", "hello"));
        producer().commitTransactionException = new CommitFailedException("The coordinator is not aware of this member");
        pipeline.handle(batch(sameSend));
        producer().commitTransactionException = null;
        listener.onPartitionsLost(List.of(RAW_0, RAW_1));
        consumer.rebalance(List.of(RAW_0, RAW_1)); // the rejoin gives them back

        pipeline.handle(batch(sameSend));

        assertThat(producer().history()).singleElement().satisfies(published -> assertThat(verdict(published).getVerdict())
                .as("not a duplicate of its own first attempt").isEqualTo(Verdict.ACCEPTED));
    }

    @Test
    void aBatchJudgedAgainAfterAnAbortGetsTheSameVerdictsAndIsNotChargedTwice() throws Exception {
        // a burst of 2: the first attempt charges both sends; a second charge would refuse the re-judged ones
        pipeline = null;
        consumer.unsubscribe();
        ModerationPipeline strict = pipeline(new LimitDefaults(0.001, 2, 200, 30_000));
        var sameUser = List.of(record(RAW_0, 10, "r1", "alice", "one"), record(RAW_0, 11, "r1", "alice", "two"),
                record(RAW_0, 12, "r1", "alice", "three"));
        producer().commitTransactionException = new KafkaException("coordinator moved");
        strict.handle(batch(sameUser));
        producer().commitTransactionException = null;

        strict.handle(batch(sameUser));

        List<ProducerRecord<String, byte[]>> published = producer().history();
        assertThat(published).hasSize(3);
        assertThat(verdict(published.get(0)).getVerdict()).isEqualTo(Verdict.ACCEPTED);
        assertThat(verdict(published.get(1)).getVerdict()).isEqualTo(Verdict.ACCEPTED);
        assertThat(verdict(published.get(2)).getReason()).isEqualTo(Reason.RATE_LIMITED);
    }

    @Test
    void aRetryOfASendJudgedBeforeGetsItsVerdictAgainForItsOwnSenderOnly() throws Exception {
        pipeline.handle(batch(List.of(send(10, "p1-1", false, "spam here"), send(11, "p1-2", false, "hello"))));
        // retries from a new connection: one of a committed send, one whose first copy is in the same batch
        pipeline.handle(batch(List.of(send(12, "p1-1", true, "spam here"), send(13, "p1-3", false, "third"),
                send(14, "p1-3", true, "third"))));

        List<JudgedDanmaku> published = new ArrayList<>();
        for (ProducerRecord<String, byte[]> record : producer().history()) {
            published.add(verdict(record));
        }
        assertThat(published).hasSize(5);
        JudgedDanmaku first = published.get(0);
        JudgedDanmaku retry = published.get(2);
        assertThat(retry.getRepeat()).isTrue();
        assertThat(retry.getDanmaku().getMsgId()).isEqualTo("m10");
        assertThat(retry.getVerdict()).isEqualTo(first.getVerdict()).isEqualTo(Verdict.REJECTED);
        assertThat(retry.getOrigin().getSessionId()).as("acked to the retry's connection").isEqualTo("s12");
        assertThat(published.get(4).getRepeat()).isTrue();
        assertThat(published.get(4).getDanmaku().getMsgId()).isEqualTo("m13");
        assertThat(published.get(3).getRepeat()).isFalse();
        assertThat(meters.counter("danmaku_filter_retries_repeated_total").count()).isEqualTo(2);
        assertThat(meters.counter("danmaku_filter_verdicts_total", "verdict", "ACCEPTED", "reason", "none", "category", "none")
                .count()).as("a repeat is not a new verdict").isEqualTo(2);
    }

    @Test
    void aRetryOfASendThePreviousOwnerJudgedGetsThatVerdictAgain() throws Exception {
        consumer.rebalance(List.of(RAW_1)); // RAW_0 moves away
        JudgedDanmaku judgedElsewhere = JudgedDanmaku.newBuilder()
                .setDanmaku(Danmaku.newBuilder().setMsgId("m3").setRoomId("r1").setUserId("alice").setText("spam here"))
                .setOrigin(Origin.newBuilder().setGatewayId("gw").setSessionId("s3").setClientMsgId("p1-1"))
                .setVerdict(Verdict.REJECTED).setReason(Reason.BLOCKED_KEYWORD).build();
        committedEarlier.add(new RecentVerdicts.Recent(RAW_0, judgedElsewhere, System.currentTimeMillis()));
        recentAskedFor.clear();

        consumer.rebalance(List.of(RAW_0, RAW_1)); // and comes back, judged meanwhile by another instance
        consumer.seek(RAW_0, 10);
        pipeline.handle(batch(List.of(send(10, "p1-1", true, "spam here"), send(11, "p1-2", true, "a retry of nothing"))));

        assertThat(recentAskedFor).as("asked once, for the partition taken over").containsExactly(List.of(RAW_0));
        List<ProducerRecord<String, byte[]>> published = producer().history();
        assertThat(published).hasSize(2);
        JudgedDanmaku retry = verdict(published.get(0));
        assertThat(retry.getRepeat()).isTrue();
        assertThat(retry.getDanmaku().getMsgId()).isEqualTo("m3");
        assertThat(retry.getVerdict()).isEqualTo(Verdict.REJECTED);
        assertThat(retry.getOrigin().getSessionId()).as("acked to the retry's connection").isEqualTo("s10");
        assertThat(verdict(published.get(1)).getRepeat()).isFalse();
    }

    @Test
    void onlyASendMarkedAsARetryIsCheckedSoAClientThatReusesItsIdsLosesNothing() throws Exception {
        pipeline.handle(batch(List.of(send(10, "1", false, "hello"))));
        pipeline.handle(batch(List.of(send(11, "1", false, "hello again"), send(12, "never-sent", true, "a retry of nothing"))));

        assertThat(producer().history()).hasSize(3).allSatisfy(r -> assertThat(verdict(r).getRepeat()).isFalse());
    }

    @Test
    void aFirstSendThatArrivesAfterItsRetryWasJudgedIsARepeatOfTheRetry() throws Exception {
        // the retry went through another gateway; the cut gateway delivers the first copy later
        pipeline.handle(batch(List.of(send(10, "p1-1", true, "hello", 2_000))));
        pipeline.handle(batch(List.of(send(11, "p1-1", false, "hello", 1_000),
                send(12, "p1-2", true, "hi", 2_100), send(13, "p1-2", false, "hi", 1_100))));

        List<ProducerRecord<String, byte[]>> published = producer().history();
        assertThat(published).hasSize(4);
        assertThat(verdict(published.get(0)).getRepeat()).isFalse();
        JudgedDanmaku late = verdict(published.get(1));
        assertThat(late.getRepeat()).as("across batches").isTrue();
        assertThat(late.getDanmaku().getMsgId()).isEqualTo("m10");
        assertThat(late.getOrigin().getSessionId()).as("acked to its own connection").isEqualTo("s11");
        assertThat(verdict(published.get(3)).getRepeat()).as("in one batch").isTrue();
    }

    @Test
    void aSendAfterARetryWithTheSameIdIsNewSoAReloadedPageThatReusesIdsLosesNothing() throws Exception {
        pipeline.handle(batch(List.of(send(10, "1", true, "hello", 2_000))));
        pipeline.handle(batch(List.of(send(11, "1", false, "hello again", 3_000))));

        assertThat(producer().history()).hasSize(2).allSatisfy(r -> assertThat(verdict(r).getRepeat()).isFalse());
    }

    @Test
    void aRetryJudgedAgainAfterAnAbortIsStillARepeat() throws Exception {
        var firstAndRetry = List.of(send(10, "p1-1", false, "hello"), send(11, "p1-1", true, "hello"));
        producer().commitTransactionException = new KafkaException("coordinator moved");
        pipeline.handle(batch(firstAndRetry));
        producer().commitTransactionException = null;
        pipeline.handle(batch(firstAndRetry));

        List<ProducerRecord<String, byte[]>> published = producer().history();
        assertThat(published).hasSize(2);
        assertThat(verdict(published.get(0)).getRepeat()).isFalse();
        assertThat(verdict(published.get(1)).getRepeat()).isTrue();
    }

    @Test
    void aRetryPolledWithItsFirstSendAgainAfterAnAbortIsARepeat() throws Exception {
        producer().commitTransactionException = new KafkaException("coordinator moved");
        pipeline.handle(batch(List.of(send(10, "p1-1", false, "hello"))));
        producer().commitTransactionException = null;
        // rewound: the first send comes again, now with its retry behind it
        pipeline.handle(batch(List.of(send(10, "p1-1", false, "hello"), send(11, "p1-1", true, "hello"))));

        List<ProducerRecord<String, byte[]>> published = producer().history();
        assertThat(published).hasSize(2);
        assertThat(verdict(published.get(1)).getRepeat()).isTrue();
    }

    @Test
    void aCommitThatTimesOutIsCommittedAgainNotAborted() {
        producer().commitTransactionException = new TimeoutException("no answer yet");
        Thread clearer = new Thread(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
            producer().commitTransactionException = null;
        });
        clearer.start();
        pipeline.handle(batch(List.of(record(10, "r1", "hello"))));

        assertThat(producer().transactionCommitted()).isTrue();
        assertThat(producer().transactionAborted()).isFalse();
        assertThat(producer().history()).hasSize(1);
        assertThat(meters.counter("danmaku_filter_transactions_aborted_total").count()).isZero();
    }

    @Test
    void offsetsThatTimeOutAreCommittedWithTheTransactionNotAborted() {
        // a killed group coordinator: the offsets wait in the producer for its successor, and the commit after them
        offsetsTimeOutOnceQueued = true;
        pipeline.handle(batch(List.of(record(10, "r1", "hello"))));

        assertThat(producer().transactionCommitted()).isTrue();
        assertThat(producer().transactionAborted()).isFalse();
        assertThat(firstCommittedOffset(RAW_0)).as("committed with its offsets").isEqualTo(11);
        assertThat(meters.counter("danmaku_filter_judged_total").count()).isEqualTo(1);
        assertThat(meters.counter("danmaku_filter_transactions_aborted_total").count()).isZero();
    }

    @Test
    void aFaultOfOursWhileMakingTheBatchAbortsItsTransactionBeforeItStopsThePipeline() {
        producer().sendException = new IllegalStateException("a bug of ours");

        assertThatThrownBy(() -> pipeline.handle(batch(List.of(record(10, "r1", "hello")))))
                .isInstanceOf(IllegalStateException.class);
        assertThat(producer().transactionAborted()).as("nothing left open to pin the readers").isTrue();
    }

    @Test
    void aFailedAbortReplacesTheProducerWhichFencesWhatWasLeftOpen() {
        MockProducer<String, byte[]> broken = producer();
        broken.commitTransactionException = new KafkaException("lost");
        broken.abortTransactionException = new IllegalStateException("cannot abort after a failed commit");
        pipeline.handle(batch(List.of(record(10, "r1", "hello"))));

        assertThat(broken.closed()).isTrue();
        assertThat(consumer.position(RAW_0)).isEqualTo(10);
        assertThat(consumer.paused()).containsExactly(RAW_0);

        pipeline.beforePoll();
        assertThat(producersMade).hasSize(2);
        assertThat(transactionalIds).containsExactly("danmaku-filter.filter-a-1", "danmaku-filter.filter-a-1");
        assertThat(producer().transactionInitialized()).isTrue();
        assertThat(consumer.paused()).isEmpty();
        pipeline.handle(batch(List.of(record(10, "r1", "hello"))));
        assertThat(producer().history()).hasSize(1);
    }

    @Test
    void aFencedWriterTakesANewProducerAndJudgesItsBatchAgainWithTheSameVerdicts() throws Exception {
        // woken after a pause: another instance saw this member leave the group and fenced its transaction
        MockProducer<String, byte[]> zombie = producer();
        zombie.sendOffsetsToTransactionException = new TimeoutException("awaiting TxnOffsetCommit");
        zombie.commitTransactionException = new ProducerFencedException("fenced by the partitions' new owner");
        pipeline.handle(batch(List.of(record(10, "r1", "spam here"), record(11, "r1", "hello"))));

        assertThat(consumer.paused()).containsExactly(RAW_0);
        assertThat(consumer.position(RAW_0)).isEqualTo(10);
        assertThat(meters.counter("danmaku_filter_writer_fenced_total").count()).isEqualTo(1);
        assertThat(meters.counter("danmaku_filter_judged_total").count()).isZero();

        // its own id fences nobody else: the next poll goes on with a new producer
        pipeline.beforePoll();
        assertThat(producersMade).hasSize(2);
        assertThat(consumer.paused()).isEmpty();
        pipeline.handle(batch(List.of(record(10, "r1", "spam here"), record(11, "r1", "hello"))));
        assertThat(producer().history()).extracting(r -> verdict(r).getVerdict())
                .containsExactly(Verdict.REJECTED, Verdict.ACCEPTED);
        assertThat(judgements).as("judged once; the second attempt reuses the verdicts").isEqualTo(2);
    }

    @Test
    void anAssignmentFencesTheOpenTransactionsOfMembersThatLeftTheGroup() {
        group.members.addAll(List.of("filter-a-1", "filter-b-7"));
        group.ongoing.addAll(List.of("danmaku-filter.filter-b-7", "danmaku-filter.filter-c-2", "danmaku-filter.filter-a-1",
                "another-app.x"));
        consumer.rebalance(List.of(RAW_1)); // a revocation: nothing new to take over
        assertThat(group.fenced).isEmpty();

        consumer.rebalance(List.of(RAW_0, RAW_1)); // c left the group; its partitions come here

        assertThat(group.fenced).containsExactly("danmaku-filter.filter-c-2");
        assertThat(meters.counter("danmaku_filter_departed_fenced_total").count()).isEqualTo(1);
    }

    @Test
    void eachAssignmentOfNewPartitionsRunsTheHookAfterFencingDepartedMembers() {
        group.ongoing.add("danmaku-filter.filter-c-2");
        List<List<String>> fencedWhenRun = new ArrayList<>();
        pipeline.afterEachAssignment(() -> fencedWhenRun.add(List.copyOf(group.fenced)));

        consumer.rebalance(List.of(RAW_1)); // RAW_0 moves away: nothing new
        assertThat(fencedWhenRun).isEmpty();
        consumer.rebalance(List.of(RAW_0, RAW_1));

        assertThat(fencedWhenRun).containsExactly(List.of("danmaku-filter.filter-c-2"));
    }

    @Test
    void departedMembersAreFencedAgainASecondLaterWhenKafkaDidNotAnswer() throws Exception {
        group.ongoing.add("danmaku-filter.filter-c-2");
        group.down = true;
        consumer.rebalance(List.of(RAW_1));
        consumer.rebalance(List.of(RAW_0, RAW_1));
        assertThat(group.fenced).isEmpty();

        group.down = false;
        pipeline.beforePoll();
        assertThat(group.fenced).as("not before a second has passed").isEmpty();
        Thread.sleep(1100);
        pipeline.beforePoll();
        assertThat(group.fenced).containsExactly("danmaku-filter.filter-c-2");
        pipeline.beforePoll();
        assertThat(group.fenced).hasSize(1);
    }

    @Test
    void aMemberDroppedFromTheGroupWritesUnderItsNewIdAndFencesItsOldOne() {
        MockProducer<String, byte[]> before = producer();
        group.ongoing.add("danmaku-filter.filter-a-1"); // left open when it was dropped
        memberId = "filter-a-2";
        group.members.add(memberId);

        consumer.rebalance(List.of(RAW_0, RAW_1));
        consumer.rebalance(List.of());
        consumer.rebalance(List.of(RAW_0, RAW_1));

        assertThat(before.closed()).isTrue();
        assertThat(transactionalIds).containsExactly("danmaku-filter.filter-a-1", "danmaku-filter.filter-a-2");
        assertThat(pipeline.ownTransactionalId()).isEqualTo("danmaku-filter.filter-a-2");
        assertThat(group.fenced).containsExactly("danmaku-filter.filter-a-1");
    }

    @Test
    void aHangingTransactionIsOursToAbortWhenItIsOurOwnOrADepartedMembers() throws Exception {
        group.members.addAll(List.of("filter-a-1", "filter-b-7"));
        assertThat(pipeline.oursToAbort("danmaku-filter.filter-a-1")).isTrue();
        assertThat(pipeline.oursToAbort("danmaku-filter.filter-c-2")).isTrue();
        assertThat(pipeline.oursToAbort("danmaku-filter.filter-b-7")).isFalse();
        assertThat(pipeline.oursToAbort("another-app.x")).isFalse();
    }

    @Test
    void anAuthorizationErrorStopsThePipeline() {
        producer().commitTransactionException = new TopicAuthorizationException("may not write filtered");
        assertThatThrownBy(() -> pipeline.handle(batch(List.of(record(10, "r1", "hello")))))
                .isInstanceOf(TopicAuthorizationException.class);
    }
}
