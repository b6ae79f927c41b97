package dev.danmaku.filter.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import dev.danmaku.proto.v1.AuditEntry;
import dev.danmaku.proto.v1.ControlRecord;
import dev.danmaku.proto.v1.KeywordRule;

class ControlWriterTest {

    private final List<MockProducer<String, byte[]>> made = new ArrayList<>();
    private final AuditTrail trail = new AuditTrail();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ControlLog controlLog = new ControlLog(new MockConsumer<>("earliest"), "control", List.of(), trail, meters);
    private final AuditLog auditLog = new AuditLog(new MockConsumer<>("earliest"), "audit", trail, meters);

    private static final List<Map.Entry<String, ControlRecord>> A_RULE = List.of(Map.entry(ControlKeys.rule("r1"),
            ControlRecord.newBuilder().setRule(KeywordRule.newBuilder().setId("r1").setPattern("darn")).build()));
    private static final AuditEntry ITS_AUDIT = AuditEntry.newBuilder().setId("a1").setAction("rule.create").build();

    private MockProducer<String, byte[]> transactional() {
        MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        producer.initTransactions();
        made.add(producer);
        return producer;
    }

    private ControlWriter writer(Supplier<Producer<String, byte[]>> producers) {
        return new ControlWriter(producers, "control", controlLog, "audit", auditLog);
    }

    @Test
    void aChangeWhoseCommitIsRefusedIsNotConfirmedAndTheNextChangeGetsANewProducer() {
        ControlWriter writer = writer(() -> {
            MockProducer<String, byte[]> producer = transactional();
            if (made.size() == 1) {
                // another instance took over this transactional id
                producer.commitTransactionException = new ProducerFencedException("fenced");
                producer.abortTransactionException = new ProducerFencedException("fenced");
            } else {
                producer.commitTransactionException = new TimeoutException("no answer");
            }
            return producer;
        });

        assertThatThrownBy(() -> writer.write(A_RULE, ITS_AUDIT)).isInstanceOf(ControlWriter.ControlWriteException.class)
                .hasMessageContaining("not confirmed").hasMessageContaining("may be in force");
        assertThat(made.get(0).closed()).as("a fenced producer cannot go on").isTrue();

        assertThatThrownBy(() -> writer.write(A_RULE, ITS_AUDIT)).isInstanceOf(ControlWriter.ControlWriteException.class);
        assertThat(made).hasSize(2);
    }

    @Test
    void aChangeThatCannotStartIsNotStoredAndIsTriedAgainWithTheNextChange() {
        List<Integer> attempts = new ArrayList<>();
        ControlWriter writer = writer(() -> {
            attempts.add(attempts.size());
            throw new TimeoutException("Timeout expired after 5000ms while awaiting InitProducerId");
        });

        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> writer.write(A_RULE, ITS_AUDIT)).isInstanceOf(ControlWriter.ControlWriteException.class)
                    .hasMessageContaining("not stored").hasMessageContaining("InitProducerId");
        }
        assertThat(attempts).hasSize(2);
    }
}
