package dev.danmaku.filter.rules;

/** Keys of danmaku.control.v1: one key per rule, room and mute, so compaction keeps the latest of each. */
public final class ControlKeys {

    private ControlKeys() {
    }

    public static String rule(String id) {
        return "rule/" + id;
    }

    public static String room(String roomId) {
        return "room/" + roomId;
    }

    public static String mute(String roomId, String userId) {
        return "mute/" + roomId + "/" + userId;
    }
}
