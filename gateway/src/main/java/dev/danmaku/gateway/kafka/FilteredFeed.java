package dev.danmaku.gateway.kafka;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

import dev.danmaku.common.kafka.PollLoop;
import dev.danmaku.common.kafka.RoomEvents;
import dev.danmaku.common.kafka.Topics;
import dev.danmaku.gateway.room.RoomEventHandler;
import dev.danmaku.gateway.room.RoomFollowing;
import dev.danmaku.proto.v1.RoomEvent;

/**
 * Reads danmaku.filtered.v1 without a consumer group, following only the partitions that hold
 * the rooms it is told to follow ({@link RoomFollowing}): a partition is assigned (at its end) when
 * its first room is followed, and released when its last one is. It decodes what it reads and hands
 * it to the rooms' {@link RoomEventHandler}.
 */
public final class FilteredFeed extends PollLoop implements RoomFollowing {

    private final String topic;
    private final Set<String> followedRooms = ConcurrentHashMap.newKeySet();
    private final RoomEventHandler events;
    private final Counter undecodable;
    private record Awaited(int partition, CompletableFuture<Void> ready) {
    }

    private final Queue<Awaited> awaited = new ConcurrentLinkedQueue<>();
    private volatile boolean roomsChanged = true;
    private volatile Set<Integer> assigned = Set.of();
    /** Per followed partition: the offset up to which what was read has been handed to the rooms. */
    private final Map<Integer, Long> delivered = new ConcurrentHashMap<>();
    private int partitionCount;

    public FilteredFeed(Consumer<String, byte[]> consumer, String topic, String gatewayId, RoomEventHandler events,
            MeterRegistry meters) {
        super("filtered-feed-" + gatewayId, consumer);
        this.topic = topic;
        this.events = events;
        this.undecodable = meters.counter("danmaku_gateway_undecodable_records_total", "gateway", gatewayId);
        meters.gauge("danmaku_gateway_assigned_partitions", io.micrometer.core.instrument.Tags.of("gateway", gatewayId),
                this, feed -> feed.assigned.size());
    }

    @Override
    protected void onStart() {
        partitionCount = partitionsOf(topic).size();
    }

    /** The partition a room's events are on: Kafka's default partitioner for the room key. */
    public int partitionOf(String roomId) {
        return Topics.partitionOf(roomId, partitionCount);
    }

    /**
     * Completes once the room's partition is assigned and positioned, so nothing published after is
     * missed. A room that was just created waits for the next assignment pass even when its
     * partition looks assigned: a pass that began before the room existed may be releasing it.
     */
    @Override
    public CompletableFuture<Void> follow(String roomId, boolean newRoom) {
        followedRooms.add(roomId);
        int partition = partitionOf(roomId);
        if (!newRoom && assigned.contains(partition)) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> ready = new CompletableFuture<>();
        awaited.add(new Awaited(partition, ready));
        roomsChanged();
        return ready;
    }

    @Override
    public void release(String roomId) {
        if (followedRooms.remove(roomId)) {
            roomsChanged();
        }
    }

    /** The offset up to which the partition's records have been handed to the rooms; -1 when it is not followed. */
    public long deliveredUpTo(int partition) {
        return delivered.getOrDefault(partition, -1L);
    }

    /** The partitions followed now. */
    public Set<Integer> assignedPartitions() {
        return assigned;
    }

    private void roomsChanged() {
        roomsChanged = true;
        wakeUp();
    }

    @Override
    protected boolean beforePoll() {
        if (roomsChanged) {
            roomsChanged = false;
            reassign();
        }
        return !assigned.isEmpty();
    }

    private void reassign() {
        // only joins registered before this pass began are answered by it
        List<Awaited> due = new ArrayList<>();
        for (Awaited next = awaited.poll(); next != null; next = awaited.poll()) {
            due.add(next);
        }
        Set<Integer> wanted = followedRooms.stream().map(this::partitionOf).collect(Collectors.toCollection(HashSet::new));
        due.forEach(a -> wanted.add(a.partition()));
        if (!wanted.equals(assigned)) {
            List<TopicPartition> partitions = wanted.stream().map(p -> new TopicPartition(topic, p)).toList();
            List<TopicPartition> added = partitions.stream().filter(tp -> !assigned.contains(tp.partition())).toList();
            try {
                consumer.assign(partitions);
                // never with none: seekToEnd of an empty collection moves every assigned partition to its end, and
                // the danmaku of the rooms still followed that were not read yet would be skipped
                if (!added.isEmpty()) {
                    consumer.seekToEnd(added);
                    // resolve the end offsets now, so nothing published after a join is skipped
                    added.forEach(tp -> delivered.put(tp.partition(), consumer.position(tp)));
                }
                delivered.keySet().retainAll(wanted);
            } catch (WakeupException e) {
                // another room changed meanwhile: the next pass redoes this one
                awaited.addAll(due);
                roomsChanged = true;
                throw e;
            }
            assigned = Set.copyOf(wanted);
            log.debug("Following partitions {} of {}", new LinkedHashSet<>(wanted), topic);
        }
        due.forEach(a -> a.ready().complete(null));
    }

    @Override
    protected void handle(ConsumerRecords<String, byte[]> records) {
        for (ConsumerRecord<String, byte[]> record : records) {
            RoomEvent event = RoomEvents.decode(record);
            if (event == null) {
                undecodable.increment();
                log.warn("Skipped an undecodable record at {}-{}@{}", record.topic(), record.partition(), record.offset());
                continue;
            }
            if (log.isDebugEnabled()) {
                log.debug("{}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                        event.hasDanmaku() ? event.getDanmaku().getDanmaku().getMsgId() + " " + event.getDanmaku().getVerdict()
                                : event.getEventCase());
            }
            switch (event.getEventCase()) {
                case DANMAKU -> events.judged(event.getDanmaku());
                case RECALL -> events.recalled(event.getRecall().getRoomId(), event.getRecall().getMsgId());
                case NOTICE -> events.notice(event.getNotice().getRoomId(), event.getNotice().getLevel(),
                        event.getNotice().getText());
                case EVENT_NOT_SET -> undecodable.increment();
            }
        }
        // after the rooms have them: past transaction markers too, which the records do not show
        for (TopicPartition partition : consumer.assignment()) {
            delivered.put(partition.partition(), consumer.position(partition));
        }
    }
}
