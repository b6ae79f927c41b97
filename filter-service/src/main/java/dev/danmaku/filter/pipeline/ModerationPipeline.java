package dev.danmaku.filter.pipeline;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.google.protobuf.InvalidProtocolBufferException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;

import dev.danmaku.common.kafka.PollLoop;
import dev.danmaku.filter.moderation.Moderator;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.RawDanmaku;
import dev.danmaku.proto.v1.RoomEvent;

/**
 * Exactly-once read-process-write: each poll's raw danmaku are judged and their verdicts published
 * to danmaku.filtered.v1 together with the consumed offsets, in one transaction per raw partition
 * ({@link PartitionWriter}), the partitions' transactions committed side by side.
 *
 * <p>Failover: the group is cooperative, so a rebalance moves only the partitions that change owner;
 * the new owner of a partition fences its previous writer before judging anything. An aborted
 * transaction rewinds its partition, and the batch is judged again with the verdicts it had: the send
 * limits are not charged twice and a viewer who saw a verdict before the abort sees the same one after.
 *
 * <p>A record that cannot be decoded or judged does not stop the pipeline: it goes to the dead-letter
 * topic in the same transaction, and when it names a send, that send is answered REJECTED with
 * {@code NOT_JUDGED}.
 */
public final class ModerationPipeline extends PollLoop {

    private final Function<TopicPartition, Producer<String, byte[]>> producers;
    private final String rawTopic;
    private final String filteredTopic;
    private final String deadLetterTopic;
    private final Moderator moderator;
    private final RecentVerdicts recentVerdicts;
    private final ExecutorService committers;
    private final Map<TopicPartition, PartitionWriter> writers = new HashMap<>();
    /** Partitions another instance fenced this one out of: not reopened until a rebalance says they are ours. */
    private final Set<TopicPartition> fencedOut = new HashSet<>();
    private final AtomicInteger owned = new AtomicInteger();
    private volatile Set<String> ownedTransactionalIds = Set.of();
    /** What batches not committed yet came to, by partition and offset: a batch judged again gets the same. */
    private final Map<TopicPartition, Map<Long, Judged>> uncommitted = new HashMap<>();
    /** Committed verdicts of recent sends, by partition, for retries of them. */
    private final Map<TopicPartition, SentBefore> sentBefore = new HashMap<>();
    private final Counter judged;
    private final Counter undecodable;
    private final Counter notJudged;
    private final Counter aborted;
    private final Counter fenced;
    private final Counter repeated;
    private final VerdictCounters verdicts;
    private final Timer commitLatency;
    private final Timer processingLatency;

