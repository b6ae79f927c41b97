package dev.danmaku.gateway.room;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.danmaku.common.MsgIds;
import dev.danmaku.common.auth.Identity;
import dev.danmaku.proto.v1.ServerFrame;

/**
 * Every room of this gateway, and who is in each. A room exists while it has local viewers, and for
 * a grace period after the last one left (so a reconnecting viewer resumes without a gap); the
 * Kafka feed follows exactly the partitions of the rooms that exist.
 */
public final class RoomRegistry {

    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
    /** How far apart the clocks of the gateways and the filters may be. */
    static final Duration HISTORY_CLOCK_SKEW = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(RoomRegistry.class);

    private final Room.RoomSettings roomSettings;
    private final RoomHistory history;
    private final Broadcaster broadcaster;
    private final RoomMetrics metrics;
    private volatile RoomFollowing following;

    public RoomRegistry(Room.RoomSettings roomSettings, Broadcaster broadcaster, RoomMetrics metrics, RoomHistory history) {
        this.roomSettings = roomSettings;
        this.history = history;
        this.broadcaster = broadcaster;
        this.metrics = metrics;
    }

    /** The feed that follows the rooms; set once, before the first join. */
    public void followThrough(RoomFollowing feed) {
        this.following = feed;
    }

    public int roomCount() {
        return rooms.size();
    }

    public Collection<Room> rooms() {
        return rooms.values();
    }

    /**
     * The room, created if needed and reserved for one joining session, so it is not swept while
     * the feed starts following it ({@link Reserved#followed()}). The caller ends the reservation with
     * {@link #join} or {@link Room#cancelReservation()}.
     */
    public Reserved reserve(String roomId) {
        boolean[] created = {false};
        List<CompletableFuture<Void>> followed = new ArrayList<>(1);
        Room room = rooms.compute(roomId, (id, existing) -> {
            Room target = existing;
            if (target == null) {
                target = new Room(id, roomSettings, broadcaster, metrics);
                created[0] = true;
            }
            target.reserve();
            // under the room's key, so a sweep of the room before cannot release it after this follows it
            followed.add(following.follow(id, created[0]));
            return target;
        });
        return new Reserved(room, created[0], followed.get(0));
    }

    /**
     * A room reserved for a join; {@code created} when the join brought it into being; {@code followed}
     * completes once its events reach this gateway.
     */
    public record Reserved(Room room, boolean created, CompletableFuture<Void> followed) {
    }

    /**
     * Moves the session into a reserved room (leaving its previous one) and sends it its joined frame.
     * A resume after a danmaku the room's recent list does not hold, but recent enough to be in it,
     * waits for the room's history to be read back from the bus (at most a second more than the
     * history's longest answer): that is a viewer of another gateway that died, or of a room this
     * gateway let go. {@code ticket} is the member's join: a later join on the same connection
     * supersedes it.
     */
    public void join(Member session, long ticket, Room room, Identity identity, String resumeAfter,
            Function<Room.Recent, ServerFrame> joinedFrame) {
        long historySince = historySince(room, resumeAfter);
        if (historySince < 0) {
            enter(session, ticket, room, null, identity, () -> room.join(session, resumeAfter, joinedFrame));
            return;
        }
        CatchUp catchUp = room.beginCatchUp();
        history.since(room.id(), historySince)
                .orTimeout(history.longestAnswer().plusSeconds(1).toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((danmaku, failure) -> {
                    if (failure != null) {
                        log.info("Room {}: no history to resume after {} ({})", room.id(), resumeAfter, failure.toString());
                    }
                    enter(session, ticket, room, catchUp, identity, () -> room.join(session, resumeAfter, catchUp,
                            failure == null ? danmaku : List.of(), joinedFrame));
                });
    }

    /** One join of a session at a time, and only its latest: an earlier one still waiting gives its room up. */
    private void enter(Member session, long ticket, Room room, CatchUp catchUp, Identity identity, Runnable join) {
        synchronized (session.joinLock()) {
            if (!session.isLatestJoin(ticket)) {
                room.cancelReservation(catchUp);
                return;
            }
            leave(session);
            session.enter(room, identity);
            join.run();
        }
        if (session.closed()) {
            // it closed while the join waited, before or after unregister looked for its room
            room.leave(session);
            session.leaveRoom();
        }
    }

    /**
     * Where to read the room's history from for a resume after {@code msgId}, or -1 when none is
     * needed or none would help: the recent list holds it, or it is not one of ours (a time-ordered
     * UUID, version 7) from within the recent list's age.
     */
    private long historySince(Room room, String msgId) {
        if (msgId.isEmpty() || room.holds(msgId)) {
            return -1;
        }
        OptionalLong accepted = MsgIds.epochMillis(msgId);
        if (accepted.isEmpty()) {
            return -1;
        }
        long acceptedAt = accepted.getAsLong();
        long now = System.currentTimeMillis();
        if (acceptedAt < now - roomSettings.recentMaxAgeMillis() || acceptedAt > now + HISTORY_CLOCK_SKEW.toMillis()) {
            return -1;
        }
        // the bus's time is the filter's clock: allow for it being behind the accepting gateway's
        return acceptedAt - HISTORY_CLOCK_SKEW.toMillis();
    }

    public void leave(Member session) {
        Room room = session.room();
        if (room != null) {
            room.leave(session);
            session.leaveRoom();
        }
    }

    public Optional<Room> room(String roomId) {
        return Optional.ofNullable(rooms.get(roomId));
    }

    /** Drops rooms that have had no local viewers for longer than the grace period, and releases them. */
    public void sweepEmptyRooms(long graceMillis) {
        long cutoff = System.currentTimeMillis() - graceMillis;
        for (String roomId : rooms.keySet()) {
            // per key, so a concurrent reserve cannot get a room that is being dropped, nor follow it before the release
            rooms.computeIfPresent(roomId, (id, room) -> {
                if (!room.emptySince(cutoff)) {
                    return room;
                }
                following.release(id);
                return null;
            });
        }
    }
}
