package dev.danmaku.gateway.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.RawDanmaku;

class RawPublisherTest {

    /** A producer whose send blocks until released, as KafkaProducer's does for max.block.ms while Kafka is away. */
    static final class StuckProducer extends MockProducer<String, byte[]> {
        final CountDownLatch released = new CountDownLatch(1);

        StuckProducer() {
            super(true, null, new StringSerializer(), new ByteArraySerializer());
        }

        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<String, byte[]> record, Callback callback) {
            try {
                released.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return super.send(record, callback);
        }
    }

    private static RawDanmaku raw(int n) {
        return RawDanmaku.newBuilder().setDanmaku(Danmaku.newBuilder().setMsgId("m" + n).setRoomId("r")).build();
    }

    @Test
    void aBlockedProducerNeverHoldsTheCallerAndAFullQueueFailsAtOnce() {
        StuckProducer producer = new StuckProducer();
        RawPublisher publisher = new RawPublisher(producer, "raw", "gw");
        List<Exception> failures = new CopyOnWriteArrayList<>();
        // one send in the producer, the queue full behind it: every call returns at once
        for (int n = 0; n <= RawPublisher.QUEUE; n++) {
            publisher.publish(raw(n), failures::add);
        }
        assertThat(failures).isEmpty();
        publisher.publish(raw(-1), failures::add);
        assertThat(failures).hasSize(1);
        assertThat(failures.get(0)).hasMessageContaining("wait for Kafka");

        producer.released.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() == RawPublisher.QUEUE + 1);
        assertThat(producer.history().get(0).value()).isEqualTo(raw(0).toByteArray());
        assertThat(producer.history().get(RawPublisher.QUEUE).value()).as("in order").isEqualTo(raw(RawPublisher.QUEUE).toByteArray());
        publisher.close();
    }
}
