package dev.danmaku.gateway.room;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import java.util.function.Function;

import dev.danmaku.common.auth.Identity;
import dev.danmaku.gateway.ws.ClientSession;
import dev.danmaku.proto.v1.ServerFrame;

/**
 * Every room and session of this gateway. A room exists while it has local viewers, and for a
 * grace period after the last one left (so a reconnecting viewer resumes without a gap); the
 * Kafka feed follows exactly the partitions of the rooms that exist.
 */
public final class RoomRegistry {

    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
    private final Map<String, ClientSession> sessions = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> connectionsByAddress = new ConcurrentHashMap<>();
    private final Room.RoomSettings roomSettings;
    private final Broadcaster broadcaster;
    private final RoomMetrics metrics;
    private volatile Runnable onRoomsChanged = () -> { };

    public RoomRegistry(Room.RoomSettings roomSettings, Broadcaster broadcaster, RoomMetrics metrics) {
        this.roomSettings = roomSettings;
        this.broadcaster = broadcaster;
        this.metrics = metrics;
    }

    /** Called (from any thread) whenever a room appears or disappears. */
    public void onRoomsChanged(Runnable listener) {
        this.onRoomsChanged = listener;
    }

    /** Registers a new connection unless its address already holds {@code perAddressLimit}. */
    public boolean register(ClientSession session, int perAddressLimit) {
        AtomicInteger count = connectionsByAddress.computeIfAbsent(session.address(), a -> new AtomicInteger());
        if (count.incrementAndGet() > perAddressLimit) {
            release(session.address());
            return false;
        }
        sessions.put(session.id(), session);
        return true;
    }

    /** Forgets a closed session. */
    public void unregister(ClientSession session) {
        if (sessions.remove(session.id()) != null) {
            leave(session);
            release(session.address());
        }
    }

    private void release(String address) {
        connectionsByAddress.computeIfPresent(address, (a, count) -> count.decrementAndGet() <= 0 ? null : count);
    }

    public Optional<ClientSession> session(String sessionId) {
        return Optional.ofNullable(sessions.get(sessionId));
    }

    public Collection<ClientSession> sessions() {
        return sessions.values();
    }

    public int sessionCount() {
        return sessions.size();
    }

    public int roomCount() {
        return rooms.size();
    }

    public Set<String> roomIds() {
        return rooms.keySet();
    }

    public Collection<Room> rooms() {
        return rooms.values();
    }

    /**
     * The room, created if needed and reserved for one joining session, so it is not swept while
     * the feed starts following it. The caller ends the reservation with {@link #join} or
     * {@link Room#cancelReservation()}.
     */
    public Reserved reserve(String roomId) {
        boolean[] created = {false};
        Room room = rooms.compute(roomId, (id, existing) -> {
            Room target = existing;
            if (target == null) {
                target = new Room(id, roomSettings, broadcaster, metrics);
                created[0] = true;
            }
            target.reserve();
            return target;
        });
        if (created[0]) {
            onRoomsChanged.run();
        }
        return new Reserved(room, created[0]);
    }

    /** A room reserved for a join; {@code created} when the join brought it into being. */
    public record Reserved(Room room, boolean created) {
    }

    /** Moves the session into a reserved room (leaving its previous one) and sends it its joined frame. */
    public void join(ClientSession session, Room room, Identity identity, String resumeAfter,
            Function<Room.Recent, ServerFrame> joinedFrame) {
        leave(session);
        session.enter(room, identity);
        room.join(session, resumeAfter, joinedFrame);
    }

    public void leave(ClientSession session) {
        Room room = session.room();
        if (room != null) {
            room.leave(session);
            session.leaveRoom();
        }
    }

    public Optional<Room> room(String roomId) {
        return Optional.ofNullable(rooms.get(roomId));
    }

    /** Drops rooms that have had no local viewers for longer than the grace period. */
    public void sweepEmptyRooms(long graceMillis) {
        long cutoff = System.currentTimeMillis() - graceMillis;
        boolean changed = false;
        for (String roomId : rooms.keySet()) {
            // compute per key, so a concurrent roomToJoin cannot get a room that is being dropped
            Room kept = rooms.computeIfPresent(roomId, (id, room) -> room.emptySince(cutoff) ? null : room);
            changed |= kept == null;
        }
        if (changed) {
            onRoomsChanged.run();
        }
    }

    /** Closes every session with {@code code} (1001 when the gateway shuts down). */
    public void closeAll(int code, String reason) {
        sessions.values().forEach(session -> session.close(code, reason));
    }
}
