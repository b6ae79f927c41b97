package dev.danmaku.gateway.room;

import java.time.Duration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** Broadcast counters: batches flushed, danmaku delivered (one per viewer), accept → write latency, resumes. */
public final class RoomMetrics {

    private final Counter batches;
    private final Counter deliveries;
    private final Timer latency;
    private final Counter resumedFromRecent;
    private final Counter resumedFromHistory;
    private final Counter notResumed;

    public RoomMetrics(MeterRegistry registry, String gatewayId) {
        this.batches = registry.counter("danmaku_gateway_batches_total", "gateway", gatewayId);
        this.deliveries = registry.counter("danmaku_gateway_deliveries_total", "gateway", gatewayId);
        this.latency = Timer.builder("danmaku_gateway_delivery_latency")
                .description("from the gateway accepting a danmaku to a gateway writing it to its room")
                .tag("gateway", gatewayId)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        String resumes = "danmaku_gateway_resumes_total";
        this.resumedFromRecent = registry.counter(resumes, "gateway", gatewayId, "from", "recent");
        this.resumedFromHistory = registry.counter(resumes, "gateway", gatewayId, "from", "history");
        this.notResumed = registry.counter(resumes, "gateway", gatewayId, "from", "none");
    }

    /** A join with resumeAfter: continued from the room's recent list, from history read from the bus, or not at all. */
    void resumed(boolean fromRecent, boolean fromHistory) {
        (fromRecent ? resumedFromRecent : fromHistory ? resumedFromHistory : notResumed).increment();
    }

    void flushed(int danmaku, int viewers) {
        batches.increment();
        deliveries.increment((double) danmaku * viewers);
    }

    void accepted(long sentAtMs, long nowMs) {
        latency.record(Duration.ofMillis(Math.max(0, nowMs - sentAtMs)));
    }
}
