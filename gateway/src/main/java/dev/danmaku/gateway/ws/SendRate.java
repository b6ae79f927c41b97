package dev.danmaku.gateway.ws;

/**
 * A token bucket, checked before anything reaches Kafka so a flood stays at the edge: a user's sends
 * and joins ({@link UserLimits}), a connection's joins. Two numbers each: a library bucket would cost
 * more memory than the 100 k connections a gateway holds can afford.
 */
public final class SendRate {

    private final double tokensPerNano;
    private final double burst;
    private double tokens;
    private long lastRefillNanos;

    /** A full bucket at {@code nowNanos} (System.nanoTime()). */
    public SendRate(double perSecond, int burst, long nowNanos) {
        this.tokensPerNano = perSecond / 1_000_000_000d;
        this.burst = burst;
        this.tokens = burst;
        this.lastRefillNanos = nowNanos;
    }

    /** Takes one token if there is one. */
    public synchronized boolean tryAcquire(long nowNanos) {
        if (nowNanos > lastRefillNanos) {
            tokens = Math.min(burst, tokens + (nowNanos - lastRefillNanos) * tokensPerNano);
            lastRefillNanos = nowNanos;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
