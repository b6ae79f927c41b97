package dev.danmaku.gateway.room;

import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.NoticeLevel;

/** What the bus tells this gateway's rooms. The bus adapter decodes its records and calls this, nothing more. */
public interface RoomEventHandler {

    /** The filter's verdict on a danmaku. */
    void judged(JudgedDanmaku judged);

    /** A moderator took a shown danmaku back. */
    void recalled(String roomId, String msgId);

    /** A moderator's notice to a room. */
    void notice(String roomId, NoticeLevel level, String text);
}
