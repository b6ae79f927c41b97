package dev.danmaku.filter.pipeline;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.RawDanmaku;

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
 */
final class SentBefore {

    static final int CAPACITY = 20_000;
    static final long MAX_AGE_MILLIS = 120_000;

    private record Remembered(JudgedDanmaku verdict, long atMillis) {
    }

    /** A send's identity: its user and the clientMsgId that user gave it. */
    record Key(String userId, String clientMsgId) {
    }

    private final LinkedHashMap<Key, Remembered> verdicts = new LinkedHashMap<>();

    /** The committed verdict of the earlier send with this send's user and clientMsgId, or null. */
    JudgedDanmaku earlierOf(RawDanmaku send, long nowMillis) {
        expire(nowMillis);
        Remembered earlier = verdicts.get(key(send.getDanmaku().getUserId(), send.getOrigin().getClientMsgId()));
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
        String clientMsgId = verdict.getOrigin().getClientMsgId();
        if (verdict.getRepeat() || clientMsgId.isEmpty()) {
            return;
        }
        verdicts.putIfAbsent(key(verdict.getDanmaku().getUserId(), clientMsgId), new Remembered(verdict, nowMillis));
        if (verdicts.size() > CAPACITY) {
            Iterator<Map.Entry<Key, Remembered>> oldest = verdicts.entrySet().iterator();
            oldest.next();
            oldest.remove();
        }
    }

    int size() {
        return verdicts.size();
    }

    /** The verdict a copy gets: the earlier one's, for its own sender's ack. */
    static JudgedDanmaku repeatOf(JudgedDanmaku earlier, RawDanmaku copy) {
        return earlier.toBuilder().setOrigin(copy.getOrigin()).setRepeat(true).build();
    }

    static Key key(String userId, String clientMsgId) {
        return new Key(userId, clientMsgId);
    }

    private void expire(long nowMillis) {
        for (Iterator<Remembered> oldest = verdicts.values().iterator(); oldest.hasNext(); ) {
            if (oldest.next().atMillis() >= nowMillis - MAX_AGE_MILLIS) {
                return;
            }
            oldest.remove();
        }
    }
}
