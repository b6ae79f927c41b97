package dev.danmaku.gateway.handover;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gateway that stops hearing from Kafka while another gateway still hears it hands its viewers
 * over: it closes them with 1001, so they reconnect to another gateway and resume after the last
 * danmaku they saw, and refuses new ones until it hears Kafka again. While no gateway hears Kafka (the
 * broker is restarting) there is nowhere better to go: viewers stay, and see their rooms again as soon
 * as the broker is back. Either way the gateway reports not ready while it hears nothing.
 *
 * <p>"Still hears it" means without a break since before this gateway's silence began: when a
 * restarted broker comes back, the gateway that reconnects first has heard it for less time than
 * the others have been silent, so they wait the second it takes them instead of all handing their
 * viewers to it. A peer that has heard Kafka for {@link #ODD_ONE_OUT} silence limits while this
 * gateway hears nothing is taken too (it may have started after the silence began).
 */
public final class FeedHandover implements AutoCloseable {

    /** The other gateways, asked how long they have heard Kafka. */
    public interface Peers {
        /** The longest time, in milliseconds, any ready peer has heard Kafka without a break; -1 if none hears it. */
        CompletableFuture<Long> longestHeardMillis();
    }

    enum State { HEARD, LOST, HANDED_OVER }

    private static final Logger log = LoggerFactory.getLogger(FeedHandover.class);
    /** A quarter of a second: the check adds at most that to the silence limit before viewers move. */
    private static final Duration CHECK_INTERVAL = Duration.ofMillis(250);
    static final int ODD_ONE_OUT = 3;

    private final LongUnaryOperator silentNanos;
    private final long lostAfterNanos;
    private final Peers peers;
    private final Runnable handOver;
    private final Counter handovers;
    private final ScheduledExecutorService checks;
    private volatile State state = State.HEARD;
    private volatile long heardSinceNanos; // when the current stretch without a break began; -1 in a break
    private CompletableFuture<Long> asking; // only the checking thread touches it
    private boolean askedAhead; // in the current silence; only the checking thread touches it

    /**
     * @param silentNanos how long Kafka has been silent, given the time now
     * @param handOver closes every viewer with 1001
     */
    public FeedHandover(LongUnaryOperator silentNanos, Duration lostAfter, Peers peers, Runnable handOver,
            String gatewayId, MeterRegistry meters) {
        this.silentNanos = silentNanos;
        this.lostAfterNanos = lostAfter.toNanos();
        this.peers = peers;
        this.handOver = handOver;
        this.handovers = meters.counter("danmaku_gateway_handovers_total", "gateway", gatewayId);
        this.heardSinceNanos = System.nanoTime();
        this.checks = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "feed-handover-" + gatewayId);
            thread.setDaemon(true);
            return thread;
        });
    }

    public void start() {
        long every = CHECK_INTERVAL.toMillis();
        checks.scheduleWithFixedDelay(() -> {
            try {
                check(System.nanoTime());
            } catch (RuntimeException e) {
                log.warn("Could not check the link to Kafka: {}", e.toString());
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    /** One look at the link; runs on the checking thread (tests call it directly). */
    void check(long nowNanos) {
        long silent = silentNanos.applyAsLong(nowNanos);
        // a break is a silence far longer than the fetch answers' usual spacing (500 ms)
        if (silent >= lostAfterNanos / 2) {
            heardSinceNanos = -1;
        } else if (heardSinceNanos < 0) {
            heardSinceNanos = nowNanos - silent;
        }
        if (silent < lostAfterNanos) {
            if (silent < lostAfterNanos / 2) {
                askedAhead = false;
            } else if (state == State.HEARD && !askedAhead) {
                // the answer is not used: a first request loads the HTTP client and opens the connection, which
                // took 0.7-0.9 s on a busy two-core machine, so the question at the limit is answered at once
                askedAhead = true;
                peers.longestHeardMillis();
            }
            if (state != State.HEARD) {
                log.info("Hearing from Kafka again: ready for viewers");
                state = State.HEARD;
            }
            return;
        }
        if (state == State.HEARD) {
            log.warn("Nothing heard from Kafka for {} ms: not ready; asking the other gateways whether they hear it",
                    silent / 1_000_000);
            state = State.LOST;
        }
        if (state == State.LOST && (asking == null || asking.isDone())) {
            asking = peers.longestHeardMillis();
            asking.thenAccept(peerHeardMillis -> {
                if (peerHeardMillis >= 0) {
                    checks.execute(() -> handOverIfPeerHeardThroughout(peerHeardMillis, System.nanoTime()));
                }
            });
        }
    }

    /** Hands over if this gateway is still silent and the peer has heard Kafka all that time. */
    void handOverIfPeerHeardThroughout(long peerHeardMillis, long nowNanos) {
        long silentMillis = silentNanos.applyAsLong(nowNanos) / 1_000_000;
        long lostAfterMillis = lostAfterNanos / 1_000_000;
        if (peerHeardMillis < silentMillis && peerHeardMillis < ODD_ONE_OUT * lostAfterMillis) {
            return;
        }
        if (state == State.LOST && silentMillis >= lostAfterMillis) {
            state = State.HANDED_OVER;
            handovers.increment();
            log.warn("Another gateway has heard Kafka for {} ms, while this one heard nothing for {} ms: handing every"
                    + " viewer over", peerHeardMillis, silentMillis);
            handOver.run();
        }
    }

    /** How long this gateway has heard Kafka without a break, in milliseconds; -1 while it does not. */
    public long heardMillis(long nowNanos) {
        long since = heardSinceNanos;
        return state != State.HEARD || since < 0 ? -1 : (nowNanos - since) / 1_000_000;
    }

    /** False while Kafka is silent: /readyz says so, so a balancer sends new viewers elsewhere. */
    public boolean hearsKafka() {
        return state == State.HEARD;
    }

    /** True once the viewers were handed over, until Kafka is heard again: new ones are turned away. */
    public boolean handedOver() {
        return state == State.HANDED_OVER;
    }

    State state() {
        return state;
    }

    @Override
    public void close() {
        checks.shutdownNow();
    }
}
