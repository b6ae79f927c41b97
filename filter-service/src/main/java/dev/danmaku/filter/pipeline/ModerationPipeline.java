package dev.danmaku.filter.pipeline;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import com.google.protobuf.InvalidProtocolBufferException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;

import dev.danmaku.common.kafka.PollLoop;
import dev.danmaku.filter.moderation.Moderator;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.RawDanmaku;

/**
 * Exactly-once read-process-write: each poll's raw danmaku are judged and their verdicts published
 * to danmaku.filtered.v1 together with the consumed offsets, in one transaction ({@link VerdictWriter}).
 *
 * <p>Failover: the group is cooperative, so a rebalance moves only the partitions that change owner.
 * Each member writes under a transactional id of its own membership, and commits offsets with its group
 * metadata, so a member that left the group cannot commit anything more. Whoever is assigned
 * partitions fences the transactions that departed members left open ({@link DepartedMembers}), so
 * nobody waits for their timeout. An aborted transaction rewinds its partitions, and the batch is judged
 * again with the verdicts it had: the send limits are not charged twice and a viewer who saw a verdict
 * before the abort sees the same one after.
 *
 * <p>A record that cannot be decoded or judged does not stop the pipeline: it goes to the dead-letter
 * topic in the same transaction, and when it names a send, that send is answered REJECTED with
 * {@code NOT_JUDGED}.
 */
public final class ModerationPipeline extends PollLoop {

    private static final long FENCE_RETRY_MS = 1000;
    /** How long partitions stay paused for a rejoin that does not come (it always should). */
    private static final long REJOIN_WAIT_MS = 10_000;

    private final Function<String, Producer<String, byte[]>> producers;
    private final String rawTopic;
    private final String filteredTopic;
    private final String deadLetterTopic;
    private final Moderator moderator;
    private final RecentVerdicts recentVerdicts;
    private final DepartedMembers departedMembers;
    /**
     * This member's writer; replaced when the member id changes (after this instance was dropped from the
     * group). Volatile: the hanging-transaction check reads its id from another thread.
     */
    private volatile VerdictWriter writer;
    /** Departed members' transactions still to fence: the last attempt could not reach Kafka. */
    private boolean departedToFence;
    private long nextFenceAttemptMs;
    /**
     * Set when a rebalance refused a batch's offsets: until this member has rejoined, a poll may still hand
     * it records of the old generation, whose transaction would be refused too. 0 when not waiting.
     */
    private long rejoinWaitEndsMs;
    private final AtomicInteger owned = new AtomicInteger();
    private volatile Runnable afterAssignment = () -> { };
    /** What batches not committed yet came to, by partition and offset: a batch judged again gets the same. */
    private final Map<TopicPartition, Map<Long, Judged>> uncommitted = new HashMap<>();
    /** Committed verdicts of recent sends, by partition, for retries of them. */
    private final Map<TopicPartition, SentBefore> sentBefore = new HashMap<>();
    private final Counter judged;
    private final Counter undecodable;
    private final Counter notJudged;
    private final Counter aborted;
    private final Counter fenced;
    private final Counter departedFenced;
    private final Counter repeated;
    private final VerdictCounters verdicts;
    private final Timer commitLatency;
    private final Timer processingLatency;

    /**
     * @param producers makes a transactional producer with the given transactional id
     * @param recentVerdicts what the previous owners of a partition this instance takes over committed lately
     * @param departedMembers fences what members that left the group left open
     */
    public ModerationPipeline(Consumer<String, byte[]> consumer, Function<String, Producer<String, byte[]>> producers,
            String rawTopic, String filteredTopic, String deadLetterTopic, Moderator moderator, RecentVerdicts recentVerdicts,
            DepartedMembers departedMembers, MeterRegistry meters) {
        super("moderation-pipeline", consumer);
        this.producers = producers;
        this.rawTopic = rawTopic;
        this.filteredTopic = filteredTopic;
        this.deadLetterTopic = deadLetterTopic;
        this.moderator = moderator;
        this.recentVerdicts = recentVerdicts;
        this.departedMembers = departedMembers;
        this.judged = meters.counter("danmaku_filter_judged_total");
        this.undecodable = meters.counter("danmaku_filter_dead_letters_total", "cause", "undecodable");
        this.notJudged = meters.counter("danmaku_filter_dead_letters_total", "cause", "not_judged");
        this.aborted = meters.counter("danmaku_filter_transactions_aborted_total");
        this.fenced = meters.counter("danmaku_filter_writer_fenced_total");
        this.departedFenced = meters.counter("danmaku_filter_departed_fenced_total");
        this.repeated = meters.counter("danmaku_filter_retries_repeated_total");
        meters.gauge("danmaku_filter_partitions_owned", owned);
        this.verdicts = new VerdictCounters(meters);
        this.commitLatency = Timer.builder("danmaku_filter_transaction_commit_seconds")
                .description("Time to send the offsets and commit one poll's transaction")
                .publishPercentileHistogram().register(meters);
        this.processingLatency = Timer.builder("danmaku_filter_processing_seconds")
                .description("From the gateway's accept of a danmaku to the commit of its verdict")
                .publishPercentileHistogram().register(meters);
    }

