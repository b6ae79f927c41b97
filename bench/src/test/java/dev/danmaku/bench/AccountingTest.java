package dev.danmaku.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AccountingTest {

    private final Plan plan = new Plan(2, 3, 2, 2); // rooms r0, r1; senders 0,1 in r0 and 2,3 in r1
    private final Accounting accounting = new Accounting(plan);

    {
        accounting.window(1_000, 2_000, 3_000);
    }

    private Accounting.Receiver receiverInRoom0() {
        return accounting.receiver(plan.connectionList().get(4)); // a viewer of r0
    }

    @Test
    void countsOnlyDanmakuSentInTheWindowAndRecordsTheirLatency() {
        Accounting.Receiver viewer = receiverInRoom0();
        viewer.onDanmaku("r0", Accounting.text(0, 500, "early"), 1_200);
        viewer.onDanmaku("r0", Accounting.text(1, 1_100, "counted"), 1_300);

        viewer.endFrame();
        assertThat(accounting.receivedAll.sum()).isEqualTo(2);
        assertThat(accounting.receivedCounted.sum()).isEqualTo(1);
        assertThat(accounting.latency.getIntervalHistogram().getMaxValue()).isBetween(199L, 201L);
    }

    @Test
    void aRepeatedOrOlderSequenceFromTheSameSenderIsOutOfOrder() {
        Accounting.Receiver viewer = receiverInRoom0();
        viewer.onDanmaku("r0", Accounting.text(5, 1_100, "x"), 1_200);
        viewer.onDanmaku("r0", Accounting.text(5, 1_100, "x"), 1_200);
        viewer.onDanmaku("r0", Accounting.text(4, 1_100, "x"), 1_200);
        viewer.onDanmaku("r0", Accounting.text(Plan.ID_MULTIPLIER + 1, 1_100, "other sender"), 1_200);

        viewer.endFrame();
        assertThat(accounting.outOfOrderOrDuplicate.sum()).isEqualTo(2);
    }

    @Test
    void danmakuOfAnotherRoomOrSenderAreWrongRoom() {
        Accounting.Receiver viewer = receiverInRoom0();
        viewer.onDanmaku("r1", Accounting.text(0, 1_100, "x"), 1_200);
        viewer.onDanmaku("r0", Accounting.text(2 * Plan.ID_MULTIPLIER, 1_100, "sender of r1"), 1_200);
        viewer.onDanmaku("r0", "typed by a person", 1_200);

        viewer.endFrame();
        assertThat(accounting.wrongRoom.sum()).isEqualTo(3);
        assertThat(accounting.receivedCounted.sum()).isZero();
    }

    @Test
    void nothingCountsAfterTheDrain() {
        Accounting.Receiver viewer = receiverInRoom0();
        viewer.onDanmaku("r0", Accounting.text(0, 1_100, "late"), 3_000);
        viewer.endFrame();

        assertThat(accounting.receivedAll.sum()).isZero();
        assertThat(accounting.afterDrain.sum()).isEqualTo(1);
    }

    @Test
    void theGatewayOfASenderFollowsThePlan() {
        for (Plan.Connection c : plan.connectionList()) {
            if (c.sender()) {
                assertThat(plan.serverOfSender(c.senderIndex())).isEqualTo(c.server());
            }
        }
    }

    @Test
    void anAckTellsHowLongTheVerdictTookForSendsInTheWindow() {
        accounting.acked(Accounting.clientMsgId(7, 500), 1_900);
        accounting.acked(Accounting.clientMsgId(8, 1_100), 1_400);
        accounting.acked("someone-else's", 1_400);

        var acks = accounting.ackLatency.getIntervalHistogram();
        assertThat(acks.getTotalCount()).as("only the one sent in the window").isEqualTo(1);
        assertThat(acks.getMaxValue()).isBetween(299L, 301L);
    }
}
