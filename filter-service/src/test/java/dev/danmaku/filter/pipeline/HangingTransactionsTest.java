package dev.danmaku.filter.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import dev.danmaku.filter.pipeline.HangingTransactions.OpenTransaction;

class HangingTransactionsTest {

    static final String FILTERED = "danmaku.filtered.v1";
    static final String GROUP = "danmaku-filter";
    static final String OURS = "danmaku-filter.danmaku-filter-a-1f2e";
    static final TopicPartition FILTERED_0 = new TopicPartition(FILTERED, 0);
    static final TopicPartition OFFSETS = new TopicPartition("__consumer_offsets", Utils.abs(GROUP.hashCode()) % 50);
    static final long NOW = 1_000_000;
    static final long STALE_AFTER = 20_000;

    final FakeCluster cluster = new FakeCluster();
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    /** This instance's own id and those of departed members: the ids it may abort. */
    Set<String> ours = Set.of(OURS);
    final HangingTransactions check = new HangingTransactions(cluster, FILTERED, GROUP, id -> ours.contains(id), STALE_AFTER,
            () -> NOW, meters);

    @Test
    void aStaleTransactionItsCoordinatorNoLongerCountsIsAbortedOnTheFilteredTopicAndTheGroupsOffsets() throws Exception {
        OpenTransaction verdicts = cluster.open(FILTERED_0, 7, NOW - 30_000);
        OpenTransaction offsets = cluster.open(OFFSETS, 7, NOW - 30_000);
        cluster.ids.put(7L, OURS);
        cluster.pending.put(OURS, Set.of()); // complete, as far as the coordinator knows

        assertThat(check.abortHanging()).containsExactly(verdicts, offsets);
        assertThat(cluster.aborted).containsExactly(verdicts, offsets);
        assertThat(meters.counter("danmaku_filter_hanging_transactions_aborted_total").count()).isEqualTo(2);
        assertThat(cluster.askedUnstable).contains(FILTERED_0, new TopicPartition(FILTERED, 5), OFFSETS).hasSize(7);
    }

    @Test
    void aTransactionIdTheCoordinatorNoLongerKnowsIsHangingToo() throws Exception {
        OpenTransaction verdicts = cluster.open(FILTERED_0, 7, NOW - 30_000);
        cluster.ids.put(7L, OURS);

        assertThat(check.abortHanging()).containsExactly(verdicts);
    }

    @Test
    void aPartitionTheCoordinatorStillCountsIsLeftToItsMarkers() throws Exception {
        cluster.open(FILTERED_0, 7, NOW - 30_000);
        cluster.ids.put(7L, OURS);
        cluster.pending.put(OURS, Set.of(FILTERED_0));

        assertThat(check.abortHanging()).isEmpty();
        assertThat(cluster.aborted).isEmpty();
    }

    @Test
    void aRecentTransactionIsNotStale() throws Exception {
        cluster.open(FILTERED_0, 7, NOW - 5_000);
        cluster.ids.put(7L, OURS);
        cluster.pending.put(OURS, Set.of());

        assertThat(check.abortHanging()).isEmpty();
    }

    @Test
    void anotherInstancesOrAnotherApplicationsTransactionIsNotTouched() throws Exception {
        cluster.open(FILTERED_0, 7, NOW - 30_000);
        cluster.open(OFFSETS, 8, NOW - 30_000);
        cluster.ids.put(7L, "danmaku-filter.danmaku-filter-b-9c4d"); // a member still in the group
        cluster.pending.put("danmaku-filter.danmaku-filter-b-9c4d", Set.of());
        // producer 8: an id no coordinator knows

        assertThat(check.abortHanging()).isEmpty();
    }

    @Test
    void aTransactionThatIsNotOursToAbortIsLeftAlone() throws Exception {
        ours = Set.of();
        cluster.open(FILTERED_0, 7, NOW - 30_000);
        cluster.ids.put(7L, OURS);
        cluster.pending.put(OURS, Set.of());

        assertThat(check.abortHanging()).isEmpty();
        assertThat(cluster.aborted).isEmpty();
    }

    @Test
    void unreachableBrokersAreTriedAgainNextTime() {
        cluster.down = true;
        check.run(); // does not throw
        cluster.down = false;
        OpenTransaction verdicts = cluster.open(FILTERED_0, 7, NOW - 30_000);
        cluster.ids.put(7L, OURS);
        check.run();
        assertThat(cluster.aborted).containsExactly(verdicts);
    }

    /** Kafka as the admin client would describe it; a partition is unstable while a transaction is open on it. */
    @Test
    void aCheckRefusedForWantOfARightSaysSoOnceAsAWarningAndAgainAfterItWorkedOnce() {
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        Logger logger = (Logger) LoggerFactory.getLogger(HangingTransactions.class);
        logger.addAppender(logged);
        try {
            cluster.refusal = new TopicAuthorizationException(Set.of("__consumer_offsets"));
            check.run();
            check.run();
            cluster.refusal = null;
            cluster.down = true;
            check.run(); // brokers away: not an operator's business
            cluster.down = false;
            check.run();
            cluster.refusal = new TopicAuthorizationException(Set.of("__consumer_offsets"));
            check.run();
        } finally {
            logger.detachAppender(logged);
        }
        assertThat(logged.list).filteredOn(event -> event.getLevel() == Level.WARN)
                .extracting(ILoggingEvent::getFormattedMessage).hasSize(2)
                .allSatisfy(message -> assertThat(message).contains("__consumer_offsets").contains("docs/operations.md"));
    }

    static final class FakeCluster implements HangingTransactions.Cluster {
        final List<OpenTransaction> open = new ArrayList<>();
        final Map<Long, String> ids = new HashMap<>();
        final Map<String, Set<TopicPartition>> pending = new HashMap<>();
        final List<OpenTransaction> aborted = new ArrayList<>();
        final List<TopicPartition> askedUnstable = new ArrayList<>();
        boolean down;
        /** What the brokers answer every call with, when set. */
        RuntimeException refusal;

        OpenTransaction open(TopicPartition partition, long producerId, long lastWrittenMs) {
            OpenTransaction transaction = new OpenTransaction(partition, producerId, (short) 3, 1, 100, lastWrittenMs);
            open.add(transaction);
            return transaction;
        }

        @Override
        public int partitionCount(String topic) {
            failIfDown();
            return topic.equals(FILTERED) ? 6 : 50;
        }

        @Override
        public List<TopicPartition> unstable(List<TopicPartition> partitions) {
            failIfDown();
            askedUnstable.addAll(partitions);
            return partitions.stream().filter(p -> open.stream().anyMatch(t -> t.partition().equals(p))).toList();
        }

        @Override
        public List<OpenTransaction> openTransactions(List<TopicPartition> partitions) {
            return open.stream().filter(t -> partitions.contains(t.partition())).toList();
        }

        @Override
        public Map<Long, String> transactionalIds(Set<Long> producerIds) {
            Map<Long, String> known = new HashMap<>(ids);
            known.keySet().retainAll(producerIds);
            return known;
        }

        @Override
        public Optional<Set<TopicPartition>> pendingPartitions(String transactionalId) {
            return Optional.ofNullable(pending.get(transactionalId));
        }

        @Override
        public void abort(OpenTransaction transaction) {
            aborted.add(transaction);
            open.remove(transaction);
        }

        private void failIfDown() {
            if (refusal != null) {
                throw refusal;
            }
            if (down) {
                throw new org.apache.kafka.common.errors.TimeoutException("no broker");
            }
        }
    }
}
