package dev.danmaku.filter.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.junit.jupiter.api.Test;

import dev.danmaku.common.config.InvalidSettingException;

class GroupFailoverTest {

    @Test
    void aBrokerThatAllowsItGetsTheShortSessionAndTheCooperativeAssignorAlone() {
        Map<String, Object> settings = GroupFailover.consumerSettings(1000, Map.of());
        assertThat(settings).containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 3000)
                .containsEntry(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 300)
                .containsEntry(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
    }

    @Test
    void aStockBrokerFloorRaisesOurDefaultToIt() {
        assertThat(GroupFailover.consumerSettings(6000, Map.of()))
                .containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000)
                .containsEntry(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 600);
    }

    @Test
    void anUnknownFloorKeepsTheDefault() {
        assertThat(GroupFailover.consumerSettings(0, Map.of())).containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 3000);
    }

    @Test
    void anOperatorsSessionBelowTheFloorFailsAtStartWithOneClearLine() {
        assertThatThrownBy(() -> GroupFailover.consumerSettings(6000, Map.of("session.timeout.ms", "3000")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("DANMAKU_KAFKA_SESSION_TIMEOUT_MS=3000 is below the brokers' group.min.session.timeout.ms=6000:"
                        + " raise it, or lower the brokers' floor (docs/operations.md)");
        assertThatThrownBy(() -> GroupFailover.consumerSettings(0, Map.of("session.timeout.ms", "soon")))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("not a number");
    }

    @Test
    void anOperatorsOwnSessionAndHeartbeatAreKept() {
        Map<String, Object> settings = GroupFailover.consumerSettings(1000, Map.of("session.timeout.ms", "8000",
                "heartbeat.interval.ms", "2000"));
        assertThat(settings).containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 8000)
                .doesNotContainKey(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG);
    }
}
