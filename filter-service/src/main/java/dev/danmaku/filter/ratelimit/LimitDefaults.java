package dev.danmaku.filter.ratelimit;

/** Service-wide limits; a room's {@code RoomSettings} overrides each that it sets. */
public record LimitDefaults(double ratePerSecond, int burst, int maxTextLength, long duplicateWindowMs) {

    public LimitDefaults {
        if (!(ratePerSecond > 0) || burst < 1 || maxTextLength < 1 || duplicateWindowMs < 0) {
            throw new IllegalArgumentException("rate > 0, burst >= 1, max length >= 1, duplicate window >= 0");
        }
    }
}
