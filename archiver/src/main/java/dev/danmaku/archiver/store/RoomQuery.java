package dev.danmaku.archiver.store;

/**
 * One page of a room's danmaku matching a filter, ordered by (sentAtMs, msgId), starting after
 * the keyset position {@code after} when given.
 */
public record RoomQuery(ArchiveFilter filter, int limit, Position after) {

    /** A keyset position: the last row of the previous page. */
    public record Position(long sentAtMs, String msgId) {
    }
}
