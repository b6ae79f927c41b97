package dev.danmaku.gateway.room;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.danmaku.proto.v1.Danmaku;

/**
 * What a room flushed and recalled while a resuming viewer's history was read from the bus. The
 * history ends where the bus ended when the read began, which is after this began; so the history,
 * then what was flushed here and is not in it, is the room's whole sequence with no gap. Bounded:
 * a resume gives at most {@code most} danmaku anyway. Guarded by the room's lock.
 */
final class CatchUp {

    private final int most;
    private final List<Danmaku> flushed = new ArrayList<>();
    private final Set<String> recalled = new HashSet<>();
    private boolean overflowed;

    CatchUp(int most) {
        this.most = most;
    }

    void flushed(List<Danmaku> batch) {
        if (overflowed || flushed.size() + batch.size() > most) {
            overflowed = true;
            flushed.clear();
            return;
        }
        flushed.addAll(batch);
    }

    void recalled(String msgId) {
        recalled.add(msgId);
        flushed.removeIf(d -> d.getMsgId().equals(msgId));
    }

    /**
     * The danmaku after {@code resumeAfter}, leaving out those still pending (the joining viewer gets
     * them with the next flush), or null when the history does not hold {@code resumeAfter} or more
     * than the bound followed it.
     */
    Room.Recent after(String resumeAfter, List<Danmaku> history, Set<String> pending) {
        int resumePoint = -1;
        Set<String> inHistory = new HashSet<>();
        for (int i = 0; i < history.size(); i++) {
            inHistory.add(history.get(i).getMsgId());
            if (history.get(i).getMsgId().equals(resumeAfter)) {
                resumePoint = i;
            }
        }
        if (resumePoint < 0 || overflowed) {
            return null;
        }
        List<Danmaku> after = new ArrayList<>();
        for (Danmaku danmaku : history.subList(resumePoint + 1, history.size())) {
            if (!pending.contains(danmaku.getMsgId()) && !recalled.contains(danmaku.getMsgId())) {
                after.add(danmaku);
            }
        }
        for (Danmaku danmaku : flushed) {
            if (!inHistory.contains(danmaku.getMsgId())) {
                after.add(danmaku);
            }
        }
        return after.size() > most ? null : new Room.Recent(after, true);
    }
}
