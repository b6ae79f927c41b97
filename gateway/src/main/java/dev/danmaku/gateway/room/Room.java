package dev.danmaku.gateway.room;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.danmaku.gateway.protocol.OutboundFrame;
import dev.danmaku.gateway.protocol.ServerFrames;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.ServerFrame;

/**
 * A room as this gateway sees it: its local viewers, the danmaku waiting for the next flush, and
 * the most recent ones (for joined.recent and resumeAfter).
 *
 * <p>Adaptive flushing: the first danmaku after a quiet window goes out at once; under load a room
 * flushes at most once per window, all pending danmaku in one batch frame, encoded once per wire
 * format and written to every viewer by its lane. The room knows its viewers only as {@link Viewer}
 * handles.
 */
public final class Room {

    private static final Logger log = LoggerFactory.getLogger(Room.class);

    /** What a joining viewer gets: the danmaku to show, and whether they continue exactly after resumeAfter. */
    public record Recent(List<Danmaku> danmaku, boolean resumed) {
    }

    private final String id;
    private final RoomSettings settings;
    private final Broadcaster broadcaster;
    private final RoomMetrics metrics;

    // guarded by this
    private final List<Set<Viewer>> viewersByLane;
    private int online;
    private int reservations;
    private final RecentDanmaku recent;
    private List<Danmaku> pending = new ArrayList<>();
    /** Shadowed danmaku waiting for the next flush, each shown to its sender alone. */
    private List<Shadowed> pendingShadowed = new ArrayList<>();
    private final Set<String> pendingIds = new HashSet<>();
    private int pendingBytes;
    private boolean flushScheduled;
    private long lastFlushNanos;
    private long emptySinceMillis = System.currentTimeMillis();
    private volatile int lastPresence = -1;
    private final List<CatchUp> catchUps = new ArrayList<>();

    /**
     * What a room needs to know from the gateway's configuration.
     *
     * @param maxBatchBytes a batch this big flushes at once, before its window ends
     */
    public record RoomSettings(int recentSize, long recentMaxAgeMillis, long flushWindowNanos, int maxBatchBytes) {

        /**
         * Most danmaku a resume read back from the bus replays: a busy room's viewers handed over by a
         * gateway that lost Kafka for a few seconds are hundreds behind, more than the recent list.
         */
        public static final int RESUME_MOST = 1000;

        /** The batch bound for viewers' queues of {@code outboundQueueBytes}: a few batches fit, and 64 KiB at most. */
        public static int maxBatchBytesFor(int outboundQueueBytes) {
            return Math.min(64 * 1024, outboundQueueBytes / 4);
        }
    }

    Room(String id, RoomSettings settings, Broadcaster broadcaster, RoomMetrics metrics) {
        this.id = id;
        this.settings = settings;
        this.broadcaster = broadcaster;
        this.metrics = metrics;
        this.viewersByLane = new ArrayList<>(broadcaster.laneCount());
        for (int i = 0; i < broadcaster.laneCount(); i++) {
            viewersByLane.add(new HashSet<>());
        }
        this.lastFlushNanos = System.nanoTime() - settings.flushWindowNanos();
        this.recent = new RecentDanmaku(settings.recentSize(), settings.recentMaxAgeMillis());
    }

    public String id() {
        return id;
    }

    public synchronized int online() {
        return online;
    }

    /**
     * Adds the viewer and sends it its {@code joined} frame in one step: the frame's recent danmaku
     * and the batches that follow neither overlap nor leave a gap.
     */
    synchronized void join(Viewer viewer, String resumeAfter, Function<Recent, ServerFrame> joinedFrame) {
        join(viewer, resumeAfter, null, List.of(), joinedFrame);
    }

    /**
     * Joins with the room's history read back from the bus since {@code catchUp} began: a resume the
     * recent list cannot serve continues from the history instead.
     */
    synchronized void join(Viewer viewer, String resumeAfter, CatchUp catchUp, List<Danmaku> history,
            Function<Recent, ServerFrame> joinedFrame) {
        reservations--;
        if (viewersByLane.get(viewer.lane()).add(viewer)) {
            online++;
        }
        Recent fromRecent = recent.after(resumeAfter, System.currentTimeMillis());
        Recent fromHistory = null;
        if (catchUp != null) {
            catchUps.remove(catchUp);
            if (!fromRecent.resumed()) {
                fromHistory = catchUp.after(resumeAfter, history, pendingIds);
            }
        }
        if (!resumeAfter.isEmpty()) {
            metrics.resumed(fromRecent.resumed(), fromHistory != null);
        }
        viewer.send(joinedFrame.apply(fromHistory != null ? fromHistory : fromRecent));
    }

