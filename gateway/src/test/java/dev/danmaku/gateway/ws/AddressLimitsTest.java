package dev.danmaku.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class AddressLimitsTest {

    @Test
    void capsConnectionsPerAddressAndForgetsAnAddressWithItsLastConnection() {
        AddressLimits limits = new AddressLimits(2, 1);
        assertThat(limits.connect("a", 0)).isTrue();
        assertThat(limits.connect("a", 0)).isTrue();
        assertThat(limits.connect("a", 0)).isFalse();
        assertThat(limits.connect("b", 0)).isTrue();
        limits.release("a");
        assertThat(limits.connect("a", 0)).isTrue();
        limits.release("a");
        limits.release("a");
        limits.release("b");
        assertThat(limits.addressCount()).isZero();
    }

    @Test
    void theConnectionsOfAnAddressShareOneJoinBudgetWithABurstAsLargeAsTheCap() {
        AddressLimits limits = new AddressLimits(3, 1);
        limits.connect("a", 0);
        limits.connect("a", 0);
        limits.connect("b", 0);
        assertThat(limits.tryJoin("a", 0)).isTrue();
        assertThat(limits.tryJoin("a", 0)).isTrue();
        assertThat(limits.tryJoin("a", 0)).isTrue();
        assertThat(limits.tryJoin("a", 0)).isFalse();
        assertThat(limits.tryJoin("b", 0)).as("another address has its own").isTrue();
        assertThat(limits.tryJoin("a", TimeUnit.SECONDS.toNanos(1))).as("one more a second").isTrue();
        assertThat(limits.tryJoin("a", TimeUnit.SECONDS.toNanos(1))).isFalse();
        assertThat(limits.tryJoin("unknown", 0)).as("no connection, no join").isFalse();
    }
}
