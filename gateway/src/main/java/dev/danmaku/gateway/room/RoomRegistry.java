package dev.danmaku.gateway.room;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.danmaku.common.auth.Identity;
import dev.danmaku.gateway.ws.ClientSession;

/** Every room and session of this gateway. */
public final class RoomRegistry {

    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
    private final Map<String, ClientSession> sessions = new ConcurrentHashMap<>();
    private final int recentSize;

    public RoomRegistry(int recentSize) {
        this.recentSize = recentSize;
    }

    public void register(ClientSession session) {
        sessions.put(session.id(), session);
    }

    /** Forgets a closed session. */
    public void unregister(ClientSession session) {
        leave(session);
        sessions.remove(session.id());
    }

    public Optional<ClientSession> session(String sessionId) {
        return Optional.ofNullable(sessions.get(sessionId));
    }

    public int sessionCount() {
        return sessions.size();
    }

    public int roomCount() {
        return rooms.size();
    }

    /** Moves the session into a room (leaving its previous one). */
    public Room join(ClientSession session, String roomId, Identity identity) {
        leave(session);
        Room room = rooms.compute(roomId, (id, existing) -> {
            Room target = existing != null ? existing : new Room(id, recentSize);
            target.add(session);
            return target;
        });
        session.enter(room, identity);
        return room;
    }

    public void leave(ClientSession session) {
        Room room = session.room();
        if (room != null) {
            room.remove(session);
            session.leaveRoom();
        }
    }

    /** The room an event is for, created if needed so its recent danmaku are kept for later joiners. */
    public Room roomForEvents(String roomId) {
        return rooms.computeIfAbsent(roomId, id -> new Room(id, recentSize));
    }

    public Optional<Room> room(String roomId) {
        return Optional.ofNullable(rooms.get(roomId));
    }

    /** Drops rooms that have had no local viewers and no activity for {@code retention}. */
    public void sweepIdleRooms(Duration retention) {
        long cutoff = System.currentTimeMillis() - retention.toMillis();
        // compute per key, so a concurrent join cannot land in a room that is being dropped
        for (String roomId : rooms.keySet()) {
            rooms.computeIfPresent(roomId, (id, room) -> room.idleSince(cutoff) ? null : room);
        }
    }

    /** Closes every session with {@code code} (1001 when the gateway shuts down). */
    public void closeAll(int code, String reason) {
        sessions.values().forEach(session -> session.close(code, reason));
    }
}
