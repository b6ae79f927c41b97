package dev.danmaku.gateway.ws;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.danmaku.gateway.room.Member;
import dev.danmaku.gateway.room.Members;
import dev.danmaku.gateway.room.RoomRegistry;

/** The open sessions of this gateway, by id; a session that closes leaves its room. Thread-safe. */
public final class SessionTable implements Members {

    private final Map<String, ClientSession> sessions = new ConcurrentHashMap<>();
    private final RoomRegistry rooms;

    public SessionTable(RoomRegistry rooms) {
        this.rooms = rooms;
    }

    void register(ClientSession session) {
        sessions.put(session.id(), session);
    }

    /** Forgets a closed session and takes it out of its room. */
    void unregister(ClientSession session) {
        if (sessions.remove(session.id()) != null) {
            session.markClosed(); // before it leaves: a join that finishes later sees it and leaves too
            rooms.leave(session);
        }
    }

    @Override
    public Optional<Member> member(String sessionId) {
        return Optional.ofNullable(sessions.get(sessionId));
    }

    Collection<ClientSession> sessions() {
        return sessions.values();
    }

    public int count() {
        return sessions.size();
    }

    /** Closes every session with {@code code} (1001 when the gateway shuts down). */
    public void closeAll(int code, String reason) {
        sessions.values().forEach(session -> session.close(code, reason));
    }
}
