package dev.danmaku.gateway.ws;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * One viewer's outbound queue and the slow-viewer policy, apart from the socket that drains it.
 *
 * <p>Frames go to the {@link Transport} while less than {@link #IN_FLIGHT_BYTES} are unwritten; the
 * rest wait here, bounded by {@code limitBytes}. When the queue overflows, the oldest broadcast batches
 * are dropped (replies never are) and a deadline of {@code slowViewerNanos} is armed; if the queue has
 * not drained by then the viewer is too slow. The deadline fires on its own, so a burst followed by
 * silence closes a stalled viewer as surely as a steady flood. A queue of replies alone over the limit
 * is too slow at once. While the whole gateway is over its {@link OutboundBudget}, a viewer with
 * anything queued is treated as overflowing: its queued batches go and its deadline is armed.
 */
final class Outbox {

    static final int IN_FLIGHT_BYTES = 64 * 1024;

    /** Where the bytes go: the socket in production, a recorder in tests. */
    interface Transport {
        /** Starts writing; the owner reports completion through {@link Outbox#written(long)}. */
        void write(ByteBuffer bytes);

        /** The viewer fell behind for good: close it (with 4009). Called without the outbox's lock. */
        void tooSlow();
    }

    /** Runs a task once after a delay; the returned handle cancels it. */
    interface Timer {
        Runnable schedule(Runnable task, long delayNanos);
    }

    private record Queued(ByteBuffer bytes, boolean droppable) {
    }

    private final Transport transport;
    private final Timer timer;
    private final SessionMetrics metrics;
    private final OutboundBudget budget;
    private final int limitBytes;
    private final long slowViewerNanos;

    // guarded by this
    private final ArrayDeque<Queued> queue = new ArrayDeque<>(4);
    private long queuedBytes;
    private long inFlightBytes;
    private Deadline deadline;
    private boolean pumping;
    private boolean shut;

    Outbox(Transport transport, Timer timer, SessionMetrics metrics, OutboundBudget budget, int limitBytes,
            long slowViewerNanos) {
        this.transport = transport;
        this.timer = timer;
        this.metrics = metrics;
        this.budget = budget;
        this.limitBytes = limitBytes;
        this.slowViewerNanos = slowViewerNanos;
    }

    /** Queues a frame; a droppable one (a broadcast batch) may be dropped, oldest first, on overflow. */
    void offer(ByteBuffer bytes, boolean droppable) {
        boolean tooSlow = false;
        synchronized (this) {
            if (shut) {
                return;
            }
            queue.addLast(new Queued(bytes, droppable));
            queued(bytes.remaining());
            pump();
            // only what the transport could not take yet counts against the bound, so one big frame still goes out
            if (queuedBytes > limitBytes) {
                tooSlow = overflow(limitBytes);
            } else if (queuedBytes > 0 && budget.exceeded()) {
                overflow(0);
            }
        }
        if (tooSlow) {
            transport.tooSlow();
        }
    }

    /** The transport finished writing {@code size} bytes. */
    synchronized void written(long size) {
        inFlightBytes -= size;
        if (!shut) {
            pump();
        }
    }

    /** Stops accepting frames and forgets the queued ones; false when already shut. */
    synchronized boolean shut() {
        if (shut) {
            return false;
        }
        shut = true;
        queue.clear();
        queued(-queuedBytes);
        disarm();
        return true;
    }

    synchronized long queuedBytes() {
        return queuedBytes;
    }

    /** Queued bytes changed, here and in the gateway's budget. Caller holds the lock. */
    private void queued(long deltaBytes) {
        queuedBytes += deltaBytes;
        budget.add(deltaBytes);
    }

    /**
     * Drops the oldest batches until at most {@code keepBytes} are queued and arms the deadline; returns
     * true when replies alone overflow the viewer's own bound. Caller holds the lock.
     */
    private boolean overflow(long keepBytes) {
        Iterator<Queued> oldestFirst = queue.iterator();
        while (queuedBytes > keepBytes && oldestFirst.hasNext()) {
            Queued queued = oldestFirst.next();
            if (queued.droppable()) {
                oldestFirst.remove();
                queued(-queued.bytes().remaining());
                metrics.batchDropped();
            }
        }
        if (deadline == null) {
            deadline = new Deadline();
            deadline.cancel = timer.schedule(deadline, slowViewerNanos);
        }
        return queuedBytes > limitBytes;
    }

    /** Hands queued frames to the transport while little is unwritten. Caller holds the lock. */
    private void pump() {
        if (pumping) {
            return;
        }
        pumping = true;
        try {
            while (!queue.isEmpty() && inFlightBytes < IN_FLIGHT_BYTES) {
                Queued next = queue.pollFirst();
                int size = next.bytes().remaining();
                queued(-size);
                inFlightBytes += size;
                metrics.frameOut(size);
                transport.write(next.bytes());
            }
            if (queue.isEmpty()) {
                disarm();
            }
        } finally {
            pumping = false;
        }
    }

    private void disarm() {
        if (deadline != null) {
            deadline.cancel.run();
            deadline = null;
        }
    }

    /** Armed on the first overflow, disarmed when the queue drains. */
    private final class Deadline implements Runnable {
        private Runnable cancel;

        @Override
        public void run() {
            synchronized (Outbox.this) {
                // drained, re-armed or shut while this task was on its way
                if (deadline != this || shut) {
                    return;
                }
                deadline = null;
            }
            transport.tooSlow();
        }
    }
}