    /** Whether a resume after {@code msgId} is served from the recent list, with no history needed. */
    synchronized boolean holds(String msgId) {
        return recent.holds(msgId);
    }

    /**
     * Starts noting what this room flushes, for a join that will combine it with history read from
     * the bus from now on; ended by that {@link #join}.
     */
    synchronized CatchUp beginCatchUp() {
        CatchUp catchUp = new CatchUp(Math.max(settings.recentSize(), RoomSettings.RESUME_MOST));
        catchUps.add(catchUp);
        return catchUp;
    }

    synchronized void leave(Viewer viewer) {
        if (viewersByLane.get(viewer.lane()).remove(viewer)) {
            online--;
            if (online == 0) {
                emptySinceMillis = System.currentTimeMillis();
            }
        }
    }

    synchronized void reserve() {
        reservations++;
    }

    /** A reserved join that will not happen (the feed could not follow the room in time). */
    public void cancelReservation() {
        cancelReservation(null);
    }

    /** A reserved join that will not happen, and the catch-up it began, if any. */
    synchronized void cancelReservation(CatchUp catchUp) {
        catchUps.remove(catchUp);
        reservations--;
        if (online == 0) {
            emptySinceMillis = System.currentTimeMillis();
        }
    }

    synchronized boolean emptySince(long cutoffMillis) {
        return online == 0 && reservations == 0 && emptySinceMillis < cutoffMillis;
    }

    private record Shadowed(Danmaku danmaku, Viewer sender, int position) {
    }

    /**
     * Queues an accepted danmaku for the next flush, which comes at the end of the window or as soon as
     * the batch is full, whichever is first; one this room has shown or queued already is dropped.
     */
    public void add(Danmaku danmaku) {
        long delay;
        synchronized (this) {
            if (recent.holds(danmaku.getMsgId()) || !pendingIds.add(danmaku.getMsgId())) {
                return;
            }
            pending.add(danmaku);
            pendingBytes += danmaku.getSerializedSize();
            if (pendingBytes >= settings.maxBatchBytes()) {
                // on the caller's thread: flushing only hands frames to the lanes, and the batch stays bounded
                flush();
                return;
            }
            delay = flushDelay();
        }
        if (delay >= 0) {
            broadcaster.after(delay, this::flush);
        }
    }

    /**
     * Queues a shadowed danmaku for its sender alone: it reaches them in the room's next flush, in the
     * same batch as the accepted danmaku around it, so nothing in its timing or shape gives it away.
     */
    public void addShadowed(Danmaku danmaku, Viewer sender) {
        long delay;
        synchronized (this) {
            pendingShadowed.add(new Shadowed(danmaku, sender, pending.size()));
            delay = flushDelay();
        }
        if (delay >= 0) {
            broadcaster.after(delay, this::flush);
        }
    }

    /** When the next flush is due, for the caller to schedule; -1 when one is scheduled already. Under the lock. */
    private long flushDelay() {
        if (flushScheduled) {
            return -1;
        }
        flushScheduled = true;
        return Math.max(0, lastFlushNanos + settings.flushWindowNanos() - System.nanoTime());
    }

    /**
     * Sends every pending danmaku now (before a recall or notice, so the room sees them in order).
     * Frames are handed to the lanes under the room's lock: a frame taken from the room before another
     * is queued on every lane before it, whichever thread flushes.
     */
    public void flush() {
        List<Danmaku> batch;
        int viewers;
        synchronized (this) {
            flushScheduled = false;
            lastFlushNanos = System.nanoTime();
            if (pending.isEmpty() && pendingShadowed.isEmpty()) {
                return;
            }
            batch = pending;
            List<Shadowed> shadowed = pendingShadowed;
            pending = new ArrayList<>();
            pendingShadowed = new ArrayList<>();
            pendingIds.clear();
            pendingBytes = 0;
            long now = System.currentTimeMillis();
            for (Danmaku danmaku : batch) {
                recent.remember(danmaku, now);
            }
            catchUps.forEach(catchUp -> catchUp.flushed(batch));
            viewers = write(snapshot(), batch.isEmpty() ? null : batchFrame(batch), sendersOwn(batch, shadowed));
        }
        if (log.isDebugEnabled()) {
            log.debug("Room {} flushed {} to {} viewers", id, batch.stream().map(Danmaku::getMsgId).toList(), viewers);
        }
        long now = System.currentTimeMillis();
        for (Danmaku danmaku : batch) {
            metrics.accepted(danmaku.getSentAtMs(), now);
        }
        metrics.flushed(batch.size(), viewers);
    }