    @Override
    protected void onStart() {
        consumer.subscribe(List.of(rawTopic), new Rebalance());
    }

    /** Before each poll: reopens a writer that lost its producer, and fences departed members not fenced yet. */
    @Override
    protected boolean beforePoll() {
        if (writer != null && !writer.ready() && writer.open() && rejoinWaitEndsMs == 0) {
            consumer.resume(consumer.assignment());
        }
        if (rejoinWaitEndsMs != 0 && System.currentTimeMillis() >= rejoinWaitEndsMs) {
            log.warn("No rebalance followed the refused offsets within {} ms; judging again", REJOIN_WAIT_MS);
            endRejoinWait();
        }
        if (departedToFence && System.currentTimeMillis() >= nextFenceAttemptMs) {
            fenceDeparted();
        }
        return true;
    }

    @Override
    protected void handle(ConsumerRecords<String, byte[]> records) {
        if (records.isEmpty()) {
            return;
        }
        if (writer == null || !writer.ready()) {
            // read again once the writer is open
            rewind(records.partitions(), partition -> records.records(partition).get(0).offset());
            consumer.pause(records.partitions());
            return;
        }
        Map<TopicPartition, List<Written>> batches = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> nextOffsets = new HashMap<>();
        Map<TopicPartition, Long> firstOffsets = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<String, byte[]>> inPartition = records.records(partition);
            firstOffsets.put(partition, inPartition.get(0).offset());
            nextOffsets.put(partition, new OffsetAndMetadata(inPartition.get(inPartition.size() - 1).offset() + 1));
        }
        // with the whole group metadata: the coordinator refuses the offsets of a member that has left the group
        VerdictWriter.Outcome outcome = writer.publish(out -> judgeInto(records, batches, out), nextOffsets,
                consumer.groupMetadata(), () -> !closing(), nanos -> commitLatency.record(nanos, TimeUnit.NANOSECONDS));
        switch (outcome) {
            case COMMITTED -> {
                judged.increment(records.count());
                batches.forEach(this::committed);
            }
            case ABORTED -> {
                aborted.increment();
                rewind(records.partitions(), firstOffsets::get);
                if (!writer.ready()) {
                    consumer.pause(records.partitions());
                }
            }
            case GROUP_MOVED -> {
                aborted.increment();
                rewind(records.partitions(), firstOffsets::get);
                consumer.pause(consumer.assignment());
                rejoinWaitEndsMs = System.currentTimeMillis() + REJOIN_WAIT_MS;
            }
            case FENCED -> {
                // a new owner of this member's partitions saw it leave the group (a pause, a cut): the next poll
                // says what it owns now, and the writer is reopened before the next batch
                fenced.increment();
                rewind(records.partitions(), firstOffsets::get);
                consumer.pause(records.partitions());
            }
        }
    }

    /**
     * Judges a poll's records partition by partition, handing each verdict (and dead letter) to {@code out}
     * as soon as it is judged; {@code batches} gets each partition's verdicts.
     */
    private void judgeInto(ConsumerRecords<String, byte[]> records, Map<TopicPartition, List<Written>> batches,
            java.util.function.Consumer<ProducerRecord<String, byte[]>> out) {
        for (TopicPartition partition : records.partitions()) {
            List<Written> batch = new ArrayList<>(records.records(partition).size());
            judge(partition, records.records(partition), judgedRecord -> {
                JudgedDanmaku verdict = judgedRecord.verdict();
                if (verdict != null) {
                    byte[] event = SentBefore.encode(verdict);
                    batch.add(new Written(verdict, event));
                    out.accept(new ProducerRecord<>(filteredTopic, verdict.getDanmaku().getRoomId(), event));
                }
                if (judgedRecord.deadLetter() != null) {
                    out.accept(judgedRecord.deadLetter());
                }
            });
            batches.put(partition, batch);
        }
    }

    private void endRejoinWait() {
        rejoinWaitEndsMs = 0;
        if (writer != null && writer.ready()) {
            consumer.resume(consumer.assignment());
        }
    }

    private void rewind(Collection<TopicPartition> partitions, Function<TopicPartition, Long> firstOffsets) {
        for (TopicPartition partition : partitions) {
            consumer.seek(partition, firstOffsets.apply(partition));
        }
    }

    /**
     * Runs {@code task} after each assignment of new partitions, after the attempt to fence departed
     * members (which may have to be tried again); it must not block (hand the work to another thread).
     */
    public void afterEachAssignment(Runnable task) {
        this.afterAssignment = task;
    }

    /** Fencing of departed members through the admin client, each call waiting at most {@code timeout}. */
    public static DepartedMembers departedMembers(Admin admin, String groupId, Duration timeout) {
        return new DepartedMembers(DepartedMembers.through(admin, timeout), groupId);
    }

    /** The transactional id this instance writes under now (null before it joined the group); read from any thread. */
    public String ownTransactionalId() {
        VerdictWriter current = writer;
        return current == null ? null : current.transactionalId();
    }

    /** True when a transaction under this id may be aborted by this instance: its own, or a departed member's. */
    public boolean oursToAbort(String transactionalId) throws Exception {
        return transactionalId.equals(ownTransactionalId()) || departedMembers.departed(transactionalId);
    }

    /**
     * What one raw record came to: its verdict (none when it could not be decoded), and the record for
     * the dead-letter topic when it could not be decoded or judged.
     */
    private record Judged(JudgedDanmaku verdict, ProducerRecord<String, byte[]> deadLetter) {
    }

    /** A verdict of the open transaction, and the event it was written as. */
    private record Written(JudgedDanmaku verdict, byte[] event) {
    }

    /**
     * Judges a partition's records in order, handing each to {@code each} as it is judged and reusing
     * what an aborted attempt came to; a copy of a send judged before (a retry, or a first send that
     * arrives after its retry) gets that send's verdict again.
     */
    private void judge(TopicPartition partition, List<ConsumerRecord<String, byte[]>> records,
            java.util.function.Consumer<Judged> each) {
        Map<Long, Judged> earlier = uncommitted.computeIfAbsent(partition,
                p -> new HashMap<>(records.size() * 4 / 3 + 1)); // no rehashing while the batch is judged
        SentBefore committed = sentBefore.computeIfAbsent(partition, p -> new SentBefore());
        committed.expire(System.currentTimeMillis());
        SentBefore.InBatch inBatch = new SentBefore.InBatch();
        for (ConsumerRecord<String, byte[]> record : records) {
            Judged judgedRecord = earlier.get(record.offset());
            if (judgedRecord == null) {
                judgedRecord = judgeOne(record, inBatch, committed);
                earlier.put(record.offset(), judgedRecord);
            }
            if (judgedRecord.verdict() != null) {
                inBatch.judged(judgedRecord.verdict());
            }
            each.accept(judgedRecord);
        }
    }

    private Judged judgeOne(ConsumerRecord<String, byte[]> record, SentBefore.InBatch inBatch, SentBefore committed) {
        RawDanmaku raw;
        try {
            raw = RawDanmaku.parseFrom(record.value());
        } catch (InvalidProtocolBufferException | NullPointerException e) {
            undecodable.increment();
            log.warn("Sent an undecodable record at {}-{}@{} to {}", record.topic(), record.partition(), record.offset(),
                    deadLetterTopic);
            return new Judged(null, deadLetter(record, "undecodable: " + e.getMessage()));
        }
        try {
            JudgedDanmaku earlier = inBatch.earlierOf(raw);
            if (earlier == null) {
                earlier = committed.earlierOf(raw);
            }
            return new Judged(SentBefore.repeats(raw, earlier) ? SentBefore.repeatOf(earlier, raw) : moderator.judge(raw), null);
        } catch (RuntimeException | StackOverflowError e) {
            notJudged.increment();
            log.error("Could not judge the record at {}-{}@{}; it is answered NOT_JUDGED and kept in {}", record.topic(),
                    record.partition(), record.offset(), deadLetterTopic, e);
            return new Judged(Moderator.notJudged(raw), deadLetter(record, e.toString()));
        }
    }

    /** The raw record as it came, with where it came from and why it is here. */
    private ProducerRecord<String, byte[]> deadLetter(ConsumerRecord<String, byte[]> record, String cause) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(DeadLetters.SOURCE, (record.topic() + "-" + record.partition() + "@" + record.offset())
                .getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetters.CAUSE, DeadLetters.bounded(cause).getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(deadLetterTopic, null, record.key(), record.value(), headers);
    }

    private void committed(TopicPartition partition, List<Written> batch) {
        uncommitted.remove(partition);
        long nowMs = System.currentTimeMillis();
        SentBefore sent = sentBefore.computeIfAbsent(partition, p -> new SentBefore());
        for (Written written : batch) {
            JudgedDanmaku verdict = written.verdict();
            sent.remember(verdict, written.event(), nowMs);
            if (verdict.getRepeat()) {
                repeated.increment();
                continue;
            }
            verdicts.count(verdict);
            long sentAtMs = verdict.getDanmaku().getSentAtMs();
            if (sentAtMs > 0 && sentAtMs <= nowMs) {
                processingLatency.record(nowMs - sentAtMs, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Writes under this member's own transactional id, opening a new writer when the member id changed. */
    private void followMemberId() {
        String id = DepartedMembers.transactionalId(consumer.groupMetadata().groupId(), consumer.groupMetadata().memberId());
        if (writer != null && writer.transactionalId().equals(id)) {
            return;
        }
        if (writer != null) {
            writer.close();
        }
        writer = new VerdictWriter(id, producers);
        log.info("Writing under transactional id {}", id);
    }

    private void fenceDeparted() {
        try {
            departedFenced.increment(departedMembers.fence(ownTransactionalId()).size());
            departedToFence = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // the readers wait for their transaction timeout at worst; try again in a second
            departedToFence = true;
            nextFenceAttemptMs = System.currentTimeMillis() + FENCE_RETRY_MS;
            log.warn("Could not fence the transactions of members that left the group, trying again: {}", e.toString());
        }
    }

    /** So that a retry of a send the previous owner judged gets that verdict again, not a second showing. */
    private void rememberRecent(List<TopicPartition> opened) {
        if (opened.isEmpty()) {
            return;
        }
        long since = System.currentTimeMillis() - SentBefore.MAX_AGE_MILLIS;
        for (RecentVerdicts.Recent recent : recentVerdicts.since(opened, since)) {
            sentBefore.computeIfAbsent(recent.rawPartition(), p -> new SentBefore())
                    .remember(recent.verdict(), recent.writtenAtMillis());
        }
    }

    /**
     * @param lost whether this instance was dropped from the group: a lost partition often comes back to it
     *     (a broker restart forgot the member), and its aborted batch must then get the verdicts it had,
     *     not be charged to the send limits a second time; what another member took over is forgotten at
     *     the next assignment
     */
    private void release(Collection<TopicPartition> partitions, boolean lost) {
        for (TopicPartition partition : partitions) {
            if (!lost) {
                uncommitted.remove(partition);
            }
            sentBefore.remove(partition);
        }
        owned.set((int) consumer.assignment().stream().filter(partition -> !partitions.contains(partition)).count());
    }

    /** Runs inside poll(), between batches, so no transaction is open while partitions move. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            owned.set(consumer.assignment().size());
            uncommitted.keySet().retainAll(consumer.assignment());
            // called after every rebalance (cooperative protocol), with or without new partitions
            if (rejoinWaitEndsMs != 0) {
                endRejoinWait();
            }
            if (partitions.isEmpty()) {
                return;
            }
            followMemberId();
            // before the first batch: its previous owner may have left a transaction open on these partitions
            fenceDeparted();
            if (!writer.ready() && !writer.open()) {
                consumer.pause(partitions);
            }
            rememberRecent(List.copyOf(partitions));
            afterAssignment.run();
            log.info("Assigned {}; judging {} raw partitions", partitions, consumer.assignment().size());
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            release(partitions, false);
            if (!partitions.isEmpty()) {
                log.info("Revoked {}", partitions);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            release(partitions, true);
            log.warn("Lost {} (this instance left the group); their new owners fence what was open", partitions);
        }
    }

    @Override
    protected void onStop() {
        if (writer != null) {
            writer.close();
        }
        recentVerdicts.close();
    }
}
