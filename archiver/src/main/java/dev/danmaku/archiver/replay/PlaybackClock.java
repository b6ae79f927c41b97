package dev.danmaku.archiver.replay;

/**
 * Maps archive time (send time or video offset, in ms) to wall time (System.nanoTime) at a speed,
 * with pause and seek. Every due time is computed from one anchor, so waits do not add up drift.
 * Not thread-safe: the session guards it.
 */
final class PlaybackClock {

    private double speed;
    private boolean paused;
    private boolean anchored;
    private long anchorPositionMs;
    private long anchorNanos;

    PlaybackClock(double speed) {
        this.speed = speed;
    }

    boolean anchored() {
        return anchored;
    }

    boolean paused() {
        return paused;
    }

    double speed() {
        return speed;
    }

    /** Playback position at {@code nowNanos}. */
    long positionMs(long nowNanos) {
        if (!anchored || paused) {
            return anchorPositionMs;
        }
        return anchorPositionMs + (long) Math.floor((nowNanos - anchorNanos) * speed / 1_000_000.0);
    }

    /** When (nanoTime) the given archive time is due; meaningless while paused. */
    long dueNanos(long positionMs) {
        return anchorNanos + (long) Math.ceil((positionMs - anchorPositionMs) * 1_000_000.0 / speed);
    }

    void seek(long positionMs, long nowNanos) {
        anchorPositionMs = positionMs;
        anchorNanos = nowNanos;
        anchored = true;
    }

    void pause(long nowNanos) {
        if (!paused) {
            anchorPositionMs = positionMs(nowNanos);
            paused = true;
        }
    }

    void resume(long nowNanos) {
        if (paused) {
            anchorNanos = nowNanos;
            paused = false;
        }
    }

    void speed(double newSpeed, long nowNanos) {
        if (anchored) {
            anchorPositionMs = positionMs(nowNanos);
            anchorNanos = nowNanos;
        }
        speed = newSpeed;
    }
}
