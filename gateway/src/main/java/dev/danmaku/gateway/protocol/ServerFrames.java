package dev.danmaku.gateway.protocol;

import java.util.List;

import dev.danmaku.proto.v1.Ack;
import dev.danmaku.proto.v1.Batch;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.Error;
import dev.danmaku.proto.v1.Joined;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.Notice;
import dev.danmaku.proto.v1.NoticeLevel;
import dev.danmaku.proto.v1.Pong;
import dev.danmaku.proto.v1.Presence;
import dev.danmaku.proto.v1.Reason;
import dev.danmaku.proto.v1.RecallNotice;
import dev.danmaku.proto.v1.ServerFrame;
import dev.danmaku.proto.v1.Verdict;

/** Every frame the gateway sends to a viewer is built here, and only here. */
public final class ServerFrames {

    private ServerFrames() {
    }

    public static ServerFrame batch(List<Danmaku> danmaku) {
        return ServerFrame.newBuilder().setBatch(Batch.newBuilder().addAllDanmaku(danmaku)).build();
    }

    /** A join's answer: {@code recent} holds what followed resumeAfter when {@code resumed}, else the room's last danmaku. */
    public static ServerFrame joined(String roomId, String user, int online, boolean canSend, List<Danmaku> recent,
            boolean resumed) {
        return ServerFrame.newBuilder().setJoined(Joined.newBuilder().setRoomId(roomId).setUser(user).setOnline(online)
                .setCanSend(canSend).addAllRecent(recent).setResumed(resumed)).build();
    }

    /** The sender's answer to a verdict. The sender of a shadowed danmaku must not be able to tell: it is acked as accepted. */
    public static ServerFrame ack(JudgedDanmaku judged) {
        boolean shadowed = judged.getVerdict() == Verdict.SHADOWED;
        return ServerFrame.newBuilder().setAck(Ack.newBuilder()
                .setClientMsgId(judged.getOrigin().getClientMsgId())
                .setMsgId(judged.getDanmaku().getMsgId())
                .setVerdict(shadowed ? Verdict.ACCEPTED : judged.getVerdict())
                .setReason(shadowed ? Reason.REASON_UNSPECIFIED : judged.getReason())).build();
    }

    /** A send the gateway refused itself, before it reached Kafka. */
    public static ServerFrame refusal(String clientMsgId, Reason reason) {
        return ServerFrame.newBuilder().setAck(Ack.newBuilder()
                .setClientMsgId(clientMsgId).setVerdict(Verdict.REJECTED).setReason(reason)).build();
    }

    public static ServerFrame recall(String roomId, String msgId) {
        return ServerFrame.newBuilder().setRecall(RecallNotice.newBuilder().setRoomId(roomId).setMsgId(msgId)).build();
    }

    public static ServerFrame notice(NoticeLevel level, String text) {
        return ServerFrame.newBuilder().setNotice(Notice.newBuilder().setLevel(level).setText(text)).build();
    }

    public static ServerFrame presence(String roomId, int online) {
        return ServerFrame.newBuilder().setPresence(Presence.newBuilder().setRoomId(roomId).setOnline(online)).build();
    }

    public static ServerFrame pong(String nonce) {
        return ServerFrame.newBuilder().setPong(Pong.newBuilder().setNonce(nonce)).build();
    }

    /** @param clientMsgId set when the error answers a send, empty otherwise */
    public static ServerFrame error(String code, String message, String clientMsgId) {
        return ServerFrame.newBuilder().setError(Error.newBuilder()
                .setCode(code).setMessage(message).setClientMsgId(clientMsgId)).build();
    }
}
