package dev.danmaku.gateway.player;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** {@code danmaku_gateway_player_sends_total{answer}}: how the player API answered its sends. */
final class PlayerMetrics {

    private final MeterRegistry meters;
    private final String gatewayId;

    PlayerMetrics(MeterRegistry meters, String gatewayId) {
        this.meters = meters;
        this.gatewayId = gatewayId;
    }

    void answered(String answer) {
        Counter.builder("danmaku_gateway_player_sends_total")
                .description("Sends through the player API, by their answer: accepted, a refusal reason, or an error")
                .tags("gateway", gatewayId, "answer", answer)
                .register(meters)
                .increment();
    }
}
