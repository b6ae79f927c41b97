package dev.danmaku.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SendRateTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void allowsTheBurstThenTheRate() {
        long start = System.nanoTime();
        SendRate rate = new SendRate(2, 3, start);
        assertThat(rate.tryAcquire(start)).isTrue();
        assertThat(rate.tryAcquire(start)).isTrue();
        assertThat(rate.tryAcquire(start)).isTrue();
        assertThat(rate.tryAcquire(start)).isFalse();
        assertThat(rate.tryAcquire(start + SECOND / 2)).isTrue();
        assertThat(rate.tryAcquire(start + SECOND / 2)).isFalse();
    }

    @Test
    void neverSavesMoreThanTheBurst() {
        long start = System.nanoTime();
        SendRate rate = new SendRate(10, 2, start);
        long later = start + 60 * SECOND;
        assertThat(rate.tryAcquire(later)).isTrue();
        assertThat(rate.tryAcquire(later)).isTrue();
        assertThat(rate.tryAcquire(later)).isFalse();
    }
}
