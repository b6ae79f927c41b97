package dev.danmaku.gateway.presence;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.google.protobuf.InvalidProtocolBufferException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import dev.danmaku.common.kafka.PollLoop;
import dev.danmaku.gateway.protocol.ServerFrames;
import dev.danmaku.gateway.room.Room;
import dev.danmaku.gateway.room.RoomRegistry;
import dev.danmaku.proto.v1.PresenceReport;

/**
 * Room-wide viewer counts across gateways. Every interval this gateway publishes its local count
 * of each room to the compacted danmaku.presence.v1 (key gateway/room), and a tombstone for a room it
 * no longer has viewers in; it reads every gateway's reports, forgets those older than three
 * intervals (a gateway that died), and pushes a {@code presence} frame to a room when its total
 * changes, at most once per second. So what it holds, and what the topic keeps, follows the rooms
 * that have viewers now, however many rooms came and went.
 */
public final class PresenceTracker extends PollLoop {

    private static final Duration PUSH_INTERVAL = Duration.ofSeconds(1);
    private static final Duration WITHDRAW_WAIT = Duration.ofSeconds(6);

    private record Report(int online, long atMillis) {
    }

    private final String topic;
    private final String gatewayId;
    private final RoomRegistry registry;
    private final Producer<String, byte[]> producer;
    private final Duration interval;
    private final Map<String, Map<String, Report>> othersByRoom = new ConcurrentHashMap<>();
    /** Guarded by running on {@link #publisher} alone. */
    private final Map<String, Integer> lastPublished = new HashMap<>();
    /** Publishes on a thread of its own: a send may block (max.block.ms) while Kafka is away, and must not hold up flushes or pings. */
    private final ScheduledExecutorService publisher;

    public PresenceTracker(Consumer<String, byte[]> consumer, Producer<String, byte[]> producer, String topic,
            String gatewayId, RoomRegistry registry, Duration interval) {
        super("presence-" + gatewayId, consumer);
        this.topic = topic;
        this.gatewayId = gatewayId;
        this.registry = registry;
        this.producer = producer;
        this.interval = interval;
        this.publisher = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "presence-publish-" + gatewayId);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts reading reports and publishing, and the periodic push to rooms on {@code timer}. */
    public void start(ScheduledExecutorService timer) {
        start(Duration.ofSeconds(30));
        publisher.scheduleWithFixedDelay(this::publish, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::push, PUSH_INTERVAL.toMillis(), PUSH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected void onStart() {
        List<TopicPartition> partitions = partitionsOf(topic);
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    @Override
    protected void handle(ConsumerRecords<String, byte[]> records) {
        forgetStale(System.currentTimeMillis());
        for (ConsumerRecord<String, byte[]> record : records) {
            if (record.value() == null) {
                forget(record.key());
                continue;
            }
            try {
                PresenceReport report = PresenceReport.parseFrom(record.value());
                if (!report.getGatewayId().equals(gatewayId)) {
                    othersByRoom.computeIfAbsent(report.getRoomId(), r -> new ConcurrentHashMap<>())
                            .put(report.getGatewayId(), new Report(report.getOnline(), report.getTsMs()));
                }
            } catch (InvalidProtocolBufferException e) {
                log.warn("Skipped an undecodable presence report at offset {}", record.offset());
            }
        }
    }

    private void forget(String key) {
        int slash = key == null ? -1 : key.indexOf('/');
        if (slash > 0) {
            othersByRoom.computeIfPresent(key.substring(slash + 1), (room, reports) -> {
                reports.remove(key.substring(0, slash));
                return reports.isEmpty() ? null : reports;
            });
        }
    }

    /** Reports of gateways that stopped reporting (killed, cut off) are dropped, not only ignored. */
    void forgetStale(long nowMillis) {
        long freshAfter = nowMillis - 3 * interval.toMillis();
        othersByRoom.values().forEach(reports -> reports.values().removeIf(report -> report.atMillis() <= freshAfter));
        othersByRoom.values().removeIf(Map::isEmpty);
    }

    /** How many other gateways' room counts this one holds. */
    int reportsHeld() {
        return othersByRoom.values().stream().mapToInt(Map::size).sum();
    }

    /** Viewers of the room on every live gateway, this one counted live. */
    public int online(Room room) {
        long freshAfter = System.currentTimeMillis() - 3 * interval.toMillis();
        int total = room.online();
        Map<String, Report> others = othersByRoom.get(room.id());
        if (others != null) {
            for (Report report : others.values()) {
                if (report.atMillis() > freshAfter) {
                    total += report.online();
                }
            }
        }
        return total;
    }

    private void publish() {
        try {
            long now = System.currentTimeMillis();
            Map<String, Integer> current = new HashMap<>();
            for (Room room : registry.rooms()) {
                current.put(room.id(), room.online());
            }
            toPublish(current, lastPublished).forEach((roomId, online) -> {
                if (online == null) {
                    producer.send(new ProducerRecord<>(topic, gatewayId + "/" + roomId, null));
                } else {
                    send(roomId, online, now);
                }
            });
            lastPublished.clear();
            current.forEach((roomId, online) -> {
                if (online > 0) {
                    lastPublished.put(roomId, online);
                }
            });
        } catch (RuntimeException e) {
            log.warn("Publishing presence failed: {}", e.getMessage());
        }
    }

    /**
     * What to publish, by room: the count of every room with viewers here, and null (a tombstone) for
     * a room that had some at the last publish and has none now (emptied, or swept), so other gateways
     * stop counting it at once and compaction drops its key.
     */
    static Map<String, Integer> toPublish(Map<String, Integer> current, Map<String, Integer> lastPublished) {
        Map<String, Integer> out = new HashMap<>();
        current.forEach((roomId, online) -> {
            if (online > 0) {
                out.put(roomId, online);
            }
        });
        lastPublished.forEach((roomId, online) -> {
            if (online > 0 && current.getOrDefault(roomId, 0) == 0) {
                out.put(roomId, null);
            }
        });
        return out;
    }

    private void send(String roomId, int online, long now) {
        PresenceReport report = PresenceReport.newBuilder()
                .setGatewayId(gatewayId).setRoomId(roomId).setOnline(online).setTsMs(now).build();
        producer.send(new ProducerRecord<>(topic, gatewayId + "/" + roomId, report.toByteArray()));
    }

    private void push() {
        try {
            for (Room room : registry.rooms()) {
                if (room.online() == 0) {
                    continue;
                }
                int total = online(room);
                if (room.presenceChanged(total)) {
                    room.tell(ServerFrames.presence(room.id(), total));
                }
            }
        } catch (RuntimeException e) {
            log.warn("Pushing presence failed: {}", e.getMessage());
        }
    }

    /** On a clean shutdown: this gateway's rooms count 0 everywhere at once (tombstones); publishes no more. */
    public void withdraw() {
        try {
            Future<?> withdrawn = publisher.submit(() -> {
                for (String roomId : lastPublished.keySet()) {
                    producer.send(new ProducerRecord<>(topic, gatewayId + "/" + roomId, null));
                }
                lastPublished.clear();
            });
            publisher.shutdown();
            withdrawn.get(WITHDRAW_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // withdrawn already
        } catch (ExecutionException | TimeoutException e) {
            log.warn("Could not withdraw this gateway's presence ({}); other gateways forget it within three intervals",
                    e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        publisher.shutdownNow();
        super.close();
    }
}
