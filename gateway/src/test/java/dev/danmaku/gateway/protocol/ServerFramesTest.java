package dev.danmaku.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.danmaku.proto.v1.Ack;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.Origin;
import dev.danmaku.proto.v1.Reason;
import dev.danmaku.proto.v1.Verdict;

class ServerFramesTest {

    private static JudgedDanmaku judged(Verdict verdict, Reason reason) {
        return JudgedDanmaku.newBuilder()
                .setDanmaku(Danmaku.newBuilder().setMsgId("m1"))
                .setOrigin(Origin.newBuilder().setClientMsgId("c1"))
                .setVerdict(verdict)
                .setReason(reason)
                .build();
    }

    @Test
    void aShadowedSenderIsToldItWasAccepted() {
        Ack ack = ServerFrames.ack(judged(Verdict.SHADOWED, Reason.BLOCKED_KEYWORD)).getAck();
        assertThat(ack.getVerdict()).isEqualTo(Verdict.ACCEPTED);
        assertThat(ack.getReason()).isEqualTo(Reason.REASON_UNSPECIFIED);
        assertThat(ack.getClientMsgId()).isEqualTo("c1");
        assertThat(ack.getMsgId()).isEqualTo("m1");
    }

    @Test
    void aRejectedSenderIsToldWhy() {
        Ack ack = ServerFrames.ack(judged(Verdict.REJECTED, Reason.BLOCKED_KEYWORD)).getAck();
        assertThat(ack.getVerdict()).isEqualTo(Verdict.REJECTED);
        assertThat(ack.getReason()).isEqualTo(Reason.BLOCKED_KEYWORD);
    }
}
