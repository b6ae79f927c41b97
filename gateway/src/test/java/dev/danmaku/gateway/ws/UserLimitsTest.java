package dev.danmaku.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.danmaku.gateway.ws.UserLimits.Admission;

class UserLimitsTest {

    private static final long T0 = 1_000_000_000L;
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

        limits.release("s1");
        assertThat(limits.admit("s3", "alice", T0).admission()).isEqualTo(Admission.ADMITTED);
    }

    @Test
    void aConnectionThatJoinsAsAnotherUserCountsAgainstThatOne() {
        limits.admit("s1", "alice", T0);
        limits.admit("s2", "alice", T0);
        limits.admit("s2", "bob", T0);

        assertThat(limits.admit("s3", "alice", T0).admission()).as("alice holds one").isEqualTo(Admission.ADMITTED);
        limits.release("s1");
        limits.release("s2");
        limits.release("s3");
        assertThat(limits.userCount()).as("nothing kept for users who left").isZero();
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
