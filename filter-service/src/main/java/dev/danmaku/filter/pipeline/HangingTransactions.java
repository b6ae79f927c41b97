package dev.danmaku.filter.pipeline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TransactionalIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and aborts the hanging transactions of this instance's partition writers: a transaction
 * still open on a partition long after it timed out, while its coordinator no longer counts that
 * partition in it — so no marker will ever close it. Every read_committed reader of the partition
 * (gateways, archiver) stops at it, and behind a hanging offset commit the group cannot fetch the raw
 * partition's offset, so the partition is never judged again. Kafka leaves such a transaction to an
 * operator ({@code kafka-transactions.sh find-hanging}, then {@code abort}); a broker restarted in the
 * middle of a commit has left one behind. This does the same, for this instance's own transactional
 * id and those of members that left the group, so recovery needs nobody.
 */
public final class HangingTransactions implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(HangingTransactions.class);
    private static final String TRANSACTION_VERSION = "transaction.version";

    /** A transaction a partition's log holds open. */
    public record OpenTransaction(TopicPartition partition, long producerId, short producerEpoch, int coordinatorEpoch,
            long startOffset, long lastWrittenMs) {
    }

    /** What the check asks of Kafka; the admin client in production. */
    public interface Cluster {
        /** The topic's partition count; 0 when it does not exist (yet). */
        int partitionCount(String topic) throws Exception;

        /** Of these partitions, those whose last stable offset is behind their end. */
        List<TopicPartition> unstable(List<TopicPartition> partitions) throws Exception;

        List<OpenTransaction> openTransactions(List<TopicPartition> partitions) throws Exception;

        /** Transactional ids by producer id, for those the coordinators know. */
        Map<Long, String> transactionalIds(Set<Long> producerIds) throws Exception;

        /** The partitions the coordinator still counts in the id's transaction; empty when it knows no such id. */
        Optional<Set<TopicPartition>> pendingPartitions(String transactionalId) throws Exception;

        void abort(OpenTransaction transaction) throws Exception;
    }

    /** Whose hanging transactions this instance may abort. */
    public interface Ownership {
        boolean oursToAbort(String transactionalId) throws Exception;
    }

    private final Cluster cluster;
    private final String filteredTopic;
    private final String groupId;
    private final Ownership ownership;
    private final long staleAfterMs;
    private final LongSupplier clock;
    private final Counter aborted;
    /** The refusal last said at WARN, so a check refused every few seconds says it once. */
    private String refusalSaid;

    /**
     * @param filteredTopic and the offsets partition of {@code groupId}: where this instance's transactions write
     * @param staleAfterMs how long after its last write an open transaction is surely past its
     *     coordinator's own timeout and abort
     */
    public HangingTransactions(Cluster cluster, String filteredTopic, String groupId,
            Ownership ownership, long staleAfterMs, LongSupplier clock, MeterRegistry meters) {
        this.cluster = cluster;
        this.filteredTopic = filteredTopic;
        this.groupId = groupId;
        this.ownership = ownership;
        this.staleAfterMs = staleAfterMs;
        this.clock = clock;
        this.aborted = meters.counter("danmaku_filter_hanging_transactions_aborted_total");
    }

    /** One check; never throws, so a scheduler runs it again next time. */
    @Override
    public void run() {
        try {
            abortHanging();
            refusalSaid = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            if (refusedByAcl(e)) {
                // the brokers will refuse it again until an operator grants the right: say it where it is seen
                if (!e.toString().equals(refusalSaid)) {
                    refusalSaid = e.toString();
                    log.warn("The hanging-transaction check is refused ({}); grant the filter what docs/operations.md"
                            + " lists for it (Describe and Read on __consumer_offsets, Describe on its transactional ids)", e.toString());
                }
                return;
            }
            // the brokers may be away; the next check tries again
            log.debug("Could not check for hanging transactions: {}", e.toString());
        }
    }

    private static boolean refusedByAcl(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof org.apache.kafka.common.errors.AuthorizationException) {
                return true;
            }
        }
        return false;
    }

    private List<TopicPartition> watched() throws Exception {
        List<TopicPartition> watched = new ArrayList<>();
        for (int p = 0; p < cluster.partitionCount(filteredTopic); p++) {
            watched.add(new TopicPartition(filteredTopic, p));
        }
        int offsetPartitions = cluster.partitionCount(Topic.GROUP_METADATA_TOPIC_NAME);
        if (offsetPartitions > 0) {
            // where the group coordinator keeps the group's offsets
            watched.add(new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, Utils.abs(groupId.hashCode()) % offsetPartitions));
        }
        return watched;
    }

    /** Aborts what hangs; returns what it aborted. */
    List<OpenTransaction> abortHanging() throws Exception {
        List<TopicPartition> unstable = cluster.unstable(watched());
        if (unstable.isEmpty()) {
            return List.of();
        }
        long now = clock.getAsLong();
        List<OpenTransaction> stale = cluster.openTransactions(unstable).stream()
                .filter(open -> now - open.lastWrittenMs() > staleAfterMs).toList();
        if (stale.isEmpty()) {
            return List.of();
        }
        Map<Long, String> ids = cluster.transactionalIds(stale.stream().map(OpenTransaction::producerId)
                .collect(Collectors.toCollection(HashSet::new)));
        List<OpenTransaction> abortedNow = new ArrayList<>();
        for (OpenTransaction open : stale) {
            String id = ids.get(open.producerId());
            // another instance's, or another application's: not ours to touch
            if (id == null || !ownership.oursToAbort(id)) {
                continue;
            }
            Optional<Set<TopicPartition>> pending = cluster.pendingPartitions(id);
            // the coordinator will still write this partition's marker
            if (pending.isPresent() && pending.get().contains(open.partition())) {
                continue;
            }
            log.warn("Aborting a hanging transaction of {} on {} (producer {} epoch {}, open since offset {}, last written {} ms"
                    + " ago): its coordinator no longer counts the partition in it", id, open.partition(), open.producerId(),
                    open.producerEpoch(), open.startOffset(), now - open.lastWrittenMs());
            cluster.abort(open);
            aborted.increment();
            abortedNow.add(open);
        }
        return abortedNow;
    }

    /**
     * How old an open transaction must be before it may be taken for hanging. With transaction version 2
     * every commit bumps the producer's epoch, so an abort sent for a transaction whose marker has just
     * been written is refused by the partition, and the transaction timeout suffices; with version 1 a
     * transaction past its timeout may still commit until its coordinator's next sweep, so twice that.
     */
    public static long hangingAfterMs(Admin admin, long transactionTimeoutMs, Duration wait) {
        int version = 0;
        try {
            var feature = admin.describeFeatures().featureMetadata().get(wait.toMillis(), TimeUnit.MILLISECONDS)
                    .finalizedFeatures().get(TRANSACTION_VERSION);
            version = feature == null ? 0 : feature.maxVersionLevel();
        } catch (ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
            log.info("Could not read the brokers' {} ({}); taking transactions for hanging only after twice their"
                    + " timeout", TRANSACTION_VERSION, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return version >= 2 ? transactionTimeoutMs : 2 * transactionTimeoutMs;
    }

    /** {@link Cluster} through the admin client; each call waits at most {@code timeout}. */
    public static Cluster through(Admin admin, Duration timeout) {
        long waitMs = timeout.toMillis();
        return new Cluster() {
            @Override
            public int partitionCount(String topic) throws Exception {
                try {
                    return admin.describeTopics(List.of(topic)).allTopicNames().get(waitMs, TimeUnit.MILLISECONDS)
                            .get(topic).partitions().size();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                        return 0;
                    }
                    throw e;
                }
            }

            @Override
            public List<TopicPartition> unstable(List<TopicPartition> partitions) throws Exception {
                Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
                partitions.forEach(partition -> latest.put(partition, OffsetSpec.latest()));
                var ends = admin.listOffsets(latest).all().get(waitMs, TimeUnit.MILLISECONDS);
                var stable = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                        .get(waitMs, TimeUnit.MILLISECONDS);
                return partitions.stream().filter(p -> stable.get(p).offset() < ends.get(p).offset()).toList();
            }

            @Override
            public List<OpenTransaction> openTransactions(List<TopicPartition> partitions) throws Exception {
                List<OpenTransaction> open = new ArrayList<>();
                admin.describeProducers(partitions).all().get(waitMs, TimeUnit.MILLISECONDS).forEach((partition, state) ->
                        state.activeProducers().stream().filter(p -> p.currentTransactionStartOffset().isPresent())
                                .forEach(p -> open.add(new OpenTransaction(partition, p.producerId(), (short) p.producerEpoch(),
                                        p.coordinatorEpoch().orElse(0), p.currentTransactionStartOffset().getAsLong(),
                                        p.lastTimestamp()))));
                return open;
            }

            @Override
            public Map<Long, String> transactionalIds(Set<Long> producerIds) throws Exception {
                Map<Long, String> ids = new HashMap<>();
                for (TransactionListing listing : admin.listTransactions(new ListTransactionsOptions()
                        .filterProducerIds(producerIds)).all().get(waitMs, TimeUnit.MILLISECONDS)) {
                    ids.put(listing.producerId(), listing.transactionalId());
                }
                return ids;
            }

            @Override
            public Optional<Set<TopicPartition>> pendingPartitions(String transactionalId) throws Exception {
                try {
                    return Optional.of(admin.describeTransactions(List.of(transactionalId)).description(transactionalId)
                            .get(waitMs, TimeUnit.MILLISECONDS).topicPartitions());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof TransactionalIdNotFoundException) {
                        return Optional.empty();
                    }
                    throw e;
                }
            }

            @Override
            public void abort(OpenTransaction open) throws Exception {
                admin.abortTransaction(new AbortTransactionSpec(open.partition(), open.producerId(), open.producerEpoch(),
                        open.coordinatorEpoch())).all().get(waitMs, TimeUnit.MILLISECONDS);
            }
        };
    }
}
