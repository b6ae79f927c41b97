package dev.danmaku.gateway.room;

import dev.danmaku.gateway.protocol.OutboundFrame;
import dev.danmaku.proto.v1.ServerFrame;

/**
 * How a room sees one of its viewers: the lane its frames are written from, and the two ways a frame
 * reaches it. The room holds these handles, never the session behind them.
 */
public interface Viewer {

    /** The broadcast lane (thread) this viewer's room frames are written from. */
    int lane();

    /** A reply to this viewer alone (its joined frame), never dropped. */
    void send(ServerFrame frame);

    /** A frame of the room's, encoded once for all; a slow viewer loses the oldest first. */
    void broadcast(OutboundFrame frame);
}
