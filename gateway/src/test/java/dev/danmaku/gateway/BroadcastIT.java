package dev.danmaku.gateway;

import static dev.danmaku.gateway.GatewayFixture.WAIT;
import static dev.danmaku.gateway.GatewayFixture.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import com.fasterxml.uuid.Generators;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.danmaku.gateway.room.Room;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.RawDanmaku;
import dev.danmaku.proto.v1.ServerFrame;
import dev.danmaku.proto.v1.Verdict;
import dev.danmaku.testkit.DanmakuIT;
import dev.danmaku.testkit.KafkaCluster;
import dev.danmaku.testkit.ViewerClient;

/** Fan-out: coalescing, slow viewers, resume, recall, and which partitions a gateway follows. */
@DanmakuIT
class BroadcastIT {

    private static GatewayFixture fixture;

    @BeforeAll
    static void start(KafkaCluster kafka) {
        fixture = new GatewayFixture(kafka, 4);
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private static List<String> ids(List<Danmaku> danmaku) {
        return danmaku.stream().map(Danmaku::getMsgId).toList();
    }

    @Test
    void aBusyRoomGetsEveryDanmakuInOrderCoalescedIntoFewerFrames() {
        String room = GatewayFixture.room();
        try (var gateway = fixture.start("gw-busy", c -> c);
             ViewerClient viewer = GatewayFixture.joined(gateway.url(), room, "")) {
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                sent.add(fixture.accept(room, room + "-" + i, "danmaku " + i).getMsgId());
            }
            fixture.flush();
            await().atMost(WAIT).until(() -> viewer.danmaku().size() >= sent.size());
            assertThat(ids(viewer.danmaku())).containsExactlyElementsOf(sent);
            assertThat(viewer.received().stream().filter(ServerFrame::hasBatch).count()).isLessThan(sent.size());
        }
    }

