package dev.danmaku.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.danmaku.gateway.ws.UserLimits.Admission;

class UserLimitsTest {

    private static final long T0 = 1_000_000_000L;
    private static final long SECOND = 1_000_000_000L;
    private final UserLimits limits = new UserLimits(2, 1, 3);

    @Test
    void aUsersConnectionsShareOneSendBudget() {
        SendRate first = limits.admit("s1", "alice", T0).sends();
        SendRate second = limits.admit("s2", "alice", T0).sends();

        assertThat(second).isSameAs(first);
        assertThat(first.tryAcquire(T0)).isTrue();
        assertThat(first.tryAcquire(T0)).isTrue();
        assertThat(second.tryAcquire(T0)).isTrue();
        assertThat(second.tryAcquire(T0)).as("the burst of 3 is spent across both connections").isFalse();
        assertThat(limits.admit("s3", "bob", T0).sends().tryAcquire(T0)).as("another user has their own").isTrue();
    }

    @Test
    void aUserHoldsAtMostTheirConnectionsAndGetsOneBackWhenOneCloses() {
        assertThat(limits.admit("s1", "alice", T0).admission()).isEqualTo(Admission.ADMITTED);
        assertThat(limits.admit("s2", "alice", T0).admission()).isEqualTo(Admission.ADMITTED);
        assertThat(limits.admit("s3", "alice", T0).admission()).isEqualTo(Admission.TOO_MANY_CONNECTIONS);
        assertThat(limits.admit("s1", "alice", T0).admission()).as("a connection joining again is no new one")
                .isEqualTo(Admission.ADMITTED);

        limits.release("s1", T0);
        assertThat(limits.admit("s3", "alice", T0).admission()).isEqualTo(Admission.ADMITTED);
    }

    @Test
    void aConnectionThatJoinsAsAnotherUserCountsAgainstThatOne() {
        limits.admit("s1", "alice", T0);
        limits.admit("s2", "alice", T0);
        limits.admit("s2", "bob", T0);

        assertThat(limits.admit("s3", "alice", T0).admission()).as("alice holds one").isEqualTo(Admission.ADMITTED);
        limits.release("s1", T0);
        limits.release("s2", T0);
        limits.release("s3", T0);
        assertThat(limits.userCount()).as("kept while their budgets refill").isEqualTo(2);
        limits.admit("s4", "carol", T0 + UserLimits.JOIN_BURST * SECOND);
        assertThat(limits.userCount()).as("forgotten once refilled").isEqualTo(1);
    }

    @Test
    void closingEveryConnectionAndComingBackDoesNotRefillTheSendBudget() {
        SendRate sends = limits.admit("s1", "alice", T0).sends();
        for (int i = 0; i < 3; i++) {
            sends.tryAcquire(T0);
        }
        limits.release("s1", T0);

        assertThat(limits.admit("s2", "alice", T0).sends().tryAcquire(T0)).isFalse();
    }

    @Test
    void aSendWithoutAConnectionHoldsAConnectionSlotUntilReleasedAndTakesNoJoin() {
        for (int i = 0; i < UserLimits.JOIN_BURST; i++) {
            limits.admit("s1", "alice", T0);
        }
        assertThat(limits.admitSend("h1", "alice", T0).admission()).as("no join left, yet a send is admitted")
                .isEqualTo(Admission.ADMITTED);
        assertThat(limits.admitSend("h2", "alice", T0).admission()).as("s1 and h1 hold both slots")
                .isEqualTo(Admission.TOO_MANY_CONNECTIONS);
        limits.release("h1", T0);
        assertThat(limits.admitSend("h2", "alice", T0).sends()).isSameAs(limits.admit("s1", "alice", T0 + SECOND).sends());
    }

    @Test
    void joinsAreSharedByAUsersConnectionsAndComeBackAtTheirRate() {
        for (int i = 0; i < UserLimits.JOIN_BURST; i++) {
            assertThat(limits.admit("s" + (i % 2), "alice", T0).admission()).isEqualTo(Admission.ADMITTED);
        }
        assertThat(limits.admit("s0", "alice", T0).admission()).isEqualTo(Admission.TOO_MANY_JOINS);
        assertThat(limits.admit("s0", "alice", T0 + 1_000_000_000L).admission()).isEqualTo(Admission.ADMITTED);
    }
}
