package dev.danmaku.filter.pipeline;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.google.protobuf.InvalidProtocolBufferException;

import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.RawDanmaku;
import dev.danmaku.proto.v1.RoomEvent;

/**
 * The committed verdicts of one raw partition's recent sends, by user and clientMsgId, so that a
 * send marked as a retry whose first copy was judged already gets that verdict again instead of
 * being shown a second time (the viewer page retries an unanswered send on a new connection, whose
 * gateway cannot tell). The other way round too: a first copy that arrives after its retry was
 * judged (a gateway cut from Kafka delivers it late, after the sender retried through another
 * gateway) is a repeat of that retry. A room's sends all go to one raw partition, so its owner sees
 * every copy.
 *
 * <p>Bounded in count and age: retries come within seconds. A partition's new owner fills it from
 * the verdicts its previous owners committed lately ({@link RecentVerdicts}), so a retry whose first
 * copy was judged just before a failover is still a repeat. Oldest first, roughly: those read back
 * after a fence may be older than some already held.
 *
 * <p>Only a retry can repeat a first send, and only a retry judged before its first copy can make a
 * first send a repeat; retries are few, so a first send is looked up among them alone. Committed
 * sends are only queued in order, and indexed when a retry asks: most of them are never looked up.
 * They are kept as written to danmaku.filtered.v1 (one byte array each, read back when a retry asks)
 * rather than as messages: a partition holds up to {@value #CAPACITY} of them for seconds, and as
 * parsed messages of a dozen objects each they made the collector copy them from one young
 * collection to the next.
 */
final class SentBefore {

    static final int CAPACITY = 20_000;
    static final long MAX_AGE_MILLIS = 120_000;

    /** A committed verdict as a {@link RoomEvent}, and its key once indexed. */
    private static final class Remembered {
        final byte[] event;
        final long atMillis;
        Key key;

        Remembered(byte[] event, long atMillis) {
            this.event = event;
            this.atMillis = atMillis;
        }

        JudgedDanmaku verdict() {
            try {
                return RoomEvent.parseFrom(event).getDanmaku();
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("a verdict this filter encoded does not decode", e);
            }
        }

        Key key() {
            if (key == null) {
                key = keyOf(verdict());
            }
            return key;
        }
    }

    /** A send's identity: its user and the clientMsgId that user gave it. */
    record Key(String userId, String clientMsgId) {
    }

    /** What was remembered, oldest first. */
    private final ArrayDeque<Remembered> inOrder = new ArrayDeque<>();
    /** How many of the newest in {@link #inOrder} are not in {@link #byKey} yet. */
    private int unindexed;
    /** The rest of {@link #inOrder}, the first of each key. */
    private final Map<Key, Remembered> byKey = new HashMap<>();
    /** Those of {@link #byKey} that are retries. */
    private final Map<Key, Remembered> retries = new HashMap<>();

    /** The committed verdict that {@code send} may be a copy of (see {@link #repeats}), or null. */
    JudgedDanmaku earlierOf(RawDanmaku send) {
        if (send.getOrigin().getClientMsgId().isEmpty()) {
            return null;
        }
        Map<Key, Remembered> candidates = retries;
        if (send.getOrigin().getRetry()) {
            index();
            candidates = byKey;
        }
        Remembered earlier = candidates.isEmpty() ? null : candidates.get(keyOf(send));
        return earlier == null ? null : earlier.verdict();
    }

    /**
     * Whether {@code send} is a copy of {@code earlier}, judged before it with the same user and
     * clientMsgId: a retry always is; a first send only when it is the original of a retry judged
     * before it, which its gateway stamped later. A client that reuses its ids (a reloaded page)
     * sends after the retry, so nothing it sends is taken for a copy.
     */
    static boolean repeats(RawDanmaku send, JudgedDanmaku earlier) {
        if (earlier == null || send.getOrigin().getClientMsgId().isEmpty()) {
            return false;
        }
        return send.getOrigin().getRetry()
                || earlier.getOrigin().getRetry() && send.getDanmaku().getSentAtMs() <= earlier.getDanmaku().getSentAtMs();
    }

    /** A committed verdict of a first send, or of a retry judged before its first send arrived. */
    void remember(JudgedDanmaku verdict, long nowMillis) {
        remember(verdict, encode(verdict), nowMillis);
    }

