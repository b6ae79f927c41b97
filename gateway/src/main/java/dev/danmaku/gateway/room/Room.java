package dev.danmaku.gateway.room;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.danmaku.gateway.ws.ClientSession;
import dev.danmaku.gateway.ws.OutboundFrame;
import dev.danmaku.proto.v1.Danmaku;

/** A room as this gateway sees it: its local sessions and its most recent danmaku. */
public final class Room {

    /** What a joining viewer gets: the danmaku to show, and whether they continue exactly after resumeAfter. */
    public record Recent(List<Danmaku> danmaku, boolean resumed) {
    }

    private final String id;
    private final int recentSize;
    private final Set<ClientSession> sessions = ConcurrentHashMap.newKeySet();
    private final ArrayDeque<Danmaku> recent = new ArrayDeque<>();
    private volatile long lastActivityMillis = System.currentTimeMillis();

    Room(String id, int recentSize) {
        this.id = id;
        this.recentSize = recentSize;
    }

    public String id() {
        return id;
    }

    public int online() {
        return sessions.size();
    }

    void add(ClientSession session) {
        sessions.add(session);
        touch();
    }

    void remove(ClientSession session) {
        sessions.remove(session);
        touch();
    }

    boolean idleSince(long cutoffMillis) {
        return sessions.isEmpty() && lastActivityMillis < cutoffMillis;
    }

    Set<ClientSession> sessions() {
        return sessions;
    }

    public synchronized void remember(Danmaku danmaku) {
        if (recentSize == 0) {
            return;
        }
        if (recent.size() == recentSize) {
            recent.removeFirst();
        }
        recent.addLast(danmaku);
        touch();
    }

    public synchronized void forget(String msgId) {
        recent.removeIf(d -> d.getMsgId().equals(msgId));
    }

    /**
     * The danmaku after {@code resumeAfter} when this room still holds it ({@code resumed} true),
     * otherwise everything held.
     */
    public synchronized Recent recentAfter(String resumeAfter) {
        if (!resumeAfter.isEmpty()) {
            List<Danmaku> after = new ArrayList<>();
            for (Iterator<Danmaku> it = recent.descendingIterator(); it.hasNext(); ) {
                Danmaku danmaku = it.next();
                if (danmaku.getMsgId().equals(resumeAfter)) {
                    java.util.Collections.reverse(after);
                    return new Recent(after, true);
                }
                after.add(danmaku);
            }
        }
        return new Recent(List.copyOf(recent), false);
    }

    /** Writes one frame to every local session; the frame is encoded once per wire format. */
    public void broadcast(OutboundFrame frame) {
        for (ClientSession session : sessions) {
            session.send(frame);
        }
    }

    private void touch() {
        lastActivityMillis = System.currentTimeMillis();
    }
}
