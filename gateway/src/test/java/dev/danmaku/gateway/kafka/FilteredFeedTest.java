package dev.danmaku.gateway.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import dev.danmaku.gateway.room.Broadcaster;
import dev.danmaku.gateway.room.Room;
import dev.danmaku.gateway.room.RoomHistory;
import dev.danmaku.gateway.room.RoomMetrics;
import dev.danmaku.gateway.room.RoomRegistry;
import dev.danmaku.gateway.room.AwaitedSends;
import dev.danmaku.gateway.room.Members;
import dev.danmaku.gateway.room.VerdictRouter;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.RoomEvent;
import dev.danmaku.proto.v1.Verdict;

class FilteredFeedTest {

    private static final String TOPIC = "danmaku.filtered.v1";

    /**
     * A mock that keeps KafkaConsumer's documented seekToEnd contract, which MockConsumer does not: an
     * empty collection means every assigned partition.
     */
    private static final class DocumentedConsumer extends MockConsumer<String, byte[]> {
        DocumentedConsumer() {
            super("earliest");
        }

        @Override
        public synchronized void seekToEnd(Collection<TopicPartition> partitions) {
            super.seekToEnd(partitions.isEmpty() ? assignment() : partitions);
        }
    }

    private static ConsumerRecord<String, byte[]> accepted(TopicPartition partition, long offset, String roomId, String msgId) {
        return new ConsumerRecord<>(TOPIC, partition.partition(), offset, roomId, RoomEvent.newBuilder()
                .setDanmaku(JudgedDanmaku.newBuilder().setVerdict(Verdict.ACCEPTED)
                        .setDanmaku(Danmaku.newBuilder().setMsgId(msgId).setRoomId(roomId)))
                .build().toByteArray());
    }

    @Test
    void releasingOneRoomsPartitionSkipsNothingOfTheRoomsStillFollowed() throws Exception {
        DocumentedConsumer consumer = new DocumentedConsumer();
        consumer.updatePartitions(TOPIC, IntStream.range(0, 6).mapToObj(p -> new PartitionInfo(TOPIC, p, null, null, null)).toList());
        Map<TopicPartition, Long> empty = new HashMap<>();
        IntStream.range(0, 6).forEach(p -> empty.put(new TopicPartition(TOPIC, p), 0L));
        consumer.updateBeginningOffsets(empty);
        consumer.updateEndOffsets(empty);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (Broadcaster broadcaster = new Broadcaster("gw", 1)) {
            RoomRegistry registry = new RoomRegistry(new Room.RoomSettings(100, 60_000, 0, 64 * 1024), broadcaster, new RoomMetrics(meters, "gw"), RoomHistory.NONE);
            FilteredFeed feed = new FilteredFeed(consumer, TOPIC, "gw", new VerdictRouter("gw", registry, Members.NONE, AwaitedSends.NONE), meters);
            registry.followThrough(feed);
            feed.start(Duration.ofSeconds(5));
            try {
                String kept = "kept";
                String released = IntStream.range(0, 100).mapToObj(i -> "released-" + i)
                        .filter(room -> feed.partitionOf(room) != feed.partitionOf(kept)).findFirst().orElseThrow();
                registry.reserve(kept).followed().get(5, TimeUnit.SECONDS);
                RoomRegistry.Reserved releasedRoom = registry.reserve(released);
                releasedRoom.followed().get(5, TimeUnit.SECONDS);
                TopicPartition keptPartition = new TopicPartition(TOPIC, feed.partitionOf(kept));

                consumer.schedulePollTask(() -> consumer.addRecord(accepted(keptPartition, 0, kept, "m0")));
                awaitWritten(meters, 1);
                // m1 is in the log, not yet read, when the other room's last viewer is gone and its partition released
                consumer.schedulePollTask(() -> {
                    consumer.addRecord(accepted(keptPartition, 1, kept, "m1"));
                    consumer.updateEndOffsets(Map.of(keptPartition, 2L));
                    releasedRoom.room().cancelReservation();
                    registry.sweepEmptyRooms(-60_000);
                });
                awaitWritten(meters, 2);
                assertThat(feed.assignedPartitions()).containsExactly(keptPartition.partition());
            } finally {
                feed.close();
            }
        }
    }

    private static void awaitWritten(SimpleMeterRegistry meters, long count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (meters.get("danmaku_gateway_delivery_latency").timer().count() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(meters.get("danmaku_gateway_delivery_latency").timer().count()).as("danmaku written to their room")
                .isEqualTo(count);
    }
}
