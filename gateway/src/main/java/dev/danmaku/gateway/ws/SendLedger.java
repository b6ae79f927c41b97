package dev.danmaku.gateway.ws;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import dev.danmaku.proto.v1.ServerFrame;

/**
 * One viewer's sends, by {@code clientMsgId}, until each is answered: every send gets its ack, or a
 * retryable {@code unavailable} when no verdict came within the answer timeout (the ack still follows
 * if the verdict comes later).
 *
 * <p>A send repeated with the same {@code clientMsgId} — the page retries after {@code unavailable} —
 * is never published twice while its first copy may still be judged: it is answered with the ack
 * already given, or waited for again. Only a send Kafka refused is published again, with the msgId it
 * had, so even a copy that got through after all is shown once.
 */
final class SendLedger {

    /** Sends remembered per connection; the send rate keeps far fewer in flight. */
    static final int CAPACITY = 256;

    /** What to do with a send. */
    enum Admission {
        /** Not seen before: give it a msgId and publish it. */
        NEW,
        /** Kafka refused it before: publish it again with {@link SendLedger#msgIdOf}. */
        REPUBLISH,
        /** Published, no verdict yet: the answer follows (the deadline starts again). */
        WAIT,
        /** Answered before: send {@link SendLedger#ackOf} again. */
        ANSWERED
    }

    private static final class Entry {
        final String msgId;
        ServerFrame ack;
        boolean refused;
        Runnable cancelDeadline = () -> { };

        Entry(String msgId) {
            this.msgId = msgId;
        }
    }

    private final Outbox.Timer timer;
    private final long answerTimeoutNanos;
    private final Consumer<String> unanswered;

    // guarded by this; oldest first
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

    /** @param unanswered told the clientMsgId of a send whose verdict did not come in time */
    SendLedger(Outbox.Timer timer, long answerTimeoutNanos, Consumer<String> unanswered) {
        this.timer = timer;
        this.answerTimeoutNanos = answerTimeoutNanos;
        this.unanswered = unanswered;
    }

    synchronized Admission admit(String clientMsgId) {
        Entry entry = entries.get(clientMsgId);
        if (entry == null) {
            return Admission.NEW;
        }
        if (entry.ack != null) {
            return Admission.ANSWERED;
        }
        if (entry.refused) {
            return Admission.REPUBLISH;
        }
        arm(clientMsgId, entry);
        return Admission.WAIT;
    }

    /** The send is being published with {@code msgId}; its deadline starts now. */
    synchronized void publishing(String clientMsgId, String msgId) {
        Entry entry = entries.get(clientMsgId);
        if (entry == null) {
            makeRoom();
            entry = new Entry(msgId);
            entries.put(clientMsgId, entry);
        }
        entry.refused = false;
        arm(clientMsgId, entry);
    }

    /** Kafka did not take it; the sender is told at once, and a retry publishes it again. */
    synchronized void refused(String clientMsgId) {
        Entry entry = entries.get(clientMsgId);
        if (entry != null && entry.ack == null) {
            entry.refused = true;
            entry.cancelDeadline.run();
        }
    }

    /** Its verdict came: {@code ack} is the answer from now on. */
    synchronized void answered(String clientMsgId, ServerFrame ack) {
        Entry entry = entries.get(clientMsgId);
        if (entry != null) {
            entry.ack = ack;
            entry.cancelDeadline.run();
        }
    }

    synchronized String msgIdOf(String clientMsgId) {
        Entry entry = entries.get(clientMsgId);
        return entry == null ? null : entry.msgId;
    }

    synchronized ServerFrame ackOf(String clientMsgId) {
        Entry entry = entries.get(clientMsgId);
        return entry == null ? null : entry.ack;
    }

    /** The connection closed: no deadline fires for it any more. */
    synchronized void clear() {
        entries.values().forEach(entry -> entry.cancelDeadline.run());
        entries.clear();
    }

    synchronized int size() {
        return entries.size();
    }

    private void arm(String clientMsgId, Entry entry) {
        entry.cancelDeadline.run();
        Runnable[] handle = new Runnable[1];
        handle[0] = timer.schedule(() -> expire(clientMsgId, entry, handle[0]), answerTimeoutNanos);
        entry.cancelDeadline = handle[0];
    }

    private void expire(String clientMsgId, Entry entry, Runnable handle) {
        synchronized (this) {
            // answered, refused or re-armed while this deadline was on its way
            if (entries.get(clientMsgId) != entry || entry.ack != null || entry.refused || entry.cancelDeadline != handle) {
                return;
            }
        }
        unanswered.accept(clientMsgId);
    }

    /** Forgets the oldest answered sends first; a send still waiting is told it is unanswered before it goes. */
    private void makeRoom() {
        if (entries.size() < CAPACITY) {
            return;
        }
        for (Iterator<Map.Entry<String, Entry>> oldest = entries.entrySet().iterator(); oldest.hasNext(); ) {
            if (oldest.next().getValue().ack != null) {
                oldest.remove();
                return;
            }
        }
        Map.Entry<String, Entry> oldest = entries.entrySet().iterator().next();
        entries.remove(oldest.getKey());
        oldest.getValue().cancelDeadline.run();
        unanswered.accept(oldest.getKey());
    }
}
