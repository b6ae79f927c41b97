package dev.danmaku.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class AddressLimitsTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void capsConnectionsPerAddress() {
        AddressLimits limits = new AddressLimits(2, 1);
        assertThat(limits.connect("a", 0)).isTrue();
        assertThat(limits.connect("a", 0)).isTrue();
        assertThat(limits.connect("a", 0)).isFalse();
        assertThat(limits.connect("b", 0)).isTrue();
        limits.release("a", 0);
        assertThat(limits.connect("a", 0)).isTrue();
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
        assertThat(limits.tryJoin("a", SECOND)).as("one more a second").isTrue();
        assertThat(limits.tryJoin("a", SECOND)).isFalse();
        assertThat(limits.tryJoin("unknown", 0)).as("no connection, no join").isFalse();
    }

    @Test
    void reconnectingDoesNotRefillTheBudgetAndAnIdleAddressIsForgottenOnceItWouldBeFull() {
        AddressLimits limits = new AddressLimits(2, 1);
        limits.connect("a", 0);
        assertThat(limits.tryJoin("a", 0)).isTrue();
        assertThat(limits.tryJoin("a", 0)).isTrue();
        limits.release("a", 0);
        limits.connect("a", 0);
        assertThat(limits.tryJoin("a", 0)).as("the same budget after a reconnect").isFalse();
        limits.release("a", 0);
        assertThat(limits.addressCount()).isEqualTo(1);
        // two joins of burst at one a second: full again after 2 s
        limits.connect("b", 2 * SECOND);
        assertThat(limits.addressCount()).as("only b").isEqualTo(1);
        limits.connect("a", 2 * SECOND);
        assertThat(limits.tryJoin("a", 2 * SECOND)).isTrue();
    }
}
