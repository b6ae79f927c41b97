package dev.danmaku.gateway.room;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.danmaku.gateway.protocol.OutboundFrame;
import dev.danmaku.gateway.protocol.ServerFrames;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.ServerFrame;

/** A room's fan-out through its viewers' handles alone, with no connection behind them. */
class RoomTest {

    private static final long LONG_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final Broadcaster broadcaster = new Broadcaster("gw-test", 2);
    /** A window no test waits for: each test flushes the room itself. */
    private final Room room = new Room("r1", new Room.RoomSettings(10, 60_000, LONG_WINDOW_NANOS, 64 * 1024),
            broadcaster, new RoomMetrics(new SimpleMeterRegistry(), "gw-test"));

    @AfterEach
    void tearDown() {
        broadcaster.close();
    }

    /** A viewer that notes what reaches it, and how. */
    private static final class Noting implements Viewer {
        final int lane;
        final BlockingQueue<ServerFrame> replies = new LinkedBlockingQueue<>();
        final BlockingQueue<ServerFrame> broadcasts = new LinkedBlockingQueue<>();

        Noting(int lane) {
            this.lane = lane;
        }

        @Override
        public int lane() {
            return lane;
        }

        @Override
        public void send(ServerFrame frame) {
            replies.add(frame);
        }

        @Override
        public void broadcast(OutboundFrame frame) {
            broadcasts.add(frame.frame());
        }

        List<String> nextBatch() throws InterruptedException {
            ServerFrame frame = broadcasts.poll(5, TimeUnit.SECONDS);
            assertThat(frame).as("a batch").isNotNull();
            return frame.getBatch().getDanmakuList().stream().map(Danmaku::getMsgId).toList();
        }
    }

    private static Danmaku danmaku(String msgId) {
        return Danmaku.newBuilder().setMsgId(msgId).setRoomId("r1").setText("t").build();
    }

    /** Joins them, then starts a flush window: what is added next waits for the test's own flush. */
    private void joinInAWindow(Viewer... viewers) {
        for (Viewer viewer : viewers) {
            room.reserve();
            room.join(viewer, "", recent -> ServerFrames.joined("r1", "u", 1, true, recent.danmaku(), false));
        }
        room.flush();
    }

    @Test
    void aJoinIsAnsweredOnTheReplyPathAndTheRoomsBatchesReachEveryLane() throws Exception {
        Noting first = new Noting(0);
        Noting second = new Noting(1);
        joinInAWindow(first, second);

        room.add(danmaku("d1"));
        room.add(danmaku("d2"));
        room.add(danmaku("d1")); // queued already
        room.flush();

        assertThat(first.replies.poll(5, TimeUnit.SECONDS).hasJoined()).isTrue();
        assertThat(first.nextBatch()).containsExactly("d1", "d2");
        assertThat(second.nextBatch()).containsExactly("d1", "d2");
        assertThat(room.online()).isEqualTo(2);
    }

    @Test
    void aShadowedDanmakuReachesItsSenderAloneInTheRoomsOwnBatchWhereItCame() throws Exception {
        Noting sender = new Noting(0);
        Noting other = new Noting(0);
        joinInAWindow(sender, other);

        room.add(danmaku("d1"));
        room.addShadowed(danmaku("s1"), sender);
        room.add(danmaku("d2"));
        room.flush();

        assertThat(sender.nextBatch()).containsExactly("d1", "s1", "d2");
        assertThat(other.nextBatch()).containsExactly("d1", "d2");
    }

    @Test
    void aSenderWhoLeftIsNotShownItsShadowedDanmaku() throws Exception {
        Noting sender = new Noting(1);
        Noting other = new Noting(0);
        joinInAWindow(sender, other);

        room.addShadowed(danmaku("s1"), sender);
        room.add(danmaku("d1"));
        room.leave(sender);
        room.flush();

        assertThat(other.nextBatch()).containsExactly("d1");
        assertThat(sender.broadcasts.poll(200, TimeUnit.MILLISECONDS)).isNull();
        assertThat(room.online()).isEqualTo(1);
    }
}
