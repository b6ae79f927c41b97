package dev.danmaku.gateway.ws;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.undertow.websockets.core.WebSocketCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;

import dev.danmaku.common.auth.Identity;
import dev.danmaku.gateway.protocol.OutboundFrame;
import dev.danmaku.gateway.protocol.ServerFrames;
import dev.danmaku.gateway.protocol.WireFormat;
import dev.danmaku.gateway.room.Room;
import dev.danmaku.gateway.room.Member;
import dev.danmaku.proto.v1.ServerFrame;

/**
 * One viewer's connection: who it is, which room it is in, and its outbound queue.
 *
 * <p>Frames wait in its {@link Outbox}, which drops the oldest broadcast batches of a viewer that reads
 * too slowly and closes it with 4009 when its queue stays full past the slow-viewer timeout. Nothing a
 * slow viewer does holds up the threads that write to the others.
 */
public final class ClientSession implements Member {

    public static final int CLOSE_TOO_SLOW = 4009;
    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

    private final String id;
    private final WebSocketChannel channel;
    private final WireFormat format;
    private final String address;
    private final int lane;
    private final SessionMetrics metrics;
    private final Outbox outbox;
    private volatile SendRate sendRate;
    private final SendLedger sends;
    private final long connectedAtNanos = System.nanoTime();
    private final WebSocketCallback<Object> onWritten = new OnWritten();

    private volatile Identity identity;
    private volatile Room room;
    private volatile boolean joinedOnce;
    private volatile boolean closed;
    private final AtomicLong joins = new AtomicLong();
    private volatile long lastHeardNanos = System.nanoTime();
    private volatile long lastPingNanos;

    public ClientSession(String id, WebSocketChannel channel, WireFormat format, String address, int lane,
            SessionMetrics metrics, OutboundBudget budget, int queueLimitBytes, long slowViewerNanos, SendRate sendRate,
            long answerTimeoutNanos) {
        this.id = id;
        this.channel = channel;
        this.format = format;
        this.address = address;
        this.lane = lane;
        this.metrics = metrics;
        this.outbox = new Outbox(new SocketTransport(), this::afterOnIoThread, metrics, budget, queueLimitBytes,
                slowViewerNanos);
        this.sendRate = sendRate;
        this.sends = new SendLedger(this::afterOnIoThread, answerTimeoutNanos, this::unanswered);
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
    @Override
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

    /** Sends from a budget shared with the user's other connections ({@link UserLimits}). */
    void useSendRate(SendRate shared) {
        this.sendRate = shared;
    }

    /** This viewer's sends until each is answered. */
    SendLedger sends() {
        return sends;
    }

    /** The verdict of one of this viewer's sends: the ack is its answer, now and to any retry. */
    @Override
    public void acknowledge(ServerFrame ack) {
        sends.answered(ack.getAck().getClientMsgId(), ack);
        send(ack);
    }

    private void unanswered(String clientMsgId) {
        metrics.unanswered();
        send(ServerFrames.error("unavailable", "no verdict yet: send it again with the same clientMsgId (it is shown once)",
                clientMsgId));
    }

    /** Null until joined. */
    @Override
    public Room room() {
        return room;
    }

    /** A new join on this connection; it supersedes any still waiting. */
    public long startJoin() {
        return joins.incrementAndGet();
    }

    @Override
    public boolean isLatestJoin(long ticket) {
        return joins.get() == ticket;
    }

    /** Held while a join moves this session between rooms, so two joins never interleave. */
    @Override
    public Object joinLock() {
        return joins;
    }

    @Override
    public void enter(Room newRoom, Identity newIdentity) {
        this.room = newRoom;
        this.identity = newIdentity;
        this.joinedOnce = true;
    }

    @Override
    public void leaveRoom() {
        this.room = null;
    }

    /** Set by the session table when the connection closed. */
    void markClosed() {
        closed = true;
    }

    @Override
    public boolean closed() {
        return closed;
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
    @Override
    public void send(ServerFrame frame) {
        enqueue(new OutboundFrame(frame), false);
    }

    /** A broadcast batch: dropped, oldest first, when this viewer cannot keep up. */
    @Override
    public void broadcast(OutboundFrame frame) {
        enqueue(frame, true);
    }

    private void enqueue(OutboundFrame frame, boolean droppable) {
        if (channel.isOpen()) {
            outbox.offer(frame.bytes(format), droppable);
        }
    }

    /** Drops a dead connection without a closing handshake nobody would answer. */
    public void abort() {
        sends.clear();
        outbox.shut();
        IoUtils.safeClose(channel);
    }

    /** Sends a close frame with the code of DESIGN §4 and closes the connection. */
    public void close(int code, String reason) {
        sends.clear();
        if (outbox.shut() && channel.isOpen()) {
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

    /** The slow-viewer deadline runs on this connection's I/O thread, which outlives any traffic. */
    private Runnable afterOnIoThread(Runnable task, long delayNanos) {
        XnioExecutor.Key key = channel.getIoThread().executeAfter(task, delayNanos, TimeUnit.NANOSECONDS);
        return key::remove;
    }

    private final class SocketTransport implements Outbox.Transport {
        @Override
        public void write(ByteBuffer bytes) {
            Long size = Long.valueOf(bytes.remaining());
            if (format == WireFormat.PROTO) {
                WebSockets.sendBinary(bytes, channel, onWritten, size);
            } else {
                WebSockets.sendText(bytes, channel, onWritten, size);
            }
        }

        @Override
        public void tooSlow() {
            metrics.slowViewerClosed();
            close(CLOSE_TOO_SLOW, "too slow: the outbound queue stayed full");
        }
    }

    /** Undertow calls back with the frame's size as context; a failed write means the peer is gone. */
    private final class OnWritten implements WebSocketCallback<Object> {
        @Override
        public void complete(WebSocketChannel ch, Object context) {
            if (context instanceof Long size) {
                metrics.frameWritten();
                outbox.written(size);
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
