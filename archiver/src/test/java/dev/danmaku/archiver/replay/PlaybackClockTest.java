package dev.danmaku.archiver.replay;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PlaybackClockTest {

    private static final long MS = 1_000_000L;

    @Test
    void dueTimesFollowTheSpeedFromOneAnchor() {
        PlaybackClock clock = new PlaybackClock(4);
        clock.seek(10_000, 0);
        assertThat(clock.dueNanos(10_000)).isZero();
        assertThat(clock.dueNanos(10_400)).isEqualTo(100 * MS);
        assertThat(clock.positionMs(250 * MS)).isEqualTo(11_000);
    }

    @Test
    void pauseFreezesThePositionAndResumeGoesOnFromIt() {
        PlaybackClock clock = new PlaybackClock(1);
        clock.seek(0, 0);
        clock.pause(300 * MS);
        assertThat(clock.positionMs(5_000 * MS)).isEqualTo(300);
        clock.resume(5_000 * MS);
        assertThat(clock.positionMs(5_100 * MS)).isEqualTo(400);
        assertThat(clock.dueNanos(1_000)).isEqualTo(5_700 * MS);
    }

    @Test
    void changingSpeedKeepsThePosition() {
        PlaybackClock clock = new PlaybackClock(1);
        clock.seek(0, 0);
        clock.speed(2, 1_000 * MS);
        assertThat(clock.positionMs(1_000 * MS)).isEqualTo(1_000);
        assertThat(clock.positionMs(1_500 * MS)).isEqualTo(2_000);
        assertThat(clock.dueNanos(3_000)).isEqualTo(2_000 * MS);
    }
}
