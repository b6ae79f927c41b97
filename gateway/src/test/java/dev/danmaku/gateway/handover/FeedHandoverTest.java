package dev.danmaku.gateway.handover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.danmaku.gateway.handover.FeedHandover.State;

class FeedHandoverTest {

    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong silentNanos = new AtomicLong();
    private final AtomicInteger handedOver = new AtomicInteger();
    private final AtomicInteger asked = new AtomicInteger();
    private volatile CompletableFuture<Boolean> peersAnswer = new CompletableFuture<>();
    private final FeedHandover handover = new FeedHandover(now -> silentNanos.get(), Duration.ofSeconds(3), () -> {
        asked.incrementAndGet();
        return peersAnswer;
    }, handedOver::incrementAndGet, "gw-test", new SimpleMeterRegistry());

    @AfterEach
    void close() {
        handover.close();
    }

    @Test
    void aShortSilenceChangesNothing() {
        silentNanos.set(2 * SECOND);
        handover.check(0);
        assertThat(handover.hearsKafka()).isTrue();
        assertThat(asked).hasValue(0);
    }

    @Test
    void viewersStayWhileNoOtherGatewayHearsKafkaEither() {
        silentNanos.set(4 * SECOND);
        handover.check(0);
        assertThat(handover.hearsKafka()).as("not ready").isFalse();
        peersAnswer.complete(false);
        handover.check(0);
        assertThat(asked).as("asked again on the next check").hasValue(2);
        assertThat(handover.state()).isEqualTo(State.LOST);
        assertThat(handedOver).hasValue(0);
    }

    @Test
    void viewersAreHandedOverOnceWhenAnotherGatewayHearsKafka() {
        silentNanos.set(4 * SECOND);
        handover.check(0);
        handover.check(0);
        assertThat(asked).as("one question at a time").hasValue(1);
        peersAnswer.complete(true);
        await().atMost(Duration.ofSeconds(5)).until(handover::handedOver);
        handover.check(0);
        assertThat(handedOver).hasValue(1);
        assertThat(handover.hearsKafka()).isFalse();

        silentNanos.set(0);
        handover.check(0);
        assertThat(handover.hearsKafka()).isTrue();
        assertThat(handover.handedOver()).as("takes viewers again").isFalse();
    }

    @Test
    void anAnswerThatComesAfterKafkaIsHeardAgainHandsNothingOver() throws Exception {
        silentNanos.set(4 * SECOND);
        handover.check(0);
        silentNanos.set(0);
        handover.check(0);
        peersAnswer.complete(true);
        Thread.sleep(200);
        assertThat(handedOver).hasValue(0);
        assertThat(handover.hearsKafka()).isTrue();
    }

    @Test
    void withoutPeersViewersStay() {
        FeedHandover alone = new FeedHandover(now -> 10 * SECOND, Duration.ofSeconds(3),
                new HttpPeers(java.util.List.of()), handedOver::incrementAndGet, "gw-alone", new SimpleMeterRegistry());
        try {
            alone.check(0);
            alone.check(0);
            assertThat(alone.state()).isEqualTo(State.LOST);
            assertThat(handedOver).hasValue(0);
        } finally {
            alone.close();
        }
    }
}
