package dev.danmaku.filter.rules;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

import dev.danmaku.proto.v1.AuditEntry;

/**
 * The newest audit entries this instance has read, oldest evicted first, in the order they were made.
 * Entries come from danmaku.audit.v1 and, for installs from before that topic, from the control
 * topic, read on two threads. Thread-safe.
 */
public final class AuditTrail {

    static final int KEPT = 10_000;
    private static final Comparator<AuditEntry> BY_TIME = Comparator.comparingLong(AuditEntry::getAtMs)
            .thenComparing(AuditEntry::getId);

    private final TreeSet<AuditEntry> entries = new TreeSet<>(BY_TIME);

    synchronized void add(AuditEntry entry) {
        entries.add(entry);
        if (entries.size() > KEPT) {
            entries.pollFirst();
        }
    }

    /** The newest entries, newest first. */
    public synchronized List<AuditEntry> newest(int limit) {
        List<AuditEntry> newest = new ArrayList<>(Math.min(limit, entries.size()));
        for (AuditEntry entry : entries.descendingSet()) {
            if (newest.size() == limit) {
                break;
            }
            newest.add(entry);
        }
        return newest;
    }
}
