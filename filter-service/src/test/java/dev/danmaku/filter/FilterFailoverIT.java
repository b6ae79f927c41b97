package dev.danmaku.filter;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.google.protobuf.InvalidProtocolBufferException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import dev.danmaku.common.kafka.KafkaClients;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.Origin;
import dev.danmaku.proto.v1.RawDanmaku;
import dev.danmaku.proto.v1.RoomEvent;
import dev.danmaku.testkit.DanmakuIT;
import dev.danmaku.testkit.KafkaCluster;

/**
 * Two filter instances share the rooms; one is killed with SIGKILL mid-stream and a replacement with a
 * new instance id starts at once, as a Deployment would. Every danmaku is judged exactly once, in each
 * room's order, and no room stalls for long. The ceiling here is loose enough for a busy CI machine; the
 * failover figures themselves come from the fault suite, not from this test.
 */
@DanmakuIT
class FilterFailoverIT {

    private static final int ROOMS = 6;
    private static final int PER_ROOM = 400;
    private static final long SEND_INTERVAL_MS = 50;
    private static final Duration STALL_CEILING = Duration.ofSeconds(20);

    @Test
    void aKilledInstanceIsReplacedWithoutLossDuplicatesOrALongStall(KafkaCluster kafka) throws Exception {
        String prefix = FilterChild.topicPrefix("failover-it-");
        KafkaClients clients = FilterChild.topics(kafka, prefix, 6);
        int total = ROOMS * PER_ROOM;

        try (KafkaProducer<String, byte[]> producer = clients.producer("failover-feeder", Map.of());
             KafkaConsumer<String, byte[]> output = clients.consumer("failover-output", null, Map.of());
             FilterChild first = FilterChild.start(kafka.bootstrapServers(), prefix, "first", Map.of());
             FilterChild second = FilterChild.start(kafka.bootstrapServers(), prefix, "second", Map.of())) {
            List<TopicPartition> partitions = output.partitionsFor(clients.topics().filtered()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            output.assign(partitions);
            output.seekToBeginning(partitions);

            AtomicInteger sent = new AtomicInteger();
            Thread feeder = new Thread(() -> feed(producer, clients.topics().raw(), sent), "feeder");
            Output seen = new Output(output, total);
            Thread collector = new Thread(seen, "collector");
            feeder.start();
            collector.start();

            FilterChild replacement = null;
            try {
                while (sent.get() < total / 4) {
                    Thread.sleep(20);
                }
                assertThat(first.kill()).as("killed by SIGKILL").isEqualTo(137);
                seen.mark("killed");
                // a Deployment starts a new pod with a new name at once
                replacement = FilterChild.start(kafka.bootstrapServers(), prefix, "replacement", Map.of());
                seen.mark("replacement ready");
                feeder.join(60_000);
                collector.join(60_000);
            } finally {
                seen.stop();
                if (replacement != null) {
                    replacement.close();
                }
            }

            Map<String, Long> stallMs = new HashMap<>();
            Map<String, String> stallsAt = new HashMap<>();
            seen.arrivals.forEach((room, times) -> {
                long longest = 0;
                List<String> gaps = new ArrayList<>();
                for (int i = 1; i < times.size(); i++) {
                    long gap = times.get(i) - times.get(i - 1);
                    longest = Math.max(longest, gap);
                    if (gap >= 500) {
                        gaps.add(gap + " ms from " + (times.get(i - 1) - seen.startedMs));
                    }
                }
                stallMs.put(room, longest);
                stallsAt.put(room, String.join(", ", gaps));
            });
            System.out.printf("filter failover: %s; longest stall per room (ms) %s; stalls of 500 ms or more %s%n",
                    seen.marks, stallMs, stallsAt);

            assertThat(seen.count.keySet()).as("every danmaku judged").hasSize(total);
            assertThat(seen.duplicates).as("nothing judged twice").isZero();
            assertThat(seen.outOfOrder).as("each room in order").isZero();
            assertThat(stallMs.values()).as("longest stall per room").allSatisfy(
                    stall -> assertThat(stall).isLessThan(STALL_CEILING.toMillis()));
        }
    }

    /** Reads the verdicts as a read_committed viewer would, noting when each room's arrive. */
    private static final class Output implements Runnable {
        final Map<String, Integer> count = new HashMap<>();
        final Map<String, List<Long>> arrivals = new HashMap<>();
        final Map<String, Integer> lastSequence = new HashMap<>();
        final List<String> marks = new CopyOnWriteArrayList<>();
        final long startedMs = System.currentTimeMillis();
        int duplicates;
        int outOfOrder;
        private final KafkaConsumer<String, byte[]> consumer;
        private final int expected;
        private volatile boolean stopped;

        Output(KafkaConsumer<String, byte[]> consumer, int expected) {
            this.consumer = consumer;
            this.expected = expected;
        }

        void mark(String what) {
            marks.add(what + " at " + (System.currentTimeMillis() - startedMs) + " ms");
        }

        void stop() {
            stopped = true;
        }

        @Override
        public void run() {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!stopped && count.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(20)).forEach(this::take);
            }
            // anything published twice would arrive now
            long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (!stopped && System.nanoTime() < settle) {
                consumer.poll(Duration.ofMillis(50)).forEach(this::take);
            }
        }

        private void take(ConsumerRecord<String, byte[]> record) {
            Danmaku danmaku;
            try {
                danmaku = RoomEvent.parseFrom(record.value()).getDanmaku().getDanmaku();
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
            String msgId = danmaku.getMsgId();
            if (count.merge(msgId, 1, Integer::sum) > 1) {
                duplicates++;
                return;
            }
            int sequence = Integer.parseInt(msgId.substring(msgId.lastIndexOf('-') + 1));
            Integer previous = lastSequence.put(danmaku.getRoomId(), sequence);
            if (previous != null && sequence != previous + 1) {
                outOfOrder++;
            }
            arrivals.computeIfAbsent(danmaku.getRoomId(), r -> new ArrayList<>()).add(System.currentTimeMillis());
        }
    }

    /** {@value #PER_ROOM} danmaku per room, one per room every {@value #SEND_INTERVAL_MS} ms; distinct users so no limit refuses. */
    private static void feed(KafkaProducer<String, byte[]> producer, String topic, AtomicInteger sent) {
        for (int i = 0; i < PER_ROOM; i++) {
            for (int room = 0; room < ROOMS; room++) {
                String roomId = "room-" + room;
                RawDanmaku raw = RawDanmaku.newBuilder()
                        .setDanmaku(Danmaku.newBuilder().setMsgId(roomId + "-" + i).setRoomId(roomId)
                                .setUserId("user-" + room + "-" + i).setText("message " + i)
                                .setSentAtMs(System.currentTimeMillis()))
                        .setOrigin(Origin.newBuilder().setClientMsgId("c" + i)).build();
                producer.send(new ProducerRecord<>(topic, roomId, raw.toByteArray()));
                sent.incrementAndGet();
            }
            try {
                Thread.sleep(SEND_INTERVAL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        producer.flush();
    }
}
