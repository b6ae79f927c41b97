package dev.danmaku.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class OutboxTest {

    private static final int LIMIT = 100_000;
    private static final long TIMEOUT = 500_000_000L;
    private static final int FRAME = 10_000;

    /** A socket whose reader has stopped: it accepts writes and never completes them unless told. */
    private static final class StalledSocket implements Outbox.Transport {
        final List<ByteBuffer> written = new ArrayList<>();
        int closedTooSlow;

        @Override
        public void write(ByteBuffer bytes) {
            written.add(bytes);
        }

        @Override
        public void tooSlow() {
            closedTooSlow++;
        }
    }

    private final StalledSocket socket = new StalledSocket();
    private final ManualTimer timer = new ManualTimer();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final Outbox outbox = new Outbox(socket, timer, new SessionMetrics(meters, "gw"), OutboundBudget.unlimited(),
            LIMIT, TIMEOUT);

    private static ByteBuffer frame() {
        return ByteBuffer.allocate(FRAME);
    }

    private void burst(int frames) {
        for (int i = 0; i < frames; i++) {
            outbox.offer(frame(), true);
        }
    }

    /** The viewer reads everything: each completed write lets the next queued frame out. */
    private void drain() {
        while (!socket.written.isEmpty()) {
            outbox.written(socket.written.remove(0).capacity());
        }
    }

    private double dropped() {
        return meters.counter("danmaku_gateway_batches_dropped_total", "gateway", "gw").count();
    }

    @Test
    void aBurstThenSilenceClosesTheStalledViewerWhenTheDeadlinePasses() {
        burst(50);
        assertThat(dropped()).isPositive();
        assertThat(socket.closedTooSlow).isZero();

        timer.advance(TIMEOUT - 1);
        assertThat(socket.closedTooSlow).isZero();
        // nothing else is sent: the deadline alone decides
        timer.advance(1);
        assertThat(socket.closedTooSlow).isEqualTo(1);
    }

    @Test
    void aViewerThatCatchesUpBeforeTheDeadlineStays() {
        burst(50);
        timer.advance(TIMEOUT - 1);
        drain();
        assertThat(outbox.queuedBytes()).isZero();
        assertThat(timer.pending()).isZero();
        timer.advance(TIMEOUT * 10);
        assertThat(socket.closedTooSlow).isZero();
    }

    @Test
    void aDeadlineFromAnEarlierOverflowDoesNotCutAFreshOneShort() {
        burst(50);
        timer.advance(TIMEOUT / 2);
        drain();
        burst(50);
        timer.advance(TIMEOUT / 2 + 1);
        assertThat(socket.closedTooSlow).isZero();
        timer.advance(TIMEOUT / 2);
        assertThat(socket.closedTooSlow).isEqualTo(1);
    }

    @Test
    void repliesAreNeverDroppedAndRepliesAloneOverTheLimitAreTooSlowAtOnce() {
        burst(15);
        int replies = LIMIT / FRAME + 1;
        for (int i = 0; i < replies; i++) {
            outbox.offer(frame(), false);
        }
        assertThat(socket.closedTooSlow).isEqualTo(1);
        assertThat(outbox.queuedBytes()).isGreaterThan(LIMIT);
    }

    @Test
    void aShutOutboxTakesNothingAndItsDeadlineNeverFires() {
        burst(50);
        assertThat(outbox.shut()).isTrue();
        assertThat(outbox.shut()).isFalse();
        int before = socket.written.size();
        outbox.offer(frame(), false);
        assertThat(socket.written).hasSize(before);
        timer.advance(TIMEOUT * 2);
        assertThat(socket.closedTooSlow).isZero();
    }

    @Test
    void framesBeyondTheInFlightWindowWaitForWritesToComplete() {
        int window = Outbox.IN_FLIGHT_BYTES / FRAME + 1;
        burst(window + 3);
        assertThat(socket.written).hasSize(window);
        outbox.written(FRAME);
        assertThat(socket.written).hasSize(window + 1);
    }

    @Test
    void pastTheGatewaysBudgetAViewerThatIsBehindDropsItsBacklogAndGetsTheDeadlineWhileOnesThatKeepUpDoNot() {
        OutboundBudget budget = new OutboundBudget(LIMIT);
        StalledSocket slowSocket = new StalledSocket();
        StalledSocket otherSocket = new StalledSocket();
        StalledSocket fastSocket = new StalledSocket();
        SessionMetrics metrics = new SessionMetrics(meters, "gw");
        Outbox slow = new Outbox(slowSocket, timer, metrics, budget, LIMIT, TIMEOUT);
        Outbox other = new Outbox(otherSocket, timer, metrics, budget, LIMIT, TIMEOUT);
        Outbox fast = new Outbox(fastSocket, timer, metrics, budget, LIMIT, TIMEOUT);

        // two viewers that stopped reading, each within its own bound (7 frames in flight, then 8 queued):
        // together they pass the gateway's budget at the 13th round, on the slow one's offer
        for (int i = 0; i < 15; i++) {
            slow.offer(frame(), true);
            other.offer(frame(), true);
        }
        assertThat(dropped()).as("the slow one's 6 queued batches").isEqualTo(6);
        assertThat(budget.queuedBytes()).isEqualTo(slow.queuedBytes() + other.queuedBytes()).isLessThanOrEqualTo(LIMIT);

        // one that keeps up queues nothing, so the budget does not touch it
        for (int i = 0; i < 20; i++) {
            fast.offer(frame(), true);
            fast.written(fastSocket.written.remove(0).capacity());
        }
        assertThat(fast.queuedBytes()).isZero();

        timer.advance(TIMEOUT);
        assertThat(slowSocket.closedTooSlow).as("behind when the budget ran out, and still behind").isEqualTo(1);
        assertThat(otherSocket.closedTooSlow).isZero();
        assertThat(fastSocket.closedTooSlow).isZero();
        slow.shut();
        other.shut();
        assertThat(budget.queuedBytes()).as("what shut outboxes held is given back").isZero();
    }
}
