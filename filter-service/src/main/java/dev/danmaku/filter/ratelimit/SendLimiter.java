package dev.danmaku.filter.ratelimit;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.danmaku.proto.v1.Reason;
import dev.danmaku.proto.v1.RoomSettings;

/**
 * Per-room rules on who may send how much: maximum length, slow mode (one message per N s per
 * user), a token bucket per user per room, duplicate suppression (same normalized text from the
 * same user within the window) and a room-wide cap per second.
 *
 * <p>Time is the gateway's accept time of each danmaku, so a batch judged again after a crash gets
 * the same answers. State lives in the instance that owns the room's partition (a room's danmaku
 * all go to one partition); it is rebuilt from scratch after a rebalance. Not thread-safe: one
 * pipeline thread uses it.
 */
public final class SendLimiter {

    private static final int MAX_TRACKED_USERS = 200_000;
    private static final int RECENT_TEXTS_KEPT = 16;

    private final LimitDefaults defaults;
    private final Map<UserInRoom, UserState> users = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UserInRoom, UserState> eldest) {
            return size() > MAX_TRACKED_USERS;
        }
    };
    private final Map<String, RoomWindow> rooms = new HashMap<>();

    public SendLimiter(LimitDefaults defaults) {
        this.defaults = defaults;
    }

    /**
     * Decides whether a user may send this text now; a message let through is counted against the
     * limits. Returns the refusal reason, or null when it may go on to keyword moderation.
     */
    public Reason check(String roomId, String userId, String text, String normalizedText, RoomSettings room, long nowMs) {
        int maxLength = room.getMaxTextLength() > 0 ? room.getMaxTextLength() : defaults.maxTextLength();
        if (text.codePointCount(0, text.length()) > maxLength) {
            return Reason.TOO_LONG;
        }
        UserState user = users.computeIfAbsent(new UserInRoom(roomId, userId), key -> new UserState());
        if (room.getSlowModeSeconds() > 0 && user.lastSentMs != Long.MIN_VALUE
                && nowMs - user.lastSentMs < room.getSlowModeSeconds() * 1000L) {
            return Reason.SLOW_MODE;
        }
        double rate = room.getRatePerSecond() > 0 ? room.getRatePerSecond() : defaults.ratePerSecond();
        int burst = room.getBurst() > 0 ? (int) room.getBurst() : defaults.burst();
        if (!user.refillAndHasToken(rate, burst, nowMs)) {
            return Reason.RATE_LIMITED;
        }
        int textHash = normalizedText.hashCode();
        if (user.sentRecently(textHash, nowMs, defaults.duplicateWindowMs())) {
            return Reason.DUPLICATE;
        }
        if (room.getMaxMessagesPerSecond() > 0) {
            RoomWindow window = rooms.computeIfAbsent(roomId, key -> new RoomWindow());
            if (!window.tryCount(room.getMaxMessagesPerSecond(), nowMs)) {
                return Reason.ROOM_BUSY;
            }
        }
        user.tokens -= 1;
        user.lastSentMs = Math.max(user.lastSentMs, nowMs);
        user.remember(textHash, nowMs);
        return null;
    }

    /** A key of strings whose hashes are cached, where a concatenation would be hashed on every send. */
    private record UserInRoom(String roomId, String userId) {
    }

    /** What one user has used in one room. */
    private static final class UserState {
        double tokens = Double.NaN;
        long refilledAtMs;
        long lastSentMs = Long.MIN_VALUE;
        final ArrayDeque<long[]> recentTexts = new ArrayDeque<>(4); // {hash, sentAtMs}

        boolean refillAndHasToken(double rate, int burst, long nowMs) {
            if (Double.isNaN(tokens)) {
                tokens = burst;
                refilledAtMs = nowMs;
            } else if (nowMs > refilledAtMs) {
                tokens = Math.min(burst, tokens + (nowMs - refilledAtMs) * rate / 1000.0);
                refilledAtMs = nowMs;
            }
            tokens = Math.min(tokens, burst); // a room may lower the burst
            return tokens >= 1;
        }

        boolean sentRecently(int hash, long nowMs, long windowMs) {
            for (Iterator<long[]> it = recentTexts.iterator(); it.hasNext(); ) {
                long[] sent = it.next();
                if (nowMs - sent[1] >= windowMs) {
                    it.remove();
                } else if (sent[0] == hash) {
                    return true;
                }
            }
            return false;
        }

        void remember(int hash, long nowMs) {
            recentTexts.addLast(new long[] {hash, nowMs});
            if (recentTexts.size() > RECENT_TEXTS_KEPT) {
                recentTexts.removeFirst();
            }
        }
    }

    /** Messages let through in a room during the current second. */
    private static final class RoomWindow {
        long second = Long.MIN_VALUE;
        int count;

        boolean tryCount(int max, long nowMs) {
            long nowSecond = Math.floorDiv(nowMs, 1000);
            if (nowSecond != second) {
                second = nowSecond;
                count = 0;
            }
            if (count >= max) {
                return false;
            }
            count++;
            return true;
        }
    }
}
