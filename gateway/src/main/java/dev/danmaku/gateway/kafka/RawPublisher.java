package dev.danmaku.gateway.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

import dev.danmaku.proto.v1.RawDanmaku;

/** Publishes what viewers send to danmaku.raw.v1, keyed by room. */
public final class RawPublisher implements AutoCloseable {

    /** How long a send may take, retries included, before the sender is told it failed. */
    public static final Map<String, Object> BOUNDED_DELIVERY = Map.of(
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000,
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
            ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);

    private final Producer<String, byte[]> producer;
    private final String topic;

    public RawPublisher(Producer<String, byte[]> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    /** Sends asynchronously; {@code onFailure} runs on the producer's thread if the broker never took it. */
    public void publish(RawDanmaku raw, Consumer<Exception> onFailure) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, raw.getDanmaku().getRoomId(), raw.toByteArray());
        try {
            producer.send(record, (metadata, error) -> {
                if (error != null) {
                    onFailure.accept(error);
                }
            });
        } catch (RuntimeException e) {
            onFailure.accept(e);
        }
    }

    /** Flushes what is still unsent (no accepted danmaku is lost on a clean shutdown) and closes. */
    @Override
    public void close() {
        producer.flush();
        producer.close(Duration.ofSeconds(5));
    }
}
