package dev.danmaku.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.danmaku.gateway.ws.SendLedger.Admission;
import dev.danmaku.proto.v1.Ack;
import dev.danmaku.proto.v1.ServerFrame;
import dev.danmaku.proto.v1.Verdict;

class SendLedgerTest {

    private static final long TIMEOUT = 5_000_000_000L;

    private final ManualTimer timer = new ManualTimer();
    private final List<String> unanswered = new ArrayList<>();
    private final SendLedger sends = new SendLedger(timer, TIMEOUT, unanswered::add);

    private static ServerFrame ack(String clientMsgId, String msgId) {
        return ServerFrame.newBuilder().setAck(Ack.newBuilder().setClientMsgId(clientMsgId).setMsgId(msgId)
                .setVerdict(Verdict.ACCEPTED)).build();
    }

    @Test
    void aSendWithoutAVerdictIsToldUnavailableAtTheDeadlineAndItsAckStillCounts() {
        assertThat(sends.admit("c-1")).isEqualTo(Admission.NEW);
        sends.publishing("c-1", "m-1");
        timer.advance(TIMEOUT - 1);
        assertThat(unanswered).isEmpty();
        timer.advance(1);
        assertThat(unanswered).containsExactly("c-1");

        sends.answered("c-1", ack("c-1", "m-1")); // late, but the answer from now on
        assertThat(sends.admit("c-1")).isEqualTo(Admission.ANSWERED);
        assertThat(sends.ackOf("c-1")).isEqualTo(ack("c-1", "m-1"));
    }

    @Test
    void aVerdictInTimeDisarmsTheDeadline() {
        sends.admit("c-1");
        sends.publishing("c-1", "m-1");
        sends.answered("c-1", ack("c-1", "m-1"));
        timer.advance(TIMEOUT * 2);
        assertThat(unanswered).isEmpty();
        assertThat(timer.pending()).isZero();
    }

    @Test
    void aRetryOfASendStillBeingJudgedIsNotPublishedAgainAndWaitsAFullTimeoutMore() {
        sends.admit("c-1");
        sends.publishing("c-1", "m-1");
        timer.advance(TIMEOUT);
        assertThat(unanswered).containsExactly("c-1");

        assertThat(sends.admit("c-1")).isEqualTo(Admission.WAIT);
        timer.advance(TIMEOUT - 1);
        assertThat(unanswered).hasSize(1);
        timer.advance(1);
        assertThat(unanswered).containsExactly("c-1", "c-1");
    }

    @Test
    void aSendKafkaRefusedIsPublishedAgainWithTheMsgIdItHad() {
        sends.admit("c-1");
        sends.publishing("c-1", "m-1");
        sends.refused("c-1");
        timer.advance(TIMEOUT * 2);
        assertThat(unanswered).as("the refusal was its answer").isEmpty();

        assertThat(sends.admit("c-1")).isEqualTo(Admission.REPUBLISH);
        assertThat(sends.msgIdOf("c-1")).isEqualTo("m-1");
        sends.publishing("c-1", "m-1");
        timer.advance(TIMEOUT);
        assertThat(unanswered).containsExactly("c-1");
    }

    @Test
    void aFullLedgerForgetsTheOldestAnsweredSendFirst() {
        for (int i = 0; i < SendLedger.CAPACITY; i++) {
            sends.publishing("c-" + i, "m-" + i);
            if (i != 0) {
                sends.answered("c-" + i, ack("c-" + i, "m-" + i));
            }
        }
        sends.publishing("c-new", "m-new");
        assertThat(sends.size()).isEqualTo(SendLedger.CAPACITY);
        assertThat(sends.admit("c-1")).as("oldest answered, forgotten").isEqualTo(Admission.NEW);
        assertThat(sends.admit("c-0")).as("still waiting, kept").isEqualTo(Admission.WAIT);
        assertThat(unanswered).isEmpty();
    }

    @Test
    void aLedgerOfWaitingSendsTellsTheOldestBeforeForgettingIt() {
        for (int i = 0; i <= SendLedger.CAPACITY; i++) {
            sends.publishing("c-" + i, "m-" + i);
        }
        assertThat(unanswered).containsExactly("c-0");
        assertThat(sends.size()).isEqualTo(SendLedger.CAPACITY);
    }

    @Test
    void aClosedConnectionFiresNoDeadline() {
        sends.publishing("c-1", "m-1");
        sends.clear();
        timer.advance(TIMEOUT * 2);
        assertThat(unanswered).isEmpty();
    }
}
