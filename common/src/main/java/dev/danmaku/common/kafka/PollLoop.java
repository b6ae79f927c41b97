package dev.danmaku.common.kafka;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer on its own thread. Errors are sorted by kind: authorization, authentication and
 * version errors stop the loop (nothing will fix them by retrying); other Kafka errors are logged
 * and the loop goes on. Closing wakes the consumer and waits for the thread.
 */
public abstract class PollLoop implements AutoCloseable {

    private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
    private static final Duration IDLE_PAUSE = Duration.ofMillis(20);

    protected final Logger log = LoggerFactory.getLogger(getClass());
    protected final Consumer<String, byte[]> consumer;
    private final Thread thread;
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile boolean closing;
    private volatile Throwable failure;

    protected PollLoop(String threadName, Consumer<String, byte[]> consumer) {
        this.consumer = consumer;
        this.thread = new Thread(this::run, threadName);
    }

    /** Starts the thread and waits until {@link #onStart()} has run (subscribed or assigned). */
    public void start(Duration timeout) {
        thread.start();
        try {
            if (!started.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(thread.getName() + " did not start within " + timeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting " + thread.getName(), e);
        }
        if (failure != null) {
            throw new IllegalStateException(thread.getName() + " failed to start: " + failure.getMessage(), failure);
        }
    }

    /** How long {@link #partitionsOf} waits for a topic created a moment ago to appear in the metadata. */
    private static final Duration TOPIC_APPEARS_WITHIN = Duration.ofSeconds(30);

    /**
     * The topic's partitions. A topic created a moment ago (at start) may be known to the controller
     * before this client's broker lists it, and an empty list assigned would fail the first poll: wait
     * for it, up to 30 s.
     */
    protected List<TopicPartition> partitionsOf(String topic) {
        long deadline = System.nanoTime() + TOPIC_APPEARS_WITHIN.toNanos();
        while (true) {
            List<PartitionInfo> found = consumer.partitionsFor(topic);
            if (!found.isEmpty()) {
                return found.stream().map(info -> new TopicPartition(topic, info.partition())).toList();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topic " + topic + " has no partitions after "
                        + TOPIC_APPEARS_WITHIN.toSeconds() + " s");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for topic " + topic, e);
            }
        }
    }

    /** Subscribe or assign; runs on the loop's thread before the first poll. */
    protected abstract void onStart();

    /** Handles one poll's records; runs on the loop's thread. */
    protected abstract void handle(ConsumerRecords<String, byte[]> records);

    /**
     * Runs on the loop's thread before each poll, and after {@link #wakeUp()}; false skips the poll
     * (a consumer with nothing assigned must not poll).
     */
    protected boolean beforePoll() {
        return true;
    }

    /** Interrupts a waiting poll so {@link #beforePoll()} runs soon; callable from any thread. */
    protected void wakeUp() {
        consumer.wakeup();
    }

    /** Runs on the loop's thread after the last poll, before the consumer closes. */
    protected void onStop() {
    }

    /** True once {@link #close()} was called: long retries on other threads should give up. */
    protected boolean closing() {
        return closing;
    }

    public boolean running() {
        return thread.isAlive() && failure == null;
    }

    private void run() {
        try {
            onStart();
        } catch (RuntimeException e) {
            failure = e;
            started.countDown();
            consumer.close();
            return;
        }
        started.countDown();
        try {
            while (!closing) {
                try {
                    if (beforePoll()) {
                        handle(consumer.poll(POLL_TIMEOUT));
                    } else {
                        Thread.sleep(IDLE_PAUSE.toMillis());
                    }
                } catch (WakeupException e) {
                    // closing, or asked to run beforePoll() again
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (AuthorizationException | AuthenticationException | UnsupportedVersionException e) {
                    failure = e;
                    log.error("{} stopped: {}", thread.getName(), e.getMessage(), e);
                    return;
                } catch (KafkaException e) {
                    log.warn("{}: {} (continuing)", thread.getName(), e.getMessage(), e);
                }
            }
        } catch (RuntimeException e) {
            failure = e;
            log.error("{} stopped by an unexpected error", thread.getName(), e);
        } finally {
            try {
                onStop();
            } finally {
                consumer.close(Duration.ofSeconds(5));
            }
        }
    }

    @Override
    public void close() {
        closing = true;
        consumer.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(15));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