    /** The same, with the verdict as written to danmaku.filtered.v1 ({@link #encode}). */
    void remember(JudgedDanmaku verdict, byte[] event, long nowMillis) {
        if (verdict.getRepeat() || verdict.getOrigin().getClientMsgId().isEmpty()) {
            return;
        }
        Remembered remembered = new Remembered(event, nowMillis);
        inOrder.addLast(remembered);
        unindexed++;
        if (verdict.getOrigin().getRetry()) {
            index();
            Key key = keyOf(verdict);
            if (byKey.get(key) == remembered) {
                retries.put(key, remembered);
            }
        }
        if (inOrder.size() > CAPACITY) {
            forgetOldest();
        }
    }

    /** Forgets what is too old for a retry; once per batch. */
    void expire(long nowMillis) {
        while (!inOrder.isEmpty() && inOrder.peekFirst().atMillis < nowMillis - MAX_AGE_MILLIS) {
            forgetOldest();
        }
    }

    int size() {
        return inOrder.size();
    }

    private void forgetOldest() {
        boolean indexed = inOrder.size() > unindexed;
        Remembered oldest = inOrder.pollFirst();
        if (indexed) {
            Key key = oldest.key();
            byKey.remove(key, oldest);
            retries.remove(key, oldest);
        } else {
            unindexed--;
        }
    }

    /** Indexes what was remembered since the last time, oldest first, so the first of a key stays. */
    private void index() {
        if (unindexed == 0) {
            return;
        }
        Remembered[] newest = new Remembered[unindexed];
        Iterator<Remembered> fromNewest = inOrder.descendingIterator();
        for (int i = newest.length - 1; i >= 0; i--) {
            newest[i] = fromNewest.next();
        }
        for (Remembered remembered : newest) {
            byKey.putIfAbsent(remembered.key(), remembered);
        }
        unindexed = 0;
    }

    /** A verdict as the filter writes it to danmaku.filtered.v1. */
    static byte[] encode(JudgedDanmaku verdict) {
        return RoomEvent.newBuilder().setDanmaku(verdict).build().toByteArray();
    }

    /** The verdict a copy gets: the earlier one's, for its own sender's ack. */
    static JudgedDanmaku repeatOf(JudgedDanmaku earlier, RawDanmaku copy) {
        return earlier.toBuilder().setOrigin(copy.getOrigin()).setRepeat(true).build();
    }

    private static Key keyOf(RawDanmaku send) {
        return new Key(send.getDanmaku().getUserId(), send.getOrigin().getClientMsgId());
    }

    private static Key keyOf(JudgedDanmaku verdict) {
        return new Key(verdict.getDanmaku().getUserId(), verdict.getOrigin().getClientMsgId());
    }

    /**
     * The sends of one batch judged so far, for copies later in the same batch, which are not
     * committed yet. Indexed only when the batch holds a retry: most batches hold none.
     */
    static final class InBatch {
        private final List<JudgedDanmaku> judged = new ArrayList<>();
        private Map<Key, JudgedDanmaku> byKey;
        private Map<Key, JudgedDanmaku> retries;

        /** The verdict earlier in this batch that {@code send} may be a copy of, or null. */
        JudgedDanmaku earlierOf(RawDanmaku send) {
            if (send.getOrigin().getClientMsgId().isEmpty()) {
                return null;
            }
            if (!send.getOrigin().getRetry()) {
                return retries == null ? null : retries.get(keyOf(send));
            }
            if (byKey == null) {
                byKey = new HashMap<>();
                judged.forEach(verdict -> byKey.putIfAbsent(keyOf(verdict), verdict));
            }
            return byKey.get(keyOf(send));
        }

        /** A verdict of this batch, in order. */
        void judged(JudgedDanmaku verdict) {
            if (verdict.getRepeat() || verdict.getOrigin().getClientMsgId().isEmpty()) {
                return;
            }
            if (byKey == null) {
                judged.add(verdict);
            } else {
                byKey.putIfAbsent(keyOf(verdict), verdict);
            }
            if (verdict.getOrigin().getRetry()) {
                if (retries == null) {
                    retries = new HashMap<>();
                }
                retries.putIfAbsent(keyOf(verdict), verdict);
            }
        }
    }
}
