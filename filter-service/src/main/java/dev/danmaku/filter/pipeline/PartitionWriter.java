package dev.danmaku.filter.pipeline;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

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
 * The transactions of one raw partition. Its transactional id belongs to the partition, not to the
 * instance: whoever is assigned the partition calls {@code initTransactions()} with that id, which
 * fences the previous owner (dead, paused or cut off) and aborts its open transaction at once, so
 * readers of danmaku.filtered.v1 and the new owner's offset fetch never wait for a transaction
 * timeout.
 *
 * <p>Errors are sorted the way the producer contract asks: a commit that timed out is committed
 * again; a fence means another instance owns the partition now; authorization, authentication and
 * version errors are fatal; anything else aborts the transaction (or, when even the abort fails,
 * replaces the producer, whose {@code initTransactions()} aborts it) and the batch is judged again,
 * unless the abort finds the producer fenced: then the partition is another instance's.
 */
final class PartitionWriter implements AutoCloseable {

    enum Outcome {
        /** The verdicts and the offset are committed. */
        COMMITTED,
        /** Nothing of the batch is visible: judge it again from its first offset. */
        ABORTED,
        /** Another instance writes this partition now: this one must stop writing it. */
        FENCED
    }

    private static final Logger log = LoggerFactory.getLogger(PartitionWriter.class);

    private final TopicPartition partition;
    private final Supplier<Producer<String, byte[]>> producers;
    private Producer<String, byte[]> producer;
    private boolean ready;

    PartitionWriter(TopicPartition partition, Supplier<Producer<String, byte[]>> producers) {
        this.partition = partition;
        this.producers = producers;
    }

    /** The transactional id of a raw partition's writer, the same on every instance. */
    static String transactionalId(TopicPartition partition) {
        return "danmaku-filter." + partition.topic() + "." + partition.partition();
    }

    TopicPartition partition() {
        return partition;
    }

    /** True once this writer has fenced the partition's previous writer and may publish. */
    boolean ready() {
        return ready;
    }

    /**
     * Fences the partition's previous writer, aborting its open transaction; false when Kafka did not
     * answer in time (call again). Thread-safe with respect to other writers.
     */
    boolean open() {
        if (ready) {
            return true;
        }
        try {
            if (producer == null) {
                producer = producers.get();
            }
            producer.initTransactions();
            ready = true;
            return true;
        } catch (TimeoutException e) {
            // the contract allows calling initTransactions() again after a timeout
            log.warn("Partition {}: fencing its previous writer timed out, trying again: {}", partition, e.getMessage());
            return false;
        } catch (AuthorizationException | AuthenticationException | UnsupportedVersionException e) {
            throw e;
        } catch (KafkaException e) {
            log.warn("Partition {}: could not open its transactional producer, trying again: {}", partition, e.getMessage());
            discardProducer();
            return false;
        }
    }

    /**
     * Publishes one batch's verdicts and the partition's next offset in one transaction. Blocks until
     * the transaction is committed or aborted; a commit that times out is retried while {@code keepTrying}.
     */
    Outcome publish(List<ProducerRecord<String, byte[]>> records, long nextOffset, ConsumerGroupMetadata group,
            BooleanSupplier keepTrying) {
        try {
            producer.beginTransaction();
            for (ProducerRecord<String, byte[]> record : records) {
                producer.send(record);
            }
            producer.sendOffsetsToTransaction(Map.of(partition, new OffsetAndMetadata(nextOffset)), group);
            commit(keepTrying);
            return Outcome.COMMITTED;
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            log.info("Partition {}: another instance has taken it over ({})", partition, e.getMessage());
            discardProducer();
            return Outcome.FENCED;
        } catch (AuthorizationException | AuthenticationException | UnsupportedVersionException e) {
            throw e;
        } catch (KafkaException e) {
            if (!abort()) {
                log.info("Partition {}: another instance has taken it over (found aborting: {})", partition, e.getMessage());
                return Outcome.FENCED;
            }
            log.warn("Partition {}: transaction aborted, the batch will be judged again: {}", partition, e.getMessage());
            return Outcome.ABORTED;
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
                log.warn("Partition {}: commit timed out, committing again: {}", partition, e.getMessage());
            }
        }
    }

    /**
     * Aborts the open transaction; false when the abort finds the producer fenced. A fenced writer must
     * not come back with a new producer: its {@code initTransactions()} would fence the partition's new
     * owner, and this instance, not yet told it left the group, would commit the batch a second time.
     */
    private boolean abort() {
        try {
            producer.abortTransaction();
            return true;
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            discardProducer();
            return false;
        } catch (RuntimeException e) {
            // a new producer with the same transactional id aborts what this one left open
            log.warn("Partition {}: abort failed, replacing the producer: {}", partition, e.getMessage());
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
                log.debug("Partition {}: closing a discarded producer failed", partition, e);
            }
            producer = null;
        }
    }

    @Override
    public void close() {
        discardProducer();
    }
}
