package dev.danmaku.gateway.room;

import dev.danmaku.common.auth.Identity;
import dev.danmaku.proto.v1.ServerFrame;

/**
 * A viewer's connection as the registry moves it between rooms: in one room at a time, its latest
 * join wins, and what it sent is acknowledged to it alone. The room package holds these handles,
 * never the session behind them.
 */
public interface Member extends Viewer {

    /** The answer to one of its sends, never dropped. */
    void acknowledge(ServerFrame ack);

    /** Held while it enters a room, so two joins of one connection do not interleave. */
    Object joinLock();

    /** Whether {@code ticket} is its latest join: an earlier one still waiting gives its room up. */
    boolean isLatestJoin(long ticket);

    /** It is in {@code room} now, as {@code identity}. */
    void enter(Room room, Identity identity);

    /** The room it is in, or null. */
    Room room();

    void leaveRoom();

    /** True once the connection closed: a join that finishes after that leaves again at once. */
    boolean closed();
}
