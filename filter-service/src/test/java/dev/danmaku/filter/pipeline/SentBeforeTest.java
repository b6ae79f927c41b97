package dev.danmaku.filter.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.Origin;
import dev.danmaku.proto.v1.RawDanmaku;
import dev.danmaku.proto.v1.Verdict;

class SentBeforeTest {

    private final SentBefore sent = new SentBefore();

    @Test
    void aFirstSendIsLookedUpAmongRetriesOnlyAndARetryAmongAll() {
        sent.remember(verdict("alice", "1", false, 1_000), 0);
        sent.remember(verdict("alice", "2", true, 2_000), 0);

        assertThat(sent.earlierOf(send("alice", "1", true, 1_500))).isNotNull();
        assertThat(sent.earlierOf(send("alice", "1", false, 1_500))).as("a reused id is not a copy").isNull();
        assertThat(sent.earlierOf(send("alice", "2", false, 1_900))).isNotNull();
        assertThat(sent.earlierOf(send("bob", "2", false, 1_900))).as("another user's id").isNull();
    }

    @Test
    void theOldestAreForgottenBeyondTheCapacityRetriesWithThem() {
        sent.remember(verdict("alice", "retry", true, 1_000), 0);
        for (int i = 0; i < SentBefore.CAPACITY; i++) {
            sent.remember(verdict("bob", Integer.toString(i), false, 1_000), 0);
        }

        assertThat(sent.size()).isEqualTo(SentBefore.CAPACITY);
        assertThat(sent.earlierOf(send("alice", "retry", false, 900))).isNull();
        assertThat(sent.earlierOf(send("bob", "0", true, 1_100))).isNotNull();
    }

    @Test
    void whatIsOlderThanARetryCanBeIsForgotten() {
        sent.remember(verdict("alice", "1", true, 1_000), 0);
        sent.remember(verdict("alice", "2", false, 1_000), SentBefore.MAX_AGE_MILLIS);

        sent.expire(SentBefore.MAX_AGE_MILLIS + 1);

        assertThat(sent.earlierOf(send("alice", "1", false, 900))).isNull();
        assertThat(sent.earlierOf(send("alice", "1", true, 900))).isNull();
        assertThat(sent.earlierOf(send("alice", "2", true, 1_100))).isNotNull();
    }

    @Test
    void aRetryFindsTheFirstCommittedSendOfItsIdAmongManyRememberedSinceTheLastRetry() {
        sent.remember(verdict("alice", "1", false, 1_000), 0);
        for (int i = 0; i < 1_000; i++) {
            sent.remember(verdict("bob", Integer.toString(i), false, 1_000 + i), 0);
        }
        sent.remember(verdict("alice", "1", false, 5_000), 0); // a reloaded page reused the id

        assertThat(sent.earlierOf(send("bob", "999", true, 3_000))).isNotNull();
        assertThat(sent.earlierOf(send("alice", "1", true, 6_000)).getDanmaku().getSentAtMs()).isEqualTo(1_000);
        sent.remember(verdict("carol", "7", false, 7_000), 0);
        assertThat(sent.earlierOf(send("carol", "7", true, 7_100))).as("remembered after the last lookup").isNotNull();
    }

    private static JudgedDanmaku verdict(String user, String clientMsgId, boolean retry, long sentAtMs) {
        return JudgedDanmaku.newBuilder().setDanmaku(Danmaku.newBuilder().setUserId(user).setSentAtMs(sentAtMs))
                .setOrigin(Origin.newBuilder().setClientMsgId(clientMsgId).setRetry(retry))
                .setVerdict(Verdict.ACCEPTED).build();
    }

    private static RawDanmaku send(String user, String clientMsgId, boolean retry, long sentAtMs) {
        return RawDanmaku.newBuilder().setDanmaku(Danmaku.newBuilder().setUserId(user).setSentAtMs(sentAtMs))
                .setOrigin(Origin.newBuilder().setClientMsgId(clientMsgId).setRetry(retry)).build();
    }
}
