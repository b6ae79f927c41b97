package dev.danmaku.gateway.room;

import java.time.Duration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** Broadcast counters: batches flushed, danmaku delivered (one per viewer), accept → write latency. */
public final class RoomMetrics {

    private final Counter batches;
    private final Counter deliveries;
    private final Timer latency;

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
    }

    void flushed(int danmaku, int viewers) {
        batches.increment();
        deliveries.increment((double) danmaku * viewers);
    }

    void accepted(long sentAtMs, long nowMs) {
        latency.record(Duration.ofMillis(Math.max(0, nowMs - sentAtMs)));
    }
}
