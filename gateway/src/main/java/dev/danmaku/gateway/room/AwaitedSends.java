package dev.danmaku.gateway.room;

import dev.danmaku.proto.v1.JudgedDanmaku;

/** Sends this gateway published for no viewer connection (the player API), waiting for their verdicts. */
public interface AwaitedSends {

    AwaitedSends NONE = judged -> { };

    /** The verdict of such a send; nothing happens when nobody waits for it any more. */
    void judged(JudgedDanmaku judged);
}