    @Test
    void aViewerThatStopsReadingDelaysNobodyAndIsClosedWith4009() throws Exception {
        String room = GatewayFixture.room();
        // a viewer whose queue has not drained for 2 s is too slow: a healthy viewer that reads the whole flood on
        // a busy machine may stay behind longer than 500 ms (CI closed one then), the stalled one never catches up
        try (var gateway = fixture.start("gw-slow", c -> c.withBroadcast(new GatewayConfig.Broadcast(
                c.broadcast().flushWindow(), 1024 * 1024, Duration.ofSeconds(2), 100, Duration.ofMinutes(5),
                Duration.ofSeconds(30), 2)));
             RawWebSocket stalled = RawWebSocket.openWithSmallBuffer(gateway.http().port());
             ViewerClient first = GatewayFixture.joined(gateway.url(), room, "");
             ViewerClient second = GatewayFixture.joined(gateway.url(), room, "")) {
            // joins, then never reads again
            stalled.sendText("{\"join\":{\"roomId\":\"" + room + "\"}}");
            await().atMost(WAIT).until(() -> fixture.gauge("danmaku_gateway_sessions", "gw-slow") == 3);
            String text = "x".repeat(8_000);
            // more than the stalled socket's buffers and its 1 MiB queue hold
            int count = 1_200;
            for (int i = 0; i < count; i++) {
                fixture.accept(room, room + "-" + i, text);
            }
            fixture.flush();
            long flooded = System.currentTimeMillis();

            // the healthy viewers get the end of the flood (~10 MB) within seconds of the last write to Kafka, in order
            // and once each; a burst several times their own 1 MiB queue may cost them older batches (drop-oldest) when
            // it arrives faster than they read, but never waits on the stalled viewer
            String last = room + "-" + (count - 1);
            await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> assertThat(
                    ids(first.danmaku()).contains(last) && ids(second.danmaku()).contains(last))
                    .as("both healthy viewers shown the last danmaku (viewers closed as too slow so far: %s)",
                            fixture.counter("danmaku_gateway_slow_viewers_closed_total", "gw-slow"))
                    .isTrue());
            long allDelivered = System.currentTimeMillis();
            assertThat(allDelivered - flooded).isLessThan(15_000);
            for (ViewerClient healthy : List.of(first, second)) {
                List<String> got = ids(healthy.danmaku());
                assertThat(got).doesNotHaveDuplicates().isSortedAccordingTo(Comparator.comparingInt(
                        (String id) -> Integer.parseInt(id.substring(id.lastIndexOf('-') + 1))));
                assertThat(healthy.received()).noneMatch(ServerFrame::hasError);
            }
            await().atMost(WAIT).until(() -> fixture.counter("danmaku_gateway_slow_viewers_closed_total", "gw-slow") == 1);
            assertThat(fixture.counter("danmaku_gateway_batches_dropped_total")).isPositive();
            assertThat(stalled.awaitServerClose(WAIT)).isLessThan(WAIT);
            assertThat(stalled.closeCodeSeen()).isEqualTo(4009);
        }
    }

    @Test
    void aViewerThatStopsReadingIsClosedWith4009WhenSilenceFollowsTheBurst() throws Exception {
        String room = GatewayFixture.room();
        // a slow-viewer timeout longer than the burst takes: only the deadline itself can close the viewer
        Duration slowViewerTimeout = Duration.ofSeconds(3);
        try (var gateway = fixture.start("gw-burst", c -> c.withBroadcast(new GatewayConfig.Broadcast(
                c.broadcast().flushWindow(), 256 * 1024, slowViewerTimeout, 100, Duration.ofMinutes(5),
                Duration.ofSeconds(30), 2)));
             RawWebSocket stalled = RawWebSocket.openWithSmallBuffer(gateway.http().port())) {
            stalled.sendText("{\"join\":{\"roomId\":\"" + room + "\"}}");
            stalled.awaitText("\"joined\"", WAIT); // then it reads nothing more
            String text = "y".repeat(8_000);
            int count = 600;
            for (int i = 0; i < count; i++) {
                fixture.accept(room, room + "-" + i, text);
            }
            fixture.flush();
            // the end of the burst: the room has flushed every danmaku of it (a reader's count would depend on how
            // fast it drains: with a 256 KiB queue a burst arriving in 4 MB polls drops batches for anyone)
            await().atMost(WAIT).until(() -> fixture.timerCount("danmaku_gateway_delivery_latency", "gw-burst") == count);
            assertThat(fixture.counter("danmaku_gateway_batches_dropped_total", "gw-burst")).isPositive();

            // nothing more is sent to the room, and the stalled viewer reads nothing until it is closed
            await().atMost(WAIT.plus(slowViewerTimeout))
                    .until(() -> fixture.counter("danmaku_gateway_slow_viewers_closed_total", "gw-burst") == 1);
            assertThat(stalled.awaitServerClose(WAIT)).isLessThan(WAIT);
            assertThat(stalled.closeCodeSeen()).isEqualTo(4009);
        }
    }

    @Test
    void aReconnectingViewerResumesWithoutAGapOrADuplicate() {
        String room = GatewayFixture.room();
        try (var gateway = fixture.start("gw-resume", c -> c);
             ViewerClient stays = GatewayFixture.joined(gateway.url(), room, "")) {
            String lastSeen;
            try (ViewerClient leaves = GatewayFixture.joined(gateway.url(), room, "")) {
                for (int i = 0; i < 5; i++) {
                    fixture.accept(room, room + "-a" + i, "before " + i);
                }
                fixture.flush();
                await().atMost(WAIT).until(() -> leaves.danmaku().size() == 5);
                lastSeen = leaves.danmaku().get(4).getMsgId();
            }
            List<String> missed = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                missed.add(fixture.accept(room, room + "-b" + i, "while away " + i).getMsgId());
            }
            fixture.flush();
            await().atMost(WAIT).until(() -> stays.danmaku().size() == 9);

            try (ViewerClient back = ViewerClient.connect(gateway.url(), ViewerClient.JSON)) {
                back.send(join(room, "", lastSeen));
                ServerFrame joined = back.await(ServerFrame::hasJoined, WAIT);
                assertThat(joined.getJoined().getResumed()).isTrue();
                assertThat(ids(joined.getJoined().getRecentList())).containsExactlyElementsOf(missed);
                String next = fixture.accept(room, room + "-c", "after").getMsgId();
                fixture.flush();
                await().atMost(WAIT).until(() -> back.danmaku().size() == 1);
                assertThat(ids(back.danmaku())).containsExactly(next);
            }
            try (ViewerClient stranger = ViewerClient.connect(gateway.url(), ViewerClient.JSON)) {
                stranger.send(join(room, "", "not-held"));
                ServerFrame joined = stranger.await(ServerFrame::hasJoined, WAIT);
                assertThat(joined.getJoined().getResumed()).isFalse();
                assertThat(joined.getJoined().getRecentCount()).isEqualTo(10);
            }
        }
    }

    @Test
    void aViewerFurtherBehindThanTheRecentListResumesFromTheBus() {
        String room = GatewayFixture.room();
        var msgIds = Generators.timeBasedEpochGenerator();
        try (var gateway = fixture.start("gw-far-behind", c -> c.withBroadcast(new GatewayConfig.Broadcast(
                c.broadcast().flushWindow(), 1024 * 1024, Duration.ofMillis(500), 5, Duration.ofMinutes(5),
                Duration.ofSeconds(30), 2)));
             ViewerClient stays = GatewayFixture.joined(gateway.url(), room, "")) {
            String lastSeen;
            try (ViewerClient handedOver = GatewayFixture.joined(gateway.url(), room, "")) {
                fixture.accept(room, msgIds.generate().toString(), "seen");
                fixture.flush();
                await().atMost(WAIT).until(() -> handedOver.danmaku().size() == 1);
                lastSeen = handedOver.danmaku().get(0).getMsgId();
            }
            // four times the recent list, as a busy room sends while a viewer moves gateways
            List<String> missed = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                missed.add(fixture.accept(room, msgIds.generate().toString(), "while away " + i).getMsgId());
            }
            fixture.flush();
            await().atMost(WAIT).until(() -> stays.danmaku().size() == 21);

            try (ViewerClient back = ViewerClient.connect(gateway.url(), ViewerClient.JSON)) {
                back.send(join(room, "", lastSeen));
                ServerFrame joined = back.await(ServerFrame::hasJoined, WAIT);
                assertThat(joined.getJoined().getResumed()).isTrue();
                assertThat(ids(joined.getJoined().getRecentList())).containsExactlyElementsOf(missed);
            }
        }
    }

    @Test
    void aViewerResumesOnAGatewayThatDidNotFollowTheRoom() {
        String room = GatewayFixture.room();
        var msgIds = Generators.timeBasedEpochGenerator();
        String lastSeen;
        List<String> missed = new ArrayList<>();
        try (var first = fixture.start("gw-dies", c -> c);
             ViewerClient viewer = GatewayFixture.joined(first.url(), room, "")) {
            for (int i = 0; i < 5; i++) {
                String msgId = fixture.accept(room, msgIds.generate().toString(), "seen " + i).getMsgId();
                if (i > 2) {
                    missed.add(msgId);
                }
            }
            fixture.flush();
            await().atMost(WAIT).until(() -> viewer.danmaku().size() == 5);
            lastSeen = viewer.danmaku().get(2).getMsgId();
        }
        // shown while no gateway followed the room; one of them recalled
        for (int i = 0; i < 4; i++) {
            missed.add(fixture.accept(room, msgIds.generate().toString(), "while away " + i).getMsgId());
        }
        fixture.recall(room, missed.remove(3));
        fixture.flush();

        try (var second = fixture.start("gw-takes-over", c -> c);
             ViewerClient back = ViewerClient.connect(second.url(), ViewerClient.JSON)) {
            back.send(join(room, "", lastSeen));
            ServerFrame joined = back.await(ServerFrame::hasJoined, WAIT);
            assertThat(joined.getJoined().getResumed()).isTrue();
            assertThat(ids(joined.getJoined().getRecentList())).containsExactlyElementsOf(missed);
            String next = fixture.accept(room, msgIds.generate().toString(), "after").getMsgId();
            fixture.flush();
            await().atMost(WAIT).until(() -> back.danmaku().size() == 1);
            assertThat(ids(back.danmaku())).containsExactly(next);
            assertThat(fixture.meters.find("danmaku_gateway_resumes_total").tag("gateway", "gw-takes-over")
                    .tag("from", "history").counter().count()).isEqualTo(1);
        }
    }

    @Test
    void aShadowedDanmakuReachesItsSenderAloneInTheRoomsOwnBatch() {
        String room = GatewayFixture.room();
        // a wide flush window, so what arrives after the first flush waits for the next one
        try (var gateway = fixture.start("gw-shadow", c -> c.withBroadcast(new GatewayConfig.Broadcast(
                Duration.ofSeconds(1), c.broadcast().outboundQueueBytes(), c.broadcast().slowViewerTimeout(), 100,
                Duration.ofMinutes(5), Duration.ofSeconds(30), 2)));
             ViewerClient sender = GatewayFixture.joined(gateway.url(), room, fixture.viewerToken("shadowed-user"));
             ViewerClient viewer = GatewayFixture.joined(gateway.url(), room, "")) {
            sender.send(GatewayFixture.send("c1", "judged to be shadowed"));
            await().atMost(WAIT).until(() -> fixture.published(room).size() == 1);
            RawDanmaku sent = fixture.published(room).get(0);
            String first = fixture.accept(room, room + "-first", "opens the window").getMsgId();
            fixture.flush();
            await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(() -> viewer.danmaku().size() == 1);
            fixture.judge(sent, Verdict.SHADOWED);
            String next = fixture.accept(room, room + "-next", "in the same window").getMsgId();
            fixture.flush();

            await().atMost(WAIT).until(() -> sender.danmaku().size() == 3 && viewer.danmaku().size() == 2);
            String shadowed = sent.getDanmaku().getMsgId();
            List<List<String>> senderBatches = sender.received().stream().filter(ServerFrame::hasBatch)
                    .map(frame -> ids(frame.getBatch().getDanmakuList())).toList();
            assertThat(senderBatches).as("the shadowed one rides the room's batch, not one of its own")
                    .containsExactly(List.of(first), List.of(shadowed, next));
            assertThat(ids(viewer.danmaku())).containsExactly(first, next);
            assertThat(sender.await(ServerFrame::hasAck, WAIT).getAck().getVerdict()).isEqualTo(Verdict.ACCEPTED);
        }
    }

    @Test
    void aHotRoomFlushesAFullBatchBeforeItsWindowEnds() {
        String room = GatewayFixture.room();
        int queueBytes = 256 * 1024;
        int batchBytes = Room.RoomSettings.maxBatchBytesFor(queueBytes);
        // a window far longer than the test: only a full batch can make the room flush
        try (var gateway = fixture.start("gw-hot", c -> c.withBroadcast(new GatewayConfig.Broadcast(
                Duration.ofMinutes(1), queueBytes, c.broadcast().slowViewerTimeout(), 100, Duration.ofMinutes(5),
                Duration.ofSeconds(30), 2)));
             ViewerClient viewer = GatewayFixture.joined(gateway.url(), room, "")) {
            String text = "弹".repeat(300);
            int textBytes = text.length() * 3;
            int perBatch = batchBytes / textBytes + 1;
            int count = 4 * perBatch + 1;
            for (int i = 0; i < count; i++) {
                fixture.accept(room, room + "-" + i, text);
            }
            fixture.flush();
            // the first goes out at once (the room was idle); the rest in full batches, each as soon as it is full
            await().atMost(WAIT).until(() -> viewer.danmaku().size() >= count - perBatch);
            List<Integer> batchSizes = viewer.received().stream().filter(ServerFrame::hasBatch)
                    .map(frame -> frame.getBatch().getSerializedSize()).toList();
            assertThat(batchSizes).hasSizeGreaterThan(3);
            assertThat(batchSizes).allSatisfy(size -> assertThat(size).isLessThan(batchBytes + 2 * textBytes));
        }
    }

    @Test
    void aRecallIsForwardedAndForgotten() {
        String room = GatewayFixture.room();
        try (var gateway = fixture.start("gw-recall", c -> c);
             ViewerClient viewer = GatewayFixture.joined(gateway.url(), room, "")) {
            String msgId = fixture.accept(room, room + "-1", "regrettable").getMsgId();
            fixture.flush();
            await().atMost(WAIT).until(() -> viewer.danmaku().size() == 1);
            fixture.recall(room, msgId);
            fixture.flush();
            ServerFrame recall = viewer.await(ServerFrame::hasRecall, WAIT);
            assertThat(recall.getRecall().getMsgId()).isEqualTo(msgId);
            try (ViewerClient late = ViewerClient.connect(gateway.url(), ViewerClient.JSON)) {
                late.send(join(room, "", ""));
                assertThat(late.await(ServerFrame::hasJoined, WAIT).getJoined().getRecentList()).isEmpty();
            }
        }
    }

    @Test
    void aDanmakuJudgedTwiceIsShownOnce() {
        String room = GatewayFixture.room();
        try (var gateway = fixture.start("gw-twice", c -> c);
             ViewerClient viewer = GatewayFixture.joined(gateway.url(), room, "")) {
            // the same msgId twice in one flush window, then again once it was shown, then a new one
            fixture.accept(room, room + "-1", "once");
            fixture.accept(room, room + "-1", "once");
            fixture.flush();
            await().atMost(WAIT).until(() -> viewer.danmaku().size() == 1);
            fixture.accept(room, room + "-1", "once");
            fixture.accept(room, room + "-2", "next");
            fixture.flush();
            await().atMost(WAIT).until(() -> viewer.danmaku().stream().anyMatch(d -> d.getMsgId().equals(room + "-2")));
            assertThat(viewer.danmaku()).extracting(Danmaku::getMsgId).containsExactly(room + "-1", room + "-2");
        }
    }

    @Test
    void aRoomNoticeReachesEveryViewerAfterWhatCameBefore() {
        String room = GatewayFixture.room();
        try (var gateway = fixture.start("gw-notice", c -> c);
             ViewerClient viewer = GatewayFixture.joined(gateway.url(), room, "")) {
            fixture.accept(room, room + "-1", "before the notice");
            fixture.notice(room, "slow mode is on");
            fixture.flush();
            ServerFrame notice = viewer.await(ServerFrame::hasNotice, WAIT);
            assertThat(notice.getNotice().getText()).isEqualTo("slow mode is on");
            assertThat(notice.getNotice().getLevel()).isEqualTo(dev.danmaku.proto.v1.NoticeLevel.WARNING);
            List<ServerFrame> frames = viewer.received();
            assertThat(frames.indexOf(notice)).isGreaterThan(frames.indexOf(viewer.await(ServerFrame::hasBatch, WAIT)));
        }
    }

    @Test
    void aGatewayFollowsOnlyThePartitionsOfItsRooms() {
        try (var gateway = fixture.start("gw-partitions", c -> c.withBroadcast(new GatewayConfig.Broadcast(
                c.broadcast().flushWindow(), c.broadcast().outboundQueueBytes(), c.broadcast().slowViewerTimeout(), 100,
                Duration.ofMinutes(5), Duration.ZERO, 2)))) {
            assertThat(gateway.gateway().followedPartitions()).isEmpty();
            String watched = GatewayFixture.room();
            int partition = gateway.gateway().partitionOf(watched);
            try (ViewerClient viewer = GatewayFixture.joined(gateway.url(), watched, "")) {
                assertThat(gateway.gateway().followedPartitions()).containsExactly(partition);
            }
            await().atMost(WAIT).until(() -> gateway.gateway().followedPartitions().isEmpty());
        }
    }
}
