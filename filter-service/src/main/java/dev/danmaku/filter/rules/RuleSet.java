package dev.danmaku.filter.rules;

import java.util.Collection;
import java.util.Map;

import dev.danmaku.filter.matching.KeywordMatcher;
import dev.danmaku.proto.v1.KeywordRule;
import dev.danmaku.proto.v1.Mute;
import dev.danmaku.proto.v1.RoomSettings;

/**
 * One immutable version of the moderation rules: keyword rules (compiled), room settings and mutes.
 * {@code version} counts the control records applied, so every instance that has read the same
 * records reports the same version.
 */
public record RuleSet(long version, Map<String, KeywordRule> rules, Map<String, RoomSettings> rooms,
        Map<String, Mute> mutes, KeywordMatcher matcher) {

    public static RuleSet empty() {
        return new RuleSet(0, Map.of(), Map.of(), Map.of(), KeywordMatcher.empty());
    }

    public Collection<KeywordRule> ruleList() {
        return rules.values();
    }

    public RoomSettings room(String roomId) {
        return rooms.getOrDefault(roomId, RoomSettings.getDefaultInstance());
    }

    /** The mute that keeps a user from sending in a room at {@code nowMs}, room-specific or global; null if none. */
    public Mute muteOf(String roomId, String userId, long nowMs) {
        if (mutes.isEmpty()) {
            return null; // most of the time: no key to build
        }
        Mute mute = mutes.get(ControlKeys.mute(roomId, userId));
        if (mute != null && mute.getUntilMs() > nowMs) {
            return mute;
        }
        Mute global = mutes.get(ControlKeys.mute("", userId));
        return global != null && global.getUntilMs() > nowMs ? global : null;
    }
}
