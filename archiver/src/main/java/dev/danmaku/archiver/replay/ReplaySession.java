package dev.danmaku.archiver.replay;

import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import org.xnio.IoUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.danmaku.archiver.store.ArchiveStore;
import dev.danmaku.archiver.store.ArchivedDanmaku;
import dev.danmaku.common.http.Json;

/**
 * One analyst's replay on its own thread: reads the range page by page and sends each danmaku when
 * the {@link PlaybackClock} reaches it. Control frames from the socket (pause, resume, seek, speed)
 * change the clock and wake the thread. Only this thread writes to the socket, so frames keep
 * their order and a slow reader slows the replay instead of filling memory.
 *
 * <p>Frames out: {@code {"type":"state","state":"playing|paused|ended","positionMs":..,"speed":..}},
 * {@code {"type":"danmaku","positionMs":..,"danmaku":{..}}}, {@code {"type":"error","detail":".."}}.
 * Frames in: {@code {"type":"pause"}}, {@code {"type":"resume"}}, {@code {"type":"seek","positionMs":..}},
 * {@code {"type":"speed","speed":..}}.
 */
final class ReplaySession implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(ReplaySession.class);
    static final int PAGE = 500;
    private static final long DATABASE_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Replies to control frames not sent yet: a client that sends controls and never reads is closed. */
    static final int MAX_UNSENT_REPLIES = 64;
    private static final int CLOSE_POLICY = 1008;

    private final ArchiveStore store;
    private final ReplayRequest request;
    private final WebSocketChannel channel;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    // guarded by lock
    private final PlaybackClock clock;
    private final ArrayDeque<ArchivedDanmaku> buffer = new ArrayDeque<>();
    private final ArrayDeque<String> outbox = new ArrayDeque<>();
    private ArchiveStore.Seek readAfter;
    private boolean exhausted;
    private boolean endAnnounced;
    private long generation;
    private boolean closed;
    private boolean overrun;

    ReplaySession(ArchiveStore store, ReplayRequest request, WebSocketChannel channel) {
        this.store = store;
        this.request = request;
        this.channel = channel;
        // the clock is anchored at the first danmaku read: the range plays from it, without an empty lead-in
        this.clock = new PlaybackClock(request.speed());
    }

    @Override
    public void run() {
        try {
            loop();
        } catch (IOException e) {
            log.debug("Replay reader went away: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            close();
            closeChannel();
        }
    }

    private void loop() throws IOException, InterruptedException {
        send(state("playing"));
        while (true) {
            String frame = null;
            ArchivedDanmaku due = null;
            boolean fetch = false;
            ArchiveStore.Seek fetchAfter = null;
            long fetchGeneration = 0;
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                long now = System.nanoTime();
                if (!outbox.isEmpty()) {
                    frame = outbox.poll();
                } else if (buffer.size() < PAGE / 4 && !exhausted) {
                    fetch = true;
                    fetchAfter = readAfter;
                    fetchGeneration = generation;
                } else if (buffer.isEmpty()) {
                    if (!endAnnounced) {
                        endAnnounced = true;
                        frame = state("ended");
                    } else {
                        changed.await();
                    }
                } else if (clock.paused()) {
                    changed.await();
                } else {
                    ArchivedDanmaku next = buffer.peek();
                    if (!clock.anchored()) {
                        clock.seek(position(next), now);
                    }
                    long wait = clock.dueNanos(position(next)) - now;
                    if (wait > 0) {
                        changed.awaitNanos(wait);
                    } else {
                        due = buffer.poll();
                    }
                }
            } finally {
                lock.unlock();
            }
            if (frame != null) {
                send(frame);
            } else if (due != null) {
                send(danmakuFrame(due));
            } else if (fetch) {
                fetch(fetchAfter, fetchGeneration);
            }
        }
    }

    private void fetch(ArchiveStore.Seek after, long forGeneration) throws IOException, InterruptedException {
        List<ArchivedDanmaku> rows;
        try {
            rows = store.page(request.filter(), request.order(), after, PAGE);
        } catch (SQLException e) {
            log.warn("Replay read failed, retrying: {}", e.getMessage());
            send(error("the archive database is unavailable; retrying"));
            lock.lock();
            try {
                changed.awaitNanos(DATABASE_RETRY_NANOS);
            } finally {
                lock.unlock();
            }
            return;
        }
        lock.lock();
        try {
            if (forGeneration != generation) {
                return; // a seek came in meanwhile: this page is from the old position
            }
            buffer.addAll(rows);
            exhausted = rows.size() < PAGE;
            if (!rows.isEmpty()) {
                readAfter = ArchiveStore.Seek.after(request.order(), rows.get(rows.size() - 1));
            }
        } finally {
            lock.unlock();
        }
    }

    /** A control frame from the analyst; bad ones get an error frame, the replay goes on. */
    void control(String text) {
        JsonNode frame;
        try {
            frame = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            reply(error("control frames are JSON objects such as {\"type\":\"pause\"}"));
            return;
        }
        String type = frame == null || !frame.isObject() ? "" : frame.path("type").asText("");
        long now = System.nanoTime();
        lock.lock();
        try {
            switch (type) {
                case "pause" -> {
                    clock.pause(now);
                    queue(state("paused"));
                }
                case "resume" -> {
                    clock.resume(now);
                    queue(state(endAnnounced ? "ended" : "playing"));
                }
                case "speed" -> {
                    JsonNode speed = frame.get("speed");
                    if (speed == null || !speed.isNumber()) {
                        queue(error("speed: a number " + ReplayRequest.MIN_SPEED + "-" + ReplayRequest.MAX_SPEED));
                        break;
                    }
                    try {
                        ReplayRequest.checkSpeed(speed.asDouble());
                    } catch (IllegalArgumentException e) {
                        queue(error(e.getMessage()));
                        break;
                    }
                    clock.speed(speed.asDouble(), now);
                    queue(state(clock.paused() ? "paused" : "playing"));
                }
                case "seek" -> {
                    JsonNode position = frame.get("positionMs");
                    if (position == null || !position.canConvertToLong() || position.asLong() < 0) {
                        queue(error("seek: positionMs, a whole number of milliseconds (epoch time, or the video"
                                + " offset in VOD mode)"));
                        break;
                    }
                    seek(position.asLong(), now);
                    queue(state(clock.paused() ? "paused" : "playing"));
                }
                default -> queue(error("type: one of pause, resume, seek, speed"));
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        cutIfOverrun();
    }

    /**
     * A client that sends controls and reads no replies: the replay thread may be blocked writing to
     * it, so the connection is cut from here (the receiving side).
     */
    private void cutIfOverrun() {
        boolean cut;
        lock.lock();
        try {
            cut = overrun;
        } finally {
            lock.unlock();
        }
        if (cut && channel.isOpen()) {
            log.info("Replay closed: more than {} control frames unanswered", MAX_UNSENT_REPLIES);
            WebSockets.sendClose(CLOSE_POLICY, "more than " + MAX_UNSENT_REPLIES + " control frames unanswered",
                    channel, null);
            IoUtils.safeClose(channel);
        }
    }

    private void seek(long positionMs, long now) {
        generation++;
        buffer.clear();
        exhausted = false;
        endAnnounced = false;
        clock.seek(positionMs, now);
        readAfter = request.order() == ArchiveStore.Order.SENT_AT
                ? new ArchiveStore.Seek(positionMs, positionMs, "")
                : new ArchiveStore.Seek(positionMs, Long.MIN_VALUE, "");
    }

    private void reply(String frame) {
        lock.lock();
        try {
            queue(frame);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        cutIfOverrun();
    }

    /** Under the lock: a reply to send; past {@value #MAX_UNSENT_REPLIES} unsent the replay ends. */
    private void queue(String frame) {
        if (outbox.size() >= MAX_UNSENT_REPLIES) {
            overrun = true;
            closed = true;
        } else {
            outbox.add(frame);
        }
    }

    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private long position(ArchivedDanmaku row) {
        return request.order() == ArchiveStore.Order.SENT_AT ? row.sentAtMs() : row.videoOffsetMs();
    }

    private void send(String frame) throws IOException {
        WebSockets.sendTextBlocking(frame, channel);
    }

    private void closeChannel() {
        if (channel.isOpen()) {
            try {
                WebSockets.sendCloseBlocking(1000, "replay closed", channel);
            } catch (IOException e) {
                log.debug("Replay close failed: {}", e.getMessage());
            }
        }
    }

    /** Built under the lock (or before the loop): reads the clock. */
    private String state(String state) {
        Map<String, Object> frame = new LinkedHashMap<>();
        frame.put("type", "state");
        frame.put("state", state);
        frame.put("positionMs", clock.positionMs(System.nanoTime()));
        frame.put("speed", clock.speed());
        frame.put("mode", request.order() == ArchiveStore.Order.SENT_AT ? "live" : "vod");
        return json(frame);
    }

    private String danmakuFrame(ArchivedDanmaku row) {
        Map<String, Object> frame = new LinkedHashMap<>();
        frame.put("type", "danmaku");
        frame.put("positionMs", position(row));
        frame.put("danmaku", row);
        return json(frame);
    }

    private static String error(String detail) {
        Map<String, Object> frame = new LinkedHashMap<>();
        frame.put("type", "error");
        frame.put("detail", detail);
        return json(frame);
    }

    private static String json(Object frame) {
        try {
            return Json.MAPPER.writeValueAsString(frame);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a replay frame", e);
        }
    }
}
