package dev.danmaku.archiver.store;

import java.util.List;
import java.util.Map;

/** Counts of a room's danmaku per time bucket, and over the whole range. */
public record RoomStats(String roomId, long bucketMs, List<Bucket> buckets, Map<String, Long> totalByVerdict,
        long total, long uniqueSenders, List<Sender> topSenders, Bucket peak) {

    /** One non-empty bucket starting at {@code startMs}. */
    public record Bucket(long startMs, long total, Map<String, Long> byVerdict, long uniqueSenders) {
    }

    public record Sender(String userId, String userName, long count) {
    }
}
