package dev.danmaku.archiver.replay;

import dev.danmaku.archiver.store.ArchiveFilter;
import dev.danmaku.archiver.store.ArchiveStore;

/** What one replay plays: which danmaku, in which order (send time, or video position for VOD), how fast. */
public record ReplayRequest(ArchiveFilter filter, ArchiveStore.Order order, double speed) {

    public static final double MIN_SPEED = 0.1;
    public static final double MAX_SPEED = 64;

    public ReplayRequest {
        checkSpeed(speed);
    }

    static void checkSpeed(double speed) {
        if (!(speed >= MIN_SPEED && speed <= MAX_SPEED)) {
            throw new IllegalArgumentException("speed: a number " + MIN_SPEED + "-" + MAX_SPEED + ", got " + speed);
        }
    }
}
