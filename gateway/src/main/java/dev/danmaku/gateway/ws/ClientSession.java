package dev.danmaku.gateway.ws;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;

import io.undertow.websockets.core.WebSocketCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;

import dev.danmaku.common.auth.Identity;
import dev.danmaku.gateway.room.Room;
import dev.danmaku.proto.v1.ServerFrame;

/**
 * One viewer's connection: who it is, which room it is in, and its outbound queue.
 *
 * <p>Writes go to Undertow while less than {@link #IN_FLIGHT_BYTES} are unwritten; the rest wait
 * here, bounded by {@code queueLimitBytes}. When a viewer reads too slowly the oldest broadcast
 * batches are dropped (acks, errors and other replies never are); a viewer whose queue keeps
 * overflowing for the slow-viewer timeout is closed with 4009. Nothing a slow viewer does holds up
 * the threads that write to the others.
 */
public final class ClientSession {

    public static final int CLOSE_TOO_SLOW = 4009;
    static final int IN_FLIGHT_BYTES = 64 * 1024;
    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

    private record Queued(OutboundFrame frame, ByteBuffer bytes, boolean droppable) {
    }

    private final String id;
    private final WebSocketChannel channel;
    private final WireFormat format;
    private final String address;
    private final int lane;
    private final SessionMetrics metrics;
    private final int queueLimitBytes;
    private final long slowViewerNanos;
    private final SendRate sendRate;
    private final long connectedAtNanos = System.nanoTime();
    private final WebSocketCallback<Object> onWritten = new OnWritten();

    private volatile Identity identity;
    private volatile Room room;
    private volatile boolean joinedOnce;
    private volatile long lastHeardNanos = System.nanoTime();
    private volatile long lastPingNanos;

    // guarded by this
    private ArrayDeque<Queued> queue;
    private long queuedBytes;
    private long inFlightBytes;
    private long overflowingSinceNanos;
    private boolean pumping;
    private boolean closed;

    public ClientSession(String id, WebSocketChannel channel, WireFormat format, String address, int lane,
            SessionMetrics metrics, int queueLimitBytes, long slowViewerNanos, SendRate sendRate) {
        this.id = id;
        this.channel = channel;
        this.format = format;
        this.address = address;
        this.lane = lane;
        this.metrics = metrics;
        this.queueLimitBytes = queueLimitBytes;
        this.slowViewerNanos = slowViewerNanos;
        this.sendRate = sendRate;
    }

    public String id() {
        return id;
    }

    public WireFormat format() {
        return format;
    }

    public String address() {
        return address;
    }

    /** The broadcast thread that writes this session's batches, so they stay in order. */
    public int lane() {
        return lane;
    }

    /** Null while anonymous. */
    public Identity identity() {
        return identity;
    }

    public String userId() {
        Identity current = identity;
        return current == null ? "anonymous-" + id : current.userId();
    }

    /** A signed-in viewer with a sending role; whether the token is still valid is checked per send. */
    public boolean canSend() {
        Identity current = identity;
        return current != null && current.hasAnyRole(Identity.SENDERS);
    }

    public boolean tokenExpired(Instant now) {
        Identity current = identity;
        return current != null && current.expired(now);
    }

    public SendRate sendRate() {
        return sendRate;
    }

    /** Null until joined. */
    public Room room() {
        return room;
    }

    public void enter(Room newRoom, Identity newIdentity) {
        this.room = newRoom;
        this.identity = newIdentity;
        this.joinedOnce = true;
    }

    public void leaveRoom() {
        this.room = null;
    }

    public boolean joinedOnce() {
        return joinedOnce;
    }

    public long connectedAtNanos() {
        return connectedAtNanos;
    }

    /** Any frame from the viewer, pongs included, shows it is alive. */
    public void heard() {
        lastHeardNanos = System.nanoTime();
    }

    /**
     * Called once per ping interval: true when the viewer answered nothing since the previous ping
     * (it is dead); otherwise sends a new ping.
     */
    public boolean pingOrFindDead() {
        long now = System.nanoTime();
        if (lastPingNanos != 0 && lastHeardNanos < lastPingNanos) {
            return true;
        }
        lastPingNanos = now;
        if (channel.isOpen()) {
            WebSockets.sendPing(ByteBuffer.allocate(0), channel, onWritten, null);
        }
        return false;
    }

