package dev.danmaku.bench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Recorder;

/**
 * Accounts for every expected delivery the way the peer's load generator does: a danmaku is
 * counted when its send time falls in the counted window; every connection of its room should
 * receive it before the drain ends; loss = expected - received. Each receiver checks per sender
 * that sequences only grow (out-of-order or duplicate otherwise) and that danmaku belong to its room.
 * Latency = receive time - send time (same host clock), in microseconds.
 */
final class Accounting {

    private final Plan plan;
    private volatile long countFromMicros = Long.MAX_VALUE;
    private volatile long countUntilMicros = Long.MIN_VALUE;
    private volatile long drainEndMicros = Long.MAX_VALUE;

    final LongAdder sent = new LongAdder();
    final LongAdder sentCounted = new LongAdder();
    final LongAdder receivedAll = new LongAdder();
    final LongAdder receivedInWindow = new LongAdder();
    final LongAdder receivedCounted = new LongAdder();
    final LongAdder outOfOrderOrDuplicate = new LongAdder();
    final LongAdder wrongRoom = new LongAdder();
    final LongAdder afterDrain = new LongAdder();
    final Recorder latency = new Recorder(3);
    final Recorder latencySameServer = new Recorder(3);
    final Recorder latencyCrossServer = new Recorder(3);
    /** Send to its sender's ack: the way to the verdict (Kafka and the filter), to tell it from the broadcast. */
    final Recorder ackLatency = new Recorder(3);

    Accounting(Plan plan) {
        this.plan = plan;
    }

    void window(long countFromMicros, long countUntilMicros, long drainEndMicros) {
        this.countFromMicros = countFromMicros;
        this.countUntilMicros = countUntilMicros;
        this.drainEndMicros = drainEndMicros;
    }

    boolean counted(long sentAtMicros) {
        return sentAtMicros >= countFromMicros && sentAtMicros < countUntilMicros;
    }

    /** The text a sender puts in a danmaku: its id and send time first, then the profile's text. */
    static String text(long id, long sentAtMicros, String body) {
        return "#" + id + "@" + sentAtMicros + " " + body;
    }

    /** A send's clientMsgId: its id and send time, so that its ack tells how long the verdict took. */
    static String clientMsgId(long id, long sentAtMicros) {
        return id + "@" + sentAtMicros;
    }

    /** An ack of one of our sends, now. */
    void acked(String clientMsgId, long nowMicros) {
        int at = clientMsgId.indexOf('@');
        if (at < 0) {
            return;
        }
        long sentAt;
        try {
            sentAt = Long.parseLong(clientMsgId, at + 1, clientMsgId.length(), 10);
        } catch (NumberFormatException e) {
            return;
        }
        if (counted(sentAt)) {
            ackLatency.recordValue(Math.max(1, nowMicros - sentAt));
        }
    }

    void recordSent(long sentAtMicros) {
        sent.increment();
        if (counted(sentAtMicros)) {
            sentCounted.increment();
        }
    }

    Receiver receiver(Plan.Connection connection) {
        return new Receiver(connection);
    }

    /**
     * One connection's view; called from one I/O thread at a time. Counts gather per frame and
     * reach the shared counters in {@link #endFrame()}: a frame carries up to hundreds of danmaku.
     */
    final class Receiver {
        private final Plan.Connection connection;
        private final byte[] room;
        private final long[] lastSequence;
        private long all;
        private long inWindow;
        private long counted;
        private long outOfOrder;
        private long wrong;
        private long late;

        private Receiver(Plan.Connection connection) {
            this.connection = connection;
            this.room = connection.room().getBytes(StandardCharsets.UTF_8);
            this.lastSequence = new long[plan.sendersPerRoom()];
            Arrays.fill(lastSequence, -1);
        }

        void onDanmaku(String roomId, String text, long nowMicros) {
            onDanmaku(roomId.getBytes(StandardCharsets.UTF_8), text.getBytes(StandardCharsets.UTF_8), nowMicros);
        }

        /** Room id and text as UTF-8, as they come off the wire. */
        void onDanmaku(byte[] roomId, byte[] text, long nowMicros) {
            if (nowMicros >= drainEndMicros) {
                late++;
                return;
            }
            all++;
            if (nowMicros >= countFromMicros && nowMicros < countUntilMicros) {
                inWindow++;
            }
            // "#<id>@<sentAtMicros> ..."
            int at = indexOf(text, (byte) '@', 1);
            int end = at < 0 ? -1 : indexOf(text, (byte) ' ', at + 1);
            long id = end < 0 || text[0] != '#' ? -1 : digits(text, 1, at);
            long sentAt = id < 0 ? -1 : digits(text, at + 1, end);
            if (!Arrays.equals(room, roomId) || sentAt < 0) {
                wrong++;
                return;
            }
            int senderIndex = (int) (id / Plan.ID_MULTIPLIER);
            long sequence = id % Plan.ID_MULTIPLIER;
            int k = senderIndex - connection.roomIndex() * plan.sendersPerRoom();
            if (k < 0 || k >= lastSequence.length) {
                wrong++;
                return;
            }
            if (sequence <= lastSequence[k]) {
                outOfOrder++;
            } else {
                lastSequence[k] = sequence;
            }
            if (counted(sentAt)) {
                counted++;
                long micros = Math.max(1, nowMicros - sentAt);
                latency.recordValue(micros);
                (plan.serverOfSender(senderIndex) == connection.server() ? latencySameServer : latencyCrossServer)
                        .recordValue(micros);
            }
        }

        /** Adds this frame's counts to the shared ones. */
        void endFrame() {
            receivedAll.add(all);
            receivedInWindow.add(inWindow);
            receivedCounted.add(counted);
            outOfOrderOrDuplicate.add(outOfOrder);
            wrongRoom.add(wrong);
            afterDrain.add(late);
            all = inWindow = counted = outOfOrder = wrong = late = 0;
        }
    }

    private static int indexOf(byte[] bytes, byte wanted, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    /** A non-negative decimal number from ASCII digits, or -1 when there is none. */
    private static long digits(byte[] bytes, int from, int to) {
        if (to <= from || to - from > 18) {
            return -1;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            int digit = bytes[i] - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }
}
