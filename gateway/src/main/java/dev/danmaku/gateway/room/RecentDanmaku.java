package dev.danmaku.gateway.room;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import dev.danmaku.proto.v1.Danmaku;

/** A room's most recent danmaku, bounded in count and age, for joined.recent and resumeAfter. Not thread-safe. */
final class RecentDanmaku {

    private record Remembered(Danmaku danmaku, long atMillis) {
    }

    private final int size;
    private final long maxAgeMillis;
    private final ArrayDeque<Remembered> ring = new ArrayDeque<>();
    private final Set<String> msgIds = new HashSet<>();

    RecentDanmaku(int size, long maxAgeMillis) {
        this.size = size;
        this.maxAgeMillis = maxAgeMillis;
    }

    void remember(Danmaku danmaku, long nowMillis) {
        if (size == 0) {
            return;
        }
        if (ring.size() == size) {
            msgIds.remove(ring.removeFirst().danmaku().getMsgId());
        }
        ring.addLast(new Remembered(danmaku, nowMillis));
        msgIds.add(danmaku.getMsgId());
    }

    /** Whether a danmaku with this msgId is held (a copy judged twice must not be shown twice). */
    boolean holds(String msgId) {
        return msgIds.contains(msgId);
    }

    void forget(String msgId) {
        ring.removeIf(r -> r.danmaku().getMsgId().equals(msgId));
        msgIds.remove(msgId);
    }

    /**
     * The danmaku after {@code resumeAfter} when still held ({@code resumed} true), otherwise
     * everything held. Danmaku older than the maximum age are dropped first.
     */
    Room.Recent after(String resumeAfter, long nowMillis) {
        long cutoff = nowMillis - maxAgeMillis;
        while (!ring.isEmpty() && ring.peekFirst().atMillis() < cutoff) {
            msgIds.remove(ring.removeFirst().danmaku().getMsgId());
        }
        if (!resumeAfter.isEmpty()) {
            List<Danmaku> after = new ArrayList<>();
            for (Iterator<Remembered> it = ring.descendingIterator(); it.hasNext(); ) {
                Danmaku danmaku = it.next().danmaku();
                if (danmaku.getMsgId().equals(resumeAfter)) {
                    Collections.reverse(after);
                    return new Room.Recent(after, true);
                }
                after.add(danmaku);
            }
        }
        return new Room.Recent(ring.stream().map(Remembered::danmaku).toList(), false);
    }
}
