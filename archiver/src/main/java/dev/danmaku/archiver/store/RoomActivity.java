package dev.danmaku.archiver.store;

/** A room with archived danmaku in the asked time range. */
public record RoomActivity(String roomId, long count, long firstAtMs, long lastAtMs) {
}
