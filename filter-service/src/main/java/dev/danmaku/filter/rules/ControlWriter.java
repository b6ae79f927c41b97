package dev.danmaku.filter.rules;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.danmaku.proto.v1.AuditEntry;
import dev.danmaku.proto.v1.ControlRecord;

/**
 * Writes a moderation change to danmaku.control.v1 and its audit entry to danmaku.audit.v1 in one
 * transaction (both or neither), then waits until this instance's {@link ControlLog} and
 * {@link AuditLog} have applied them, so an API answer means "in force here, and in the audit log"
 * (other instances follow within a poll). One change at a time: a transactional producer has one
 * transaction open at most.
 */
public final class ControlWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ControlWriter.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Supplier<Producer<String, byte[]>> producers;
    private final String controlTopic;
    private final ControlLog controlLog;
    private final String auditTopic;
    private final AuditLog auditLog;
    private Producer<String, byte[]> producer;

    /** {@code producers} makes a transactional producer with its transactions initialised. */
    public ControlWriter(Supplier<Producer<String, byte[]>> producers, String controlTopic, ControlLog controlLog,
            String auditTopic, AuditLog auditLog) {
        this.producers = producers;
        this.controlTopic = controlTopic;
        this.controlLog = controlLog;
        this.auditTopic = auditTopic;
        this.auditLog = auditLog;
    }

    /**
     * Writes the records in order (a null value is a tombstone that deletes its key) and the entry that
     * audits them, then waits once until both are applied here: bulk imports stay fast.
     */
    public synchronized void write(List<Map.Entry<String, ControlRecord>> changes, AuditEntry audit)
            throws ControlWriteException {
        List<Future<RecordMetadata>> sent = new ArrayList<>(changes.size());
        Future<RecordMetadata> audited;
        boolean committing = false;
        try {
            if (producer == null) {
                producer = producers.get();
            }
            producer.beginTransaction();
            for (Map.Entry<String, ControlRecord> change : changes) {
                ControlRecord value = change.getValue();
                sent.add(producer.send(new ProducerRecord<>(controlTopic, change.getKey(),
                        value == null ? null : value.toByteArray())));
            }
            audited = producer.send(new ProducerRecord<>(auditTopic, audit.getId(), audit.toByteArray()));
            committing = true;
            producer.commitTransaction();
        } catch (KafkaException e) {
            abandon(e);
            throw new ControlWriteException(committing
                    ? "the change was not confirmed (" + e.getMessage() + "); it may be in force: look before trying again"
                    : "the change was not stored: " + e.getMessage());
        }
        awaitApplied(sent.isEmpty() ? null : sent.get(sent.size() - 1), audited);
    }

    /** After a failed transaction: aborted, or, when the producer cannot go on, a new one next time. */
    private void abandon(KafkaException cause) {
        if (producer == null) {
            return;
        }
        try {
            producer.abortTransaction();
        } catch (KafkaException | IllegalStateException e) {
            log.warn("A moderation change failed ({}) and its producer cannot go on; the next change opens a new one",
                    cause.toString());
            producer.close(Duration.ZERO);
            producer = null;
        }
    }

    private void awaitApplied(Future<RecordMetadata> lastChange, Future<RecordMetadata> audit)
            throws ControlWriteException {
        try {
            RecordMetadata change = lastChange == null ? null : lastChange.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            RecordMetadata audited = audit.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (change != null && !controlLog.awaitApplied(change.partition(), change.offset(), TIMEOUT)
                    || !auditLog.awaitApplied(audited.partition(), audited.offset(), TIMEOUT)) {
                throw new ControlWriteException("the change is stored but not yet applied by this instance");
            }
        } catch (ExecutionException | TimeoutException e) {
            // committed, so every send was acknowledged; this is only reached if the client broke that promise
            throw new ControlWriteException("the change is stored but its place in the topic is unknown: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControlWriteException("interrupted while waiting for the change to apply");
        }
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** A change that could not be stored or applied; the API answers 503. */
    public static final class ControlWriteException extends Exception {
        public ControlWriteException(String message) {
            super(message);
        }
    }
}
