package dev.danmaku.gateway.handover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.danmaku.gateway.handover.FeedHandover.State;

class FeedHandoverTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long MINUTE_MS = 60_000;

    private final AtomicLong silentNanos = new AtomicLong();
    private final AtomicInteger handedOver = new AtomicInteger();
    private final AtomicInteger asked = new AtomicInteger();
    private volatile CompletableFuture<Long> peersAnswer = new CompletableFuture<>();
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
        silentNanos.set(SECOND);
        handover.check(0);
        assertThat(handover.hearsKafka()).isTrue();
        assertThat(asked).hasValue(0);
    }

    @Test
    void theOtherGatewaysAreAskedAheadOnceASilenceReachesHalfTheLimitSoThatTheAnswerAtTheLimitIsQuick() {
        silentNanos.set(2 * SECOND);
        handover.check(0);
        handover.check(0);
        assertThat(asked).as("once in a silence").hasValue(1);
        assertThat(handover.hearsKafka()).as("still ready").isTrue();

        silentNanos.set(0);
        handover.check(0);
        silentNanos.set(2 * SECOND);
        handover.check(0);
        assertThat(asked).as("and once in the next").hasValue(2);
        peersAnswer.complete(MINUTE_MS);
        handover.check(0);
        assertThat(handedOver).as("an answer ahead hands nothing over").hasValue(0);
    }

    @Test
    void viewersStayWhileNoOtherGatewayHearsKafkaEither() {
        silentNanos.set(4 * SECOND);
        handover.check(0);
        assertThat(handover.hearsKafka()).as("not ready").isFalse();
        peersAnswer.complete(-1L);
        handover.check(0);
        assertThat(asked).as("asked again on the next check").hasValue(2);
        assertThat(handover.state()).isEqualTo(State.LOST);
        assertThat(handedOver).hasValue(0);
    }

    @Test
    void viewersAreHandedOverOnceWhenAnotherGatewayHeardKafkaAllThroughThisOnesSilence() {
        silentNanos.set(4 * SECOND);
        handover.check(0);
        handover.check(0);
        assertThat(asked).as("one question at a time").hasValue(1);
        peersAnswer.complete(MINUTE_MS);
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
    void aPeerThatHeardARestartedBrokerFirstDoesNotTakeEveryonesViewers() {
        silentNanos.set(12 * SECOND);
        handover.check(0);
        handover.handOverIfPeerHeardThroughout(800, 0);
        assertThat(handover.state()).as("the peer came back 0.8 s ago; this one will in a moment").isEqualTo(State.LOST);
        assertThat(handedOver).hasValue(0);
    }

    @Test
    void aPeerThatHasHeardKafkaForSeveralLimitsTakesTheViewersOfAGatewayStillSilent() {
        silentNanos.set(30 * SECOND);
        handover.check(0);
        handover.handOverIfPeerHeardThroughout(FeedHandover.ODD_ONE_OUT * 3_000 - 1, 0);
        assertThat(handover.state()).isEqualTo(State.LOST);
        handover.handOverIfPeerHeardThroughout(FeedHandover.ODD_ONE_OUT * 3_000, 0);
        assertThat(handover.state()).as("a peer started after the silence began").isEqualTo(State.HANDED_OVER);
        assertThat(handedOver).hasValue(1);
    }

    @Test
    void anAnswerThatComesAfterKafkaIsHeardAgainHandsNothingOver() throws Exception {
        silentNanos.set(4 * SECOND);
        handover.check(0);
        silentNanos.set(0);
        handover.check(0);
        peersAnswer.complete(MINUTE_MS);
        Thread.sleep(200);
        assertThat(handedOver).hasValue(0);
        assertThat(handover.hearsKafka()).isTrue();
    }

    @Test
    void heardTimeCountsFromTheLastBreakLongerThanHalfTheLimit() {
        silentNanos.set(SECOND + SECOND / 2);
        handover.check(0);
        assertThat(handover.heardMillis(0)).as("in a break, though still ready").isEqualTo(-1);
        silentNanos.set(SECOND / 2);
        handover.check(10 * SECOND);
        assertThat(handover.heardMillis(20 * SECOND)).isEqualTo(10_500);
        silentNanos.set(SECOND);
        handover.check(30 * SECOND);
        assertThat(handover.heardMillis(30 * SECOND)).as("a second between fetch answers is no break").isEqualTo(20_500);
        silentNanos.set(4 * SECOND);
        handover.check(40 * SECOND);
        assertThat(handover.heardMillis(40 * SECOND)).isEqualTo(-1);
    }

    @Test
    void withoutPeersViewersStay() {
        FeedHandover alone = new FeedHandover(now -> 10 * SECOND, Duration.ofSeconds(3),
                new HttpPeers(List.of()), handedOver::incrementAndGet, "gw-alone", new SimpleMeterRegistry());
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
