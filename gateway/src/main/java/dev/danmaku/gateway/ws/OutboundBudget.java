package dev.danmaku.gateway.ws;

import java.util.concurrent.atomic.LongAdder;

/**
 * The bytes every viewer's outbox holds queued on this gateway, against one budget: each viewer's own
 * bound times many slow viewers could still exhaust the heap. While the gateway is over budget, a
 * viewer that is behind drops its queued batches and gets its slow-viewer deadline; viewers that keep
 * up queue nothing and are not touched.
 */
public final class OutboundBudget {

    private final long limitBytes;
    private final LongAdder queuedBytes = new LongAdder();

    public OutboundBudget(long limitBytes) {
        this.limitBytes = limitBytes;
    }

    /** No budget beyond each viewer's own bound. */
    static OutboundBudget unlimited() {
        return new OutboundBudget(Long.MAX_VALUE);
    }

    void add(long deltaBytes) {
        queuedBytes.add(deltaBytes);
    }

    boolean exceeded() {
        return queuedBytes.sum() > limitBytes;
    }

    /** Bytes queued in all outboxes now. */
    public long queuedBytes() {
        return queuedBytes.sum();
    }

    public long limitBytes() {
        return limitBytes;
    }
}