    /** Removes a recalled danmaku from what the room holds, and tells every viewer. */
    public synchronized void recall(String msgId) {
        pending.removeIf(d -> d.getMsgId().equals(msgId));
        pendingIds.remove(msgId);
        recent.forget(msgId);
        catchUps.forEach(catchUp -> catchUp.recalled(msgId));
        write(snapshot(), new OutboundFrame(ServerFrames.recall(id, msgId)));
    }

    /** A frame for everyone in the room right now (notice, presence), after what is pending. */
    public synchronized void tell(ServerFrame frame) {
        flush();
        write(snapshot(), new OutboundFrame(frame));
    }

    /** Presence is pushed only when the count changed; returns whether it did. */
    public boolean presenceChanged(int count) {
        if (count == lastPresence) {
            return false;
        }
        lastPresence = count;
        return true;
    }

    private static OutboundFrame batchFrame(List<Danmaku> danmaku) {
        return new OutboundFrame(ServerFrames.batch(danmaku));
    }

    /** The batch each sender of a shadowed danmaku gets instead: the room's, with theirs where they came. */
    private Map<Viewer, OutboundFrame> sendersOwn(List<Danmaku> batch, List<Shadowed> shadowed) {
        if (shadowed.isEmpty()) {
            return Map.of();
        }
        Map<Viewer, List<Shadowed>> bySender = new LinkedHashMap<>();
        for (Shadowed one : shadowed) {
            // a sender who has left the room is not shown it elsewhere
            if (viewersByLane.get(one.sender().lane()).contains(one.sender())) {
                bySender.computeIfAbsent(one.sender(), s -> new ArrayList<>()).add(one);
            }
        }
        Map<Viewer, OutboundFrame> own = new HashMap<>();
        bySender.forEach((sender, theirs) -> {
            List<Danmaku> merged = new ArrayList<>(batch.size() + theirs.size());
            int next = 0;
            for (Shadowed one : theirs) {
                // a recall may have taken pending danmaku out since it was queued
                int at = Math.min(Math.max(one.position(), next), batch.size());
                merged.addAll(batch.subList(next, at));
                next = at;
                merged.add(one.danmaku());
            }
            merged.addAll(batch.subList(next, batch.size()));
            own.put(sender, batchFrame(merged));
        });
        return own;
    }

    /** Queues a frame on every lane that holds a viewer of the room; the caller holds the room's lock. */
    private int write(List<Viewer[]> lanes, OutboundFrame frame) {
        return write(lanes, frame, Map.of());
    }

    /** As {@link #write(List, OutboundFrame)}, with a frame of their own for some viewers (null: nothing for the rest). */
    private int write(List<Viewer[]> lanes, OutboundFrame frame, Map<Viewer, OutboundFrame> own) {
        int viewers = 0;
        for (int lane = 0; lane < lanes.size(); lane++) {
            Viewer[] inLane = lanes.get(lane);
            if (inLane.length == 0) {
                continue;
            }
            viewers += inLane.length;
            broadcaster.onLane(lane, () -> {
                for (Viewer viewer : inLane) {
                    OutboundFrame next = own.isEmpty() ? frame : own.getOrDefault(viewer, frame);
                    if (next != null) {
                        viewer.broadcast(next);
                    }
                }
            });
        }
        return viewers;
    }

    private List<Viewer[]> snapshot() {
        List<Viewer[]> lanes = new ArrayList<>(viewersByLane.size());
        for (Set<Viewer> inLane : viewersByLane) {
            lanes.add(inLane.toArray(Viewer[]::new));
        }
        return lanes;
    }

}
