package dev.danmaku.archiver.store;

import java.util.Set;

/**
 * Which of a room's danmaku an analyst asks for: sent in [fromMs, toMs), optionally by one user,
 * with text containing a fragment (case-insensitive), with one of the verdicts (empty = all).
 */
public record ArchiveFilter(String roomId, long fromMs, long toMs, Set<String> verdicts, String userId,
        String textContains) {

    public ArchiveFilter {
        verdicts = Set.copyOf(verdicts);
        if (fromMs >= toMs) {
            throw new IllegalArgumentException("from must be before to");
        }
    }

    public static ArchiveFilter wholeRoom(String roomId) {
        return new ArchiveFilter(roomId, 0, Long.MAX_VALUE, Set.of(), null, null);
    }

    public ArchiveFilter withRange(long from, long to) {
        return new ArchiveFilter(roomId, from, to, verdicts, userId, textContains);
    }
}
