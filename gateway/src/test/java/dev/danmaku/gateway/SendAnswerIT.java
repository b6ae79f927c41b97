package dev.danmaku.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.danmaku.proto.v1.RawDanmaku;
import dev.danmaku.proto.v1.ServerFrame;
import dev.danmaku.proto.v1.Verdict;
import dev.danmaku.testkit.DanmakuIT;
import dev.danmaku.testkit.KafkaCluster;
import dev.danmaku.testkit.ViewerClient;

/**
 * Every send is answered: when no verdict comes in time the sender is told {@code unavailable}, and
 * the retry the page then makes with the same clientMsgId is never published a second time.
 */
@DanmakuIT
class SendAnswerIT {

    private static GatewayFixture fixture;

    @BeforeAll
    static void start(KafkaCluster kafka) {
        fixture = new GatewayFixture(kafka, 2);
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private static GatewayConfig answeringWithin(GatewayConfig config, Duration answerTimeout) {
        return config.withLimits(config.limits().withAnswerTimeout(answerTimeout));
    }

    private static Predicate<ServerFrame> ackOf(String clientMsgId) {
        return frame -> frame.hasAck() && frame.getAck().getClientMsgId().equals(clientMsgId);
    }

    @Test
    void aSendWithoutAVerdictIsToldUnavailableAndItsRetryIsPublishedOnceAndAckedWithTheOneVerdict() {
        String room = GatewayFixture.room();
        try (var gateway = fixture.start("gw-answer", c -> answeringWithin(c, Duration.ofSeconds(1)));
                ViewerClient sender = GatewayFixture.joined(gateway.url(), room, fixture.viewerToken("alice"))) {
            sender.send(GatewayFixture.send("c-1", "anyone there?"));
            ServerFrame unavailable = sender.await(f -> f.hasError() && f.getError().getClientMsgId().equals("c-1"),
                    GatewayFixture.WAIT);
            assertThat(unavailable.getError().getCode()).isEqualTo("unavailable");
            assertThat(fixture.counter("danmaku_gateway_sends_unanswered_total", "gw-answer")).isEqualTo(1);

            // the page sends it again; the first copy is still on its way to the filter
            sender.send(GatewayFixture.send("c-1", "anyone there?"));
            await().atMost(GatewayFixture.WAIT).until(() -> fixture.published(room).size() == 1);
            RawDanmaku sent = fixture.published(room).get(0);
            fixture.judge(sent, Verdict.ACCEPTED);
            fixture.flush();

            ServerFrame ack = sender.await(ackOf("c-1"), GatewayFixture.WAIT);
            assertThat(ack.getAck().getMsgId()).isEqualTo(sent.getDanmaku().getMsgId());
            assertThat(ack.getAck().getVerdict()).isEqualTo(Verdict.ACCEPTED);
            sender.await(f -> f.hasBatch() && f.getBatch().getDanmakuList().stream()
                    .anyMatch(d -> d.getMsgId().equals(sent.getDanmaku().getMsgId())), GatewayFixture.WAIT);

            // a retry that crossed the ack on the wire is answered with the same ack, and not published
            sender.send(GatewayFixture.send("c-1", "anyone there?"));
            await().atMost(GatewayFixture.WAIT).until(() -> sender.received().stream().filter(ackOf("c-1")).count() == 2);
            assertThat(sender.received().stream().filter(ackOf("c-1"))).allMatch(f -> f.getAck().equals(ack.getAck()));
            assertThat(fixture.published(room)).hasSize(1);
        }
    }

    @Test
    void aRetryOnANewConnectionIsMarkedAndItsRepeatIsAckedWithTheFirstMsgIdWithoutBeingShownAgain() {
        String room = GatewayFixture.room();
        try (var gateway = fixture.start("gw-repeat", c -> c);
                ViewerClient watcher = GatewayFixture.joined(gateway.url(), room, "");
                ViewerClient first = GatewayFixture.joined(gateway.url(), room, fixture.viewerToken("bob"))) {
            first.send(GatewayFixture.send("p7-1", "hello"));
            await().atMost(GatewayFixture.WAIT).until(() -> fixture.published(room).size() == 1);
            RawDanmaku original = fixture.published(room).get(0);
            assertThat(original.getOrigin().getRetry()).isFalse();
            fixture.judge(original, Verdict.ACCEPTED);
            fixture.flush();
            await().atMost(GatewayFixture.WAIT).until(() -> watcher.danmaku().size() == 1);

            // the ack was lost with the connection: the page sends it again from a new one, marked as a retry
            try (ViewerClient again = GatewayFixture.joined(gateway.url(), room, fixture.viewerToken("bob"))) {
                again.send(GatewayFixture.send("p7-1", "hello").toBuilder()
                        .setSend(GatewayFixture.send("p7-1", "hello").getSend().toBuilder().setRetry(true)).build());
                await().atMost(GatewayFixture.WAIT).until(() -> fixture.published(room).size() == 2);
                RawDanmaku retry = fixture.published(room).get(1);
                assertThat(retry.getOrigin().getRetry()).isTrue();
                assertThat(retry.getOrigin().getClientMsgId()).isEqualTo("p7-1");

                fixture.judgeRepeat(original, Verdict.ACCEPTED, retry);
                fixture.accept(room, room + "-after", "after the repeat");
                fixture.flush();
                ServerFrame ack = again.await(ackOf("p7-1"), GatewayFixture.WAIT);
                assertThat(ack.getAck().getMsgId()).isEqualTo(original.getDanmaku().getMsgId());
                assertThat(ack.getAck().getVerdict()).isEqualTo(Verdict.ACCEPTED);
                await().atMost(GatewayFixture.WAIT).until(() -> watcher.danmaku().size() == 2);
                assertThat(watcher.danmaku()).extracting(d -> d.getMsgId())
                        .containsExactly(original.getDanmaku().getMsgId(), room + "-after");
            }
        }
    }

    @Test
    void aScopedModeratorIsStampedAModeratorOnlyInItsOwnRooms() {
        String own = GatewayFixture.room();
        String other = GatewayFixture.room();
        String token = fixture.scopedModeratorToken("mo", java.util.Set.of(own));
        try (var gateway = fixture.start("gw-scope", c -> c);
                ViewerClient inOwn = GatewayFixture.joined(gateway.url(), own, token);
                ViewerClient inOther = GatewayFixture.joined(gateway.url(), other, token)) {
            inOwn.send(GatewayFixture.send("c-own", "hello"));
            inOther.send(GatewayFixture.send("c-other", "hello"));

            await().atMost(GatewayFixture.WAIT).until(() -> fixture.published(own).size() == 1
                    && fixture.published(other).size() == 1);
            assertThat(fixture.published(own).get(0).getOrigin().getRolesList()).containsExactly("moderator");
            assertThat(fixture.published(other).get(0).getOrigin().getRolesList())
                    .as("no moderator, so no exemption from send limits, outside its rooms").isEmpty();
        }
    }
}
