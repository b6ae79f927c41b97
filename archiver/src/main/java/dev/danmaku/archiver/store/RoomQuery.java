package dev.danmaku.archiver.store;

import java.util.Set;

/**
 * One page of a room's danmaku in [fromMs, toMs), ordered by (sentAtMs, msgId), starting after
 * the keyset position {@code after} when given.
 */
public record RoomQuery(String roomId, long fromMs, long toMs, Set<String> verdicts, int limit, Position after) {

    /** A keyset position: the last row of the previous page. */
    public record Position(long sentAtMs, String msgId) {
    }
}
