package dev.danmaku.gateway.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

import dev.danmaku.proto.v1.RawDanmaku;

/**
 * Publishes what viewers send to danmaku.raw.v1, keyed by room, from a thread of its own: the
 * producer's {@code send} blocks for up to {@code max.block.ms} while Kafka is away, and the I/O
 * threads that call this serve every connection and its answer deadlines. Sends wait in a bounded
 * queue; one that finds it full fails at once.
 */
public final class RawPublisher implements AutoCloseable {

    /** How long a send may take, retries included, before the sender is told it failed. */
    public static final Map<String, Object> BOUNDED_DELIVERY = Map.of(
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000,
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
            ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);

    /** Sends waiting for the publishing thread; ten seconds of a busy gateway's input. */
    static final int QUEUE = 20_000;

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final ThreadPoolExecutor sender;

    public RawPublisher(Producer<String, byte[]> producer, String topic, String gatewayId) {
        this.producer = producer;
        this.topic = topic;
        this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), task -> {
            Thread thread = new Thread(task, "raw-publisher-" + gatewayId);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Sends asynchronously and in order; {@code onFailure} runs on another thread if the broker never took it. */
    public void publish(RawDanmaku raw, Consumer<Exception> onFailure) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, raw.getDanmaku().getRoomId(), raw.toByteArray());
        try {
            sender.execute(() -> {
                try {
                    producer.send(record, (metadata, error) -> {
                        if (error != null) {
                            onFailure.accept(error);
                        }
                    });
                } catch (RuntimeException e) {
                    onFailure.accept(e);
                }
            });
        } catch (RejectedExecutionException e) {
            onFailure.accept(new IllegalStateException(QUEUE + " sends already wait for Kafka", e));
        }
    }

    /** Publishes what is still queued and unsent (no accepted danmaku is lost on a clean shutdown) and closes. */
    @Override
    public void close() {
        sender.shutdown();
        try {
            sender.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.flush();
        producer.close(Duration.ofSeconds(5));
    }
}
