package dev.danmaku.gateway.room;

import java.util.concurrent.CompletableFuture;

/**
 * The bus as the rooms need it: the registry follows each room this gateway holds, and releases it
 * when its last viewer has been gone for the grace period; the feed behind this port starts and stops
 * reading the room's events. Both calls must not block: the registry makes them while it holds the room.
 */
public interface RoomFollowing {

    /** Completes once the room's events published from now on reach the rooms; {@code newRoom} when just created. */
    CompletableFuture<Void> follow(String roomId, boolean newRoom);

    /** This gateway no longer holds the room: its events may stop. */
    void release(String roomId);
}
