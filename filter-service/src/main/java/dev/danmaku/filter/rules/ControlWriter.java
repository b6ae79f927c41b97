package dev.danmaku.filter.rules;

import java.time.Duration;
import java.util.AbstractMap.SimpleEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import dev.danmaku.proto.v1.ControlRecord;

/**
 * Writes rule changes to danmaku.control.v1 and waits until this instance's {@link ControlLog} has
 * applied them, so an API answer means "in force here" (other instances follow within a poll).
 */
public final class ControlWriter implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final ControlLog log;

    public ControlWriter(Producer<String, byte[]> producer, String topic, ControlLog log) {
        this.producer = producer;
        this.topic = topic;
        this.log = log;
    }

    /** Writes a record; {@code value} null writes a tombstone that deletes the key. */
    public void write(String key, ControlRecord value) throws ControlWriteException {
        writeAll(List.of(new SimpleEntry<>(key, value)));
    }

    /** Writes records in order, then waits once until the last is applied: bulk imports stay fast. */
    public void writeAll(List<Map.Entry<String, ControlRecord>> records) throws ControlWriteException {
        List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
        for (Map.Entry<String, ControlRecord> record : records) {
            ControlRecord value = record.getValue();
            sent.add(producer.send(new ProducerRecord<>(topic, record.getKey(), value == null ? null : value.toByteArray())));
        }
        RecordMetadata last = null;
        try {
            for (Future<RecordMetadata> future : sent) {
                last = future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (ExecutionException e) {
            throw new ControlWriteException("the control topic did not take the change: " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new ControlWriteException("the control topic did not answer within " + TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControlWriteException("interrupted while writing the change");
        }
        if (last == null) {
            return;
        }
        try {
            if (!log.awaitApplied(last.partition(), last.offset(), TIMEOUT)) {
                throw new ControlWriteException("the change is stored but not yet applied by this instance");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControlWriteException("interrupted while waiting for the change to apply");
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }

    /** A change that could not be stored or applied; the API answers 503. */
    public static final class ControlWriteException extends Exception {
        public ControlWriteException(String message) {
            super(message);
        }
    }
}
