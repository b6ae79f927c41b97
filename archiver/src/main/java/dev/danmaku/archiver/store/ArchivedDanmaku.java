package dev.danmaku.archiver.store;

/** One stored verdict, as the analyst API returns it. */
public record ArchivedDanmaku(
        String msgId,
        String roomId,
        String userId,
        String userName,
        String text,
        int color,
        String mode,
        int fontSize,
        long sentAtMs,
        long videoOffsetMs,
        String verdict,
        String reason,
        long ruleSetVersion,
        String originalText,
        Long recalledAtMs) {
}
