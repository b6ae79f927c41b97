package dev.danmaku.gateway.presence;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import dev.danmaku.gateway.room.Broadcaster;
import dev.danmaku.gateway.room.Room;
import dev.danmaku.gateway.room.RoomHistory;
import dev.danmaku.gateway.room.RoomMetrics;
import dev.danmaku.gateway.room.RoomRegistry;
import dev.danmaku.proto.v1.PresenceReport;

/** What a gateway keeps of presence, and what it publishes, follows the rooms that have viewers now. */
class PresenceTrackerTest {

    private static final String TOPIC = "presence";
    private static final Duration INTERVAL = Duration.ofSeconds(5);

    private static ConsumerRecord<String, byte[]> report(String gateway, String room, int online, long atMillis) {
        byte[] value = PresenceReport.newBuilder().setGatewayId(gateway).setRoomId(room).setOnline(online).setTsMs(atMillis)
                .build().toByteArray();
        return new ConsumerRecord<>(TOPIC, 0, 0, gateway + "/" + room, value);
    }

    private static ConsumerRecord<String, byte[]> tombstone(String gateway, String room) {
        return new ConsumerRecord<>(TOPIC, 0, 0, gateway + "/" + room, null);
    }

    private static ConsumerRecords<String, byte[]> records(List<ConsumerRecord<String, byte[]>> list) {
        return new ConsumerRecords<>(Map.of(new TopicPartition(TOPIC, 0), list), Map.of());
    }

    @Test
    void tombstonesAndSilentGatewaysAreForgottenNotOnlyIgnored() throws Exception {
        try (Broadcaster broadcaster = new Broadcaster("gw", 1)) {
            RoomRegistry registry = new RoomRegistry(new Room.RoomSettings(100, 60_000, 0, 64 * 1024), broadcaster,
                    new RoomMetrics(new SimpleMeterRegistry(), "gw"), RoomHistory.NONE);
            PresenceTracker tracker = new PresenceTracker(new MockConsumer<>("earliest"),
                    new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()), TOPIC, "gw", registry,
                    INTERVAL);
            long now = System.currentTimeMillis();
            tracker.handle(records(List.of(report("gw-2", "a", 3, now), report("gw-2", "b", 1, now),
                    report("gw-3", "a", 2, now), report("gw", "a", 9, now))));
            assertThat(tracker.reportsHeld()).as("its own reports are not held").isEqualTo(3);

            tracker.handle(records(List.of(tombstone("gw-2", "b"))));
            assertThat(tracker.reportsHeld()).isEqualTo(2);

            // a thousand rooms that came and went, from a gateway that then died
            List<ConsumerRecord<String, byte[]>> churn = new java.util.ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                churn.add(report("gw-dead", "room-" + i, 1, now - Duration.ofMinutes(10).toMillis()));
            }
            tracker.handle(records(churn));
            tracker.forgetStale(now);
            assertThat(tracker.reportsHeld()).isEqualTo(2);

            tracker.forgetStale(now + 4 * INTERVAL.toMillis());
            assertThat(tracker.reportsHeld()).as("gateways that stopped reporting").isZero();
        }
    }

    @Test
    void aRoomNoLongerWatchedHereGetsATombstoneOnceNotACountOfZeroForEver() {
        Map<String, Integer> current = new HashMap<>(Map.of("watched", 2, "emptied", 0));
        Map<String, Integer> last = Map.of("watched", 1, "emptied", 4, "swept", 1);

        Map<String, Integer> published = PresenceTracker.toPublish(current, last);

        assertThat(published).containsEntry("watched", 2).containsEntry("emptied", null).containsEntry("swept", null)
                .hasSize(3);
        assertThat(PresenceTracker.toPublish(Map.of("emptied", 0), Map.of())).as("nothing for a room already told")
                .isEmpty();
    }
}
