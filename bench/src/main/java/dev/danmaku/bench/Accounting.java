package dev.danmaku.bench;

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

    void recordSent(long sentAtMicros) {
        sent.increment();
        if (counted(sentAtMicros)) {
            sentCounted.increment();
        }
    }

    Receiver receiver(Plan.Connection connection) {
        return new Receiver(connection);
    }

    /** One connection's view; called from one I/O thread at a time. */
    final class Receiver {
        private final Plan.Connection connection;
        private final String room;
        private final long[] lastSequence;

        private Receiver(Plan.Connection connection) {
            this.connection = connection;
            this.room = connection.room();
            this.lastSequence = new long[plan.sendersPerRoom()];
            java.util.Arrays.fill(lastSequence, -1);
        }

        void onDanmaku(String roomId, String text, long nowMicros) {
            if (nowMicros >= drainEndMicros) {
                afterDrain.increment();
                return;
            }
            receivedAll.increment();
            if (nowMicros >= countFromMicros && nowMicros < countUntilMicros) {
                receivedInWindow.increment();
            }
            int at = text.indexOf('@');
            int end = text.indexOf(' ', at + 1);
            if (!room.equals(roomId) || !text.startsWith("#") || at < 0 || end < 0) {
                wrongRoom.increment();
                return;
            }
            long id;
            long sentAt;
            try {
                id = Long.parseLong(text, 1, at, 10);
                sentAt = Long.parseLong(text, at + 1, end, 10);
            } catch (NumberFormatException e) {
                wrongRoom.increment();
                return;
            }
            int senderIndex = (int) (id / Plan.ID_MULTIPLIER);
            long sequence = id % Plan.ID_MULTIPLIER;
            int k = senderIndex - connection.roomIndex() * plan.sendersPerRoom();
            if (k < 0 || k >= lastSequence.length) {
                wrongRoom.increment();
                return;
            }
            if (sequence <= lastSequence[k]) {
                outOfOrderOrDuplicate.increment();
            } else {
                lastSequence[k] = sequence;
            }
            if (counted(sentAt)) {
                receivedCounted.increment();
                long micros = Math.max(1, nowMicros - sentAt);
                latency.recordValue(micros);
                (plan.serverOfSender(senderIndex) == connection.server() ? latencySameServer : latencyCrossServer)
                        .recordValue(micros);
            }
        }
    }
}
