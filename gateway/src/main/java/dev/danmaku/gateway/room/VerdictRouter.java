package dev.danmaku.gateway.room;

import dev.danmaku.gateway.protocol.ServerFrames;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.NoticeLevel;

/**
 * Who receives what the filter decided, in one table: accepted and masked go to the room; shadowed to
 * its sender alone, in the room's next batch like the rest; rejected to nobody; and the ack to the
 * sender, on the gateway the send came through: its connection, or else whoever awaits it there.
 */
public final class VerdictRouter implements RoomEventHandler {

    private final String gatewayId;
    private final RoomRegistry registry;
    private final Members members;
    private final AwaitedSends awaited;

    public VerdictRouter(String gatewayId, RoomRegistry registry, Members members, AwaitedSends awaited) {
        this.gatewayId = gatewayId;
        this.registry = registry;
        this.members = members;
        this.awaited = awaited;
    }

    @Override
    public void judged(JudgedDanmaku judged) {
        Danmaku danmaku = judged.getDanmaku();
        boolean mine = gatewayId.equals(judged.getOrigin().getGatewayId());
        // a retry of a send judged before carries the first verdict: whoever was shown it has it already
        boolean shown = judged.getRepeat();
        switch (judged.getVerdict()) {
            case ACCEPTED, MASKED -> {
                if (!shown) {
                    registry.room(danmaku.getRoomId()).ifPresent(room -> room.add(danmaku));
                }
            }
            case SHADOWED -> {
                if (mine && !shown) {
                    members.member(judged.getOrigin().getSessionId()).ifPresent(sender ->
                            registry.room(danmaku.getRoomId()).ifPresent(room -> room.addShadowed(danmaku, sender)));
                }
            }
            default -> {
                // REJECTED: nobody but the sender hears of it, through the ack
            }
        }
        if (mine) {
            members.member(judged.getOrigin().getSessionId()).ifPresentOrElse(
                    sender -> sender.acknowledge(ServerFrames.ack(judged)), () -> awaited.judged(judged));
        }
    }

    @Override
    public void recalled(String roomId, String msgId) {
        registry.room(roomId).ifPresent(room -> {
            // what was queued before the recall goes out first, so the room sees them in order
            room.flush();
            room.recall(msgId);
        });
    }

    @Override
    public void notice(String roomId, NoticeLevel level, String text) {
        registry.room(roomId).ifPresent(room -> room.tell(ServerFrames.notice(level, text)));
    }
}
