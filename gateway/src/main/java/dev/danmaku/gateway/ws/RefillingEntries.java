package dev.danmaku.gateway.ws;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Budget holders (users, addresses) by key, each kept while it has a connection and, after its last one
 * closed, until its budgets are full again: forgetting it sooner would let closing and reconnecting
 * refill them. Not thread-safe; its owner guards it.
 */
final class RefillingEntries<K, V> {

    private final long refillNanos;
    private final Map<K, V> entries = new HashMap<>();
    /** Keys without a connection, by when their last one closed, oldest first. */
    private final LinkedHashMap<K, Long> idleSince = new LinkedHashMap<>();

    RefillingEntries(long refillNanos) {
        this.refillNanos = refillNanos;
    }

    V get(K key) {
        return entries.get(key);
    }

    /** The entry of {@code key} (or null), no longer idle: it is about to hold a connection. */
    V inUse(K key) {
        idleSince.remove(key);
        return entries.get(key);
    }

    void put(K key, V entry) {
        idleSince.remove(key);
        entries.put(key, entry);
    }

    /** {@code key}'s last connection closed at {@code nowNanos}. */
    void idle(K key, long nowNanos) {
        idleSince.put(key, nowNanos);
    }

    /** Forgets the entries that have been idle long enough for their budgets to refill. */
    void forgetRefilled(long nowNanos) {
        for (var it = idleSince.entrySet().iterator(); it.hasNext(); ) {
            var idle = it.next();
            if (nowNanos - idle.getValue() < refillNanos) {
                return;
            }
            entries.remove(idle.getKey());
            it.remove();
        }
    }

    int size() {
        return entries.size();
    }
}