    /**
     * @param producers makes the transactional producer of a raw partition, with
     *     {@link #transactionalId} as its transactional id
     * @param recentVerdicts what the previous owners of a partition this instance takes over committed lately
     */
    public ModerationPipeline(Consumer<String, byte[]> consumer, Function<TopicPartition, Producer<String, byte[]>> producers,
            String rawTopic, String filteredTopic, String deadLetterTopic, Moderator moderator, RecentVerdicts recentVerdicts,
            MeterRegistry meters) {
        super("moderation-pipeline", consumer);
        this.producers = producers;
        this.rawTopic = rawTopic;
        this.filteredTopic = filteredTopic;
        this.deadLetterTopic = deadLetterTopic;
        this.moderator = moderator;
        this.recentVerdicts = recentVerdicts;
        this.committers = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "moderation-commit");
            thread.setDaemon(true);
            return thread;
        });
        this.judged = meters.counter("danmaku_filter_judged_total");
        this.undecodable = meters.counter("danmaku_filter_dead_letters_total", "cause", "undecodable");
        this.notJudged = meters.counter("danmaku_filter_dead_letters_total", "cause", "not_judged");
        this.aborted = meters.counter("danmaku_filter_transactions_aborted_total");
        this.fenced = meters.counter("danmaku_filter_partitions_fenced_total");
        this.repeated = meters.counter("danmaku_filter_retries_repeated_total");
        meters.gauge("danmaku_filter_partitions_owned", owned);
        this.verdicts = new VerdictCounters(meters);
        this.commitLatency = Timer.builder("danmaku_filter_transaction_commit_seconds")
                .description("Time to send the offsets and commit one partition's transaction")
                .publishPercentileHistogram().register(meters);
        this.processingLatency = Timer.builder("danmaku_filter_processing_seconds")
                .description("From the gateway's accept of a danmaku to the commit of its verdict")
                .publishPercentileHistogram().register(meters);
    }

    /** The transactional id of a raw partition's writer: the same on every instance, so a new owner fences the old one. */
    public static String transactionalId(TopicPartition rawPartition) {
        return PartitionWriter.transactionalId(rawPartition);
    }

    @Override
    protected void onStart() {
        consumer.subscribe(List.of(rawTopic), new Rebalance());
    }

    /** Partitions whose writer is not ready yet are paused; try to open them before each poll. */
    @Override
    protected boolean beforePoll() {
        List<PartitionWriter> waiting = writers.values().stream()
                .filter(w -> !w.ready() && !fencedOut.contains(w.partition())).toList();
        if (!waiting.isEmpty()) {
            open(waiting);
        }
        return true;
    }

    @Override
    protected void handle(ConsumerRecords<String, byte[]> records) {
        if (records.isEmpty()) {
            return;
        }
        // the group id alone, without the generation: a partition's own transactional id already fences its
        // previous owner, and a generation would fail every commit while any rebalance is in progress
        ConsumerGroupMetadata group = new ConsumerGroupMetadata(consumer.groupMetadata().groupId());
        List<CompletableFuture<Published>> publishing = new ArrayList<>();
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<String, byte[]>> inPartition = records.records(partition);
            PartitionWriter writer = writerOf(partition);
            if (!writer.ready()) {
                // read it again once its writer is open
                consumer.seek(partition, inPartition.get(0).offset());
                consumer.pause(List.of(partition));
                continue;
            }
            List<Judged> judgedRecords = judge(partition, inPartition);
            List<JudgedDanmaku> batch = new ArrayList<>(judgedRecords.size());
            List<ProducerRecord<String, byte[]>> out = new ArrayList<>(judgedRecords.size());
            for (Judged judgedRecord : judgedRecords) {
                JudgedDanmaku verdict = judgedRecord.verdict();
                if (verdict != null) {
                    batch.add(verdict);
                    out.add(new ProducerRecord<>(filteredTopic, verdict.getDanmaku().getRoomId(),
                            RoomEvent.newBuilder().setDanmaku(verdict).build().toByteArray()));
                }
                if (judgedRecord.deadLetter() != null) {
                    out.add(judgedRecord.deadLetter());
                }
            }
            long firstOffset = inPartition.get(0).offset();
            long nextOffset = inPartition.get(inPartition.size() - 1).offset() + 1;
            publishing.add(CompletableFuture.supplyAsync(() -> {
                long started = System.nanoTime();
                PartitionWriter.Outcome outcome = writer.publish(out, nextOffset, group, () -> !closing());
                commitLatency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                return new Published(writer, batch, inPartition.size(), firstOffset, outcome);
            }, committers));
        }
        for (CompletableFuture<Published> future : publishing) {
            try {
                settle(future.join());
            } catch (CompletionException e) {
                // fatal (authorization, version): the loop stops and /readyz reports it
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
        }
    }

    private PartitionWriter writerOf(TopicPartition partition) {
        PartitionWriter writer = writers.get(partition);
        if (writer == null) {
            writer = new PartitionWriter(partition, () -> producers.apply(partition));
            writers.put(partition, writer);
            ownedChanged();
        }
        return writer;
    }

    private void ownedChanged() {
        owned.set(writers.size());
        ownedTransactionalIds = writers.keySet().stream().map(PartitionWriter::transactionalId)
                .collect(Collectors.toUnmodifiableSet());
    }

    /** The transactional ids of the raw partitions this instance writes now; read from any thread. */
    public Set<String> ownedTransactionalIds() {
        return ownedTransactionalIds;
    }

    private record Published(PartitionWriter writer, List<JudgedDanmaku> batch, int records, long firstOffset,
            PartitionWriter.Outcome outcome) {
    }

    /**
     * What one raw record came to: its verdict (none when it could not be decoded), and the record for
     * the dead-letter topic when it could not be decoded or judged.
     */
    private record Judged(JudgedDanmaku verdict, ProducerRecord<String, byte[]> deadLetter) {
    }

    /**
     * Judges a partition's records, reusing what an aborted attempt came to; a copy of a send judged
     * before (a retry, or a first send that arrives after its retry) gets that send's verdict again.
     */
    private List<Judged> judge(TopicPartition partition, List<ConsumerRecord<String, byte[]>> records) {
        Map<Long, Judged> earlier = uncommitted.computeIfAbsent(partition, p -> new HashMap<>());
        SentBefore committed = sentBefore.computeIfAbsent(partition, p -> new SentBefore());
        Map<String, JudgedDanmaku> firstsInBatch = new HashMap<>();
        long nowMs = System.currentTimeMillis();
        List<Judged> batch = new ArrayList<>(records.size());
        for (ConsumerRecord<String, byte[]> record : records) {
            Judged judgedRecord = earlier.get(record.offset());
            if (judgedRecord == null) {
                judgedRecord = judgeOne(record, firstsInBatch, committed, nowMs);
                earlier.put(record.offset(), judgedRecord);
            }
            JudgedDanmaku verdict = judgedRecord.verdict();
            if (verdict != null && !verdict.getRepeat() && !verdict.getOrigin().getClientMsgId().isEmpty()) {
                firstsInBatch.putIfAbsent(SentBefore.key(verdict.getDanmaku().getUserId(),
                        verdict.getOrigin().getClientMsgId()), verdict);
            }
            batch.add(judgedRecord);
        }
        return batch;
    }

    private Judged judgeOne(ConsumerRecord<String, byte[]> record, Map<String, JudgedDanmaku> firstsInBatch,
            SentBefore committed, long nowMs) {
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
            JudgedDanmaku earlier = firstsInBatch.getOrDefault(
                    SentBefore.key(raw.getDanmaku().getUserId(), raw.getOrigin().getClientMsgId()), committed.earlierOf(raw, nowMs));
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

    private void settle(Published published) {
        TopicPartition partition = published.writer().partition();
        switch (published.outcome()) {
            case COMMITTED -> {
                uncommitted.remove(partition);
                judged.increment(published.records());
                long nowMs = System.currentTimeMillis();
                SentBefore sent = sentBefore.computeIfAbsent(partition, p -> new SentBefore());
                for (JudgedDanmaku verdict : published.batch()) {
                    sent.remember(verdict, nowMs);
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
            case ABORTED -> {
                aborted.increment();
                consumer.seek(partition, published.firstOffset());
                if (!published.writer().ready()) {
                    consumer.pause(List.of(partition));
                }
            }
            case FENCED -> {
                // another instance took the partition while this one was paused or cut off: stop writing it
                // and let the group tell this instance what it owns now
                fenced.increment();
                fencedOut.add(partition);
                consumer.seek(partition, published.firstOffset());
                consumer.pause(List.of(partition));
                consumer.enforceRebalance("partition " + partition + " was fenced by another instance");
            }
        }
    }

    /**
     * Opens writers side by side (each fences its partition's previous writer), learns what the previous
     * owners of those that opened judged lately, and resumes them.
     */
    private void open(Collection<PartitionWriter> toOpen) {
        List<CompletableFuture<PartitionWriter>> opening = toOpen.stream()
                .map(writer -> CompletableFuture.supplyAsync(() -> writer.open() ? writer : null, committers))
                .toList();
        List<TopicPartition> opened = new ArrayList<>();
        for (CompletableFuture<PartitionWriter> future : opening) {
            try {
                PartitionWriter writer = future.join();
                if (writer != null) {
                    opened.add(writer.partition());
                }
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
        }
        rememberRecent(opened);
        consumer.resume(opened);
        if (opened.size() < toOpen.size()) {
            log.warn("{} of {} partitions are waiting for their transactional producer", toOpen.size() - opened.size(),
                    toOpen.size());
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

    private void release(Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            PartitionWriter writer = writers.remove(partition);
            if (writer != null) {
                writer.close();
            }
            uncommitted.remove(partition);
            sentBefore.remove(partition);
            fencedOut.remove(partition);
        }
        ownedChanged();
    }

    /** Runs inside poll(), between batches, so no transaction is open while partitions move. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            partitions.forEach(ModerationPipeline.this::writerOf);
            // a partition fenced earlier and still ours is reopened: the group says this instance owns it
            Set<TopicPartition> assigned = consumer.assignment();
            fencedOut.clear();
            List<PartitionWriter> toOpen = writers.values().stream()
                    .filter(w -> !w.ready() && assigned.contains(w.partition())).toList();
            if (toOpen.isEmpty()) {
                return;
            }
            consumer.pause(toOpen.stream().map(PartitionWriter::partition).toList());
            open(toOpen);
            log.info("Assigned {}; writing {} raw partitions", partitions, writers.size());
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            release(partitions);
            if (!partitions.isEmpty()) {
                log.info("Revoked {}", partitions);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            release(partitions);
            log.warn("Lost {} (this instance left the group); their new owners fence what was open", partitions);
        }
    }

    @Override
    protected void onStop() {
        release(List.copyOf(writers.keySet()));
        committers.shutdownNow();
        recentVerdicts.close();
    }
}
