package dev.danmaku.filter.pipeline;

import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongConsumer;

import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transactions of this instance: one transactional producer whose id belongs to this instance's
 * membership of the filter group ({@link DepartedMembers#transactionalId}). Each transaction carries
 * one poll's verdicts and the raw offsets they answer, committed with the consumer's group metadata,
 * so the group coordinator refuses the offsets of a member that has left the group (a zombie woken
 * after a pause) and its transaction cannot commit.
 *
 * <p>Errors are sorted the way the producer contract asks: a commit that timed out is committed
 * again, and so is a transaction whose offsets timed out; a fence means this producer was superseded
 * (a new owner of its partitions fenced a member it saw leave, or the producer was replaced) and the
 * batch is judged again with a new producer; authorization, authentication and version errors are
 * fatal; anything else aborts the transaction (or, when even the abort fails, replaces the producer,
 * whose {@code initTransactions()} aborts it) and the batch is judged again.
 */
final class VerdictWriter implements AutoCloseable {

    enum Outcome {
        /** The verdicts and the offset are committed. */
        COMMITTED,
        /** Nothing of the batch is visible: judge it again from its first offset. */
        ABORTED,
        /** This producer was fenced: nothing of the batch is visible; judge it again with a new producer. */
        FENCED,
        /**
         * The group refused the batch's offsets (its generation moved on as a rebalance began, or the
         * coordinator no longer knows the member) and it was aborted: judge it again once the member has rejoined.
         */
        GROUP_MOVED
    }

    private static final Logger log = LoggerFactory.getLogger(VerdictWriter.class);

    private final String transactionalId;
    private final Function<String, Producer<String, byte[]>> producers;
    private Producer<String, byte[]> producer;
    private boolean ready;

    VerdictWriter(String transactionalId, Function<String, Producer<String, byte[]>> producers) {
        this.transactionalId = transactionalId;
        this.producers = producers;
    }

    String transactionalId() {
        return transactionalId;
    }

    /** True once the producer is initialised and may publish. */
    boolean ready() {
        return ready;
    }

    /**
     * Initialises the producer, which aborts whatever an earlier producer with this id left open; false
     * when Kafka did not answer in time (call again).
     */
    boolean open() {
        if (ready) {
            return true;
        }
        try {
            if (producer == null) {
                producer = producers.apply(transactionalId);
            }
            producer.initTransactions();
            ready = true;
            return true;
        } catch (TimeoutException e) {
            // the contract allows calling initTransactions() again after a timeout
            log.warn("{}: initialising the producer timed out, trying again: {}", transactionalId, e.getMessage());
            return false;
        } catch (AuthorizationException | AuthenticationException | UnsupportedVersionException e) {
            throw e;
        } catch (KafkaException e) {
            log.warn("{}: could not open the transactional producer, trying again: {}", transactionalId, e.getMessage());
            discardProducer();
            return false;
        }
    }

    /** Makes one transaction's records, handing each to {@code out} as soon as it is made. */
    @FunctionalInterface
    interface Batch {
        void writeTo(Consumer<ProducerRecord<String, byte[]>> out);
    }

    /**
     * Publishes one poll's verdicts and the raw partitions' next offsets in one transaction. Each record
     * goes to the producer as soon as the batch makes it, so the producer ships the first while the rest
     * are judged. Blocks until the transaction is committed or aborted; a commit that times out is
     * retried while {@code keepTrying}.
     *
     * @param commitNanos told how long sending the offsets and committing took, once committed
     */
    Outcome publish(Batch batch, Map<TopicPartition, OffsetAndMetadata> nextOffsets, ConsumerGroupMetadata group,
            BooleanSupplier keepTrying, LongConsumer commitNanos) {
        try {
            producer.beginTransaction();
            batch.writeTo(producer::send);
            long committing = System.nanoTime();
            sendOffsets(nextOffsets, group);
            commit(keepTrying);
            commitNanos.accept(System.nanoTime() - committing);
            return Outcome.COMMITTED;
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            log.warn("{}: fenced ({}); the batch will be judged again", transactionalId, e.getMessage());
            discardProducer();
            return Outcome.FENCED;
        } catch (AuthorizationException | AuthenticationException | UnsupportedVersionException e) {
            throw e;
        } catch (KafkaException e) {
            if (!abort()) {
                log.warn("{}: fenced (found aborting after: {}); the batch will be judged again", transactionalId,
                        e.getMessage());
                return Outcome.FENCED;
            }
            log.warn("{}: transaction aborted, the batch will be judged again: {}", transactionalId, e.getMessage());
            return refusedForGeneration(e) ? Outcome.GROUP_MOVED : Outcome.ABORTED;
        } catch (RuntimeException e) {
            // a fault of ours while making the batch: nothing of it stays open to pin the readers
            abort();
            throw e;
        }
    }

    private static boolean refusedForGeneration(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof CommitFailedException) {
                return true;
            }
        }
        return false;
    }

    private void sendOffsets(Map<TopicPartition, OffsetAndMetadata> nextOffsets, ConsumerGroupMetadata group) {
        try {
            producer.sendOffsetsToTransaction(nextOffsets, group);
        } catch (TimeoutException e) {
            // The offsets stay queued (a killed group coordinator is being replaced) and the producer sends its
            // commit only after them, failing it if they fail: committing waits for the new coordinator, where
            // aborting would wait for it too and then judge the batch again. This rests on the producer's
            // internals (kafka-clients 4.3: one transactional request at a time, by priority, EndTxn after
            // TxnOffsetCommit; an abortable error fails the queued EndTxn), not on its documented contract.
            log.warn("{}: sending the offsets timed out, committing after them: {}", transactionalId, e.getMessage());
        }
    }

    private void commit(BooleanSupplier keepTrying) {
        while (true) {
            try {
                producer.commitTransaction();
                return;
            } catch (TimeoutException e) {
                // the producer contract: a commit that timed out is retried, never aborted
                if (!keepTrying.getAsBoolean()) {
                    throw e;
                }
                log.warn("{}: commit timed out, committing again: {}", transactionalId, e.getMessage());
            }
        }
    }

    /** Aborts the open transaction; false when the abort finds the producer fenced. */
    private boolean abort() {
        try {
            producer.abortTransaction();
            return true;
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            discardProducer();
            return false;
        } catch (RuntimeException e) {
            // a new producer with the same transactional id aborts what this one left open
            log.warn("{}: abort failed, replacing the producer: {}", transactionalId, e.getMessage());
            discardProducer();
            return true;
        }
    }

    private void discardProducer() {
        ready = false;
        if (producer != null) {
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException e) {
                log.debug("{}: closing a discarded producer failed", transactionalId, e);
            }
            producer = null;
        }
    }

    @Override
    public void close() {
        discardProducer();
    }
}