    /** A reply to this viewer (ack, error, joined...): never dropped. */
    public void send(ServerFrame frame) {
        enqueue(new OutboundFrame(frame), false);
    }

    /** A broadcast batch: dropped, oldest first, when this viewer cannot keep up. */
    public void broadcast(OutboundFrame frame) {
        enqueue(frame, true);
    }

    private void enqueue(OutboundFrame frame, boolean droppable) {
        ByteBuffer bytes = frame.bytes(format);
        boolean tooSlow = false;
        synchronized (this) {
            if (closed || !channel.isOpen()) {
                return;
            }
            if (queue == null) {
                queue = new ArrayDeque<>(4);
            }
            queue.addLast(new Queued(frame, bytes, droppable));
            queuedBytes += bytes.remaining();
            pump();
            // only what Undertow could not take yet counts against the bound, so one big frame still goes out
            if (queuedBytes > queueLimitBytes) {
                tooSlow = dropOldestBatches();
            }
        }
        if (tooSlow) {
            metrics.slowViewerClosed();
            close(CLOSE_TOO_SLOW, "too slow: the outbound queue stayed full");
        }
    }

    /** Returns true when the viewer has been overflowing for longer than allowed. */
    private boolean dropOldestBatches() {
        Iterator<Queued> oldestFirst = queue.iterator();
        while (queuedBytes > queueLimitBytes && oldestFirst.hasNext()) {
            Queued queued = oldestFirst.next();
            if (queued.droppable()) {
                oldestFirst.remove();
                queuedBytes -= queued.bytes().remaining();
                metrics.batchDropped();
            }
        }
        long now = System.nanoTime();
        if (overflowingSinceNanos == 0) {
            overflowingSinceNanos = now;
        }
        return queuedBytes > queueLimitBytes || now - overflowingSinceNanos > slowViewerNanos;
    }

    /** Hands queued frames to Undertow while little is unwritten. Caller holds the lock. */
    private void pump() {
        if (pumping) {
            return;
        }
        pumping = true;
        try {
            while (!queue.isEmpty() && inFlightBytes < IN_FLIGHT_BYTES) {
                Queued next = queue.pollFirst();
                int size = next.bytes().remaining();
                queuedBytes -= size;
                inFlightBytes += size;
                metrics.frameOut(size);
                if (format == WireFormat.PROTO) {
                    WebSockets.sendBinary(next.bytes(), channel, onWritten, Long.valueOf(size));
                } else {
                    WebSockets.sendText(next.bytes(), channel, onWritten, Long.valueOf(size));
                }
            }
            if (queue.isEmpty()) {
                overflowingSinceNanos = 0;
            }
        } finally {
            pumping = false;
        }
    }

    private synchronized void written(long size) {
        inFlightBytes -= size;
        if (!closed && queue != null) {
            pump();
        }
    }

    /** Drops a dead connection without a closing handshake nobody would answer. */
    public void abort() {
        synchronized (this) {
            closed = true;
            if (queue != null) {
                queue.clear();
            }
        }
        IoUtils.safeClose(channel);
    }

    /** Sends a close frame with the code of DESIGN §4 and closes the connection. */
    public void close(int code, String reason) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (queue != null) {
                queue.clear();
            }
        }
        if (channel.isOpen()) {
            WebSockets.sendClose(code, reason, channel, new WebSocketCallback<>() {
                @Override
                public void complete(WebSocketChannel ch, Void context) {
                    IoUtils.safeClose(ch);
                }

                @Override
                public void onError(WebSocketChannel ch, Void context, Throwable throwable) {
                    IoUtils.safeClose(ch);
                }
            });
        }
    }

    /** Undertow calls back with the frame's size as context; a failed write means the peer is gone. */
    private final class OnWritten implements WebSocketCallback<Object> {
        @Override
        public void complete(WebSocketChannel ch, Object context) {
            if (context instanceof Long size) {
                written(size);
            }
        }

        @Override
        public void onError(WebSocketChannel ch, Object context, Throwable throwable) {
            metrics.writeFailed();
            if (!(throwable instanceof IOException)) {
                log.warn("Write to {} failed", ch.getPeerAddress(), throwable);
            }
            IoUtils.safeClose(ch);
        }
    }
}
