package dev.danmaku.filter.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.danmaku.proto.v1.Reason;
import dev.danmaku.proto.v1.RoomSettings;

class SendLimiterTest {

    private static final long T0 = 1_800_000_000_000L;
    private static final RoomSettings DEFAULTS = RoomSettings.getDefaultInstance();
    private final SendLimiter limiter = new SendLimiter(new LimitDefaults(2, 3, 20, 30_000));

    private Reason send(String user, String text, RoomSettings room, long at) {
        return limiter.check("room", user, text, text, room, at);
    }

    @Test
    void tokenBucketAllowsABurstThenTheRate() {
        assertThat(send("u", "a", DEFAULTS, T0)).isNull();
        assertThat(send("u", "b", DEFAULTS, T0)).isNull();
        assertThat(send("u", "c", DEFAULTS, T0)).isNull();
        assertThat(send("u", "d", DEFAULTS, T0)).isEqualTo(Reason.RATE_LIMITED);
        assertThat(send("other", "d", DEFAULTS, T0)).as("buckets are per user").isNull();
        assertThat(send("u", "e", DEFAULTS, T0 + 499)).isEqualTo(Reason.RATE_LIMITED);
        assertThat(send("u", "f", DEFAULTS, T0 + 500)).as("2/s refills one token in 500 ms").isNull();
        assertThat(limiter.check("other-room", "u", "g", "g", DEFAULTS, T0 + 500)).as("and per room").isNull();
    }

    @Test
    void aRoomOverridesTheRate() {
        RoomSettings strict = RoomSettings.newBuilder().setRatePerSecond(1).setBurst(1).build();
        assertThat(send("u", "a", strict, T0)).isNull();
        assertThat(send("u", "b", strict, T0 + 900)).isEqualTo(Reason.RATE_LIMITED);
        assertThat(send("u", "c", strict, T0 + 1000)).isNull();
    }

    @Test
    void slowModeAllowsOneMessagePerInterval() {
        RoomSettings slow = RoomSettings.newBuilder().setSlowModeSeconds(10).build();
        assertThat(send("u", "a", slow, T0)).isNull();
        assertThat(send("u", "b", slow, T0 + 9_999)).isEqualTo(Reason.SLOW_MODE);
        assertThat(send("v", "b", slow, T0 + 1)).isNull();
        assertThat(send("u", "c", slow, T0 + 10_000)).isNull();
    }

    @Test
    void theSameTextFromTheSameUserWithinTheWindowIsADuplicate() {
        assertThat(send("u", "same", DEFAULTS, T0)).isNull();
        assertThat(send("u", "same", DEFAULTS, T0 + 29_999)).isEqualTo(Reason.DUPLICATE);
        assertThat(send("v", "same", DEFAULTS, T0 + 1)).as("another user may say it").isNull();
        assertThat(send("u", "same", DEFAULTS, T0 + 30_000)).isNull();
    }

    @Test
    void roomThroughputCapRefusesTheExcess() {
        RoomSettings capped = RoomSettings.newBuilder().setMaxMessagesPerSecond(2).build();
        assertThat(send("a", "x", capped, T0)).isNull();
        assertThat(send("b", "x", capped, T0 + 1)).isNull();
        assertThat(send("c", "x", capped, T0 + 2)).isEqualTo(Reason.ROOM_BUSY);
        assertThat(send("c", "x", capped, T0 + 1000)).isNull();
    }

    @Test
    void tooLongTextsAreRefusedCountingCodePoints() {
        assertThat(send("u", "😀".repeat(20), DEFAULTS, T0)).isNull();
        assertThat(send("v", "x".repeat(21), DEFAULTS, T0)).isEqualTo(Reason.TOO_LONG);
        RoomSettings shortRoom = RoomSettings.newBuilder().setMaxTextLength(5).build();
        assertThat(send("w", "123456", shortRoom, T0)).isEqualTo(Reason.TOO_LONG);
    }
}
