package dev.danmaku.gateway.kafka;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
import dev.danmaku.gateway.room.Room;
import dev.danmaku.gateway.room.RoomRegistry;
import dev.danmaku.proto.v1.Ack;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.Notice;
import dev.danmaku.proto.v1.Reason;
import dev.danmaku.proto.v1.RecallNotice;
import dev.danmaku.proto.v1.RoomEvent;
import dev.danmaku.proto.v1.ServerFrame;
import dev.danmaku.proto.v1.Verdict;

/**
 * Reads danmaku.filtered.v1 without a consumer group, following only the partitions that hold
 * this gateway's rooms: a partition is assigned (at its end) when its first local room appears,
 * and released when its last one is swept. Accepted danmaku go to their room's next flush; the
 * sender's gateway also sends the ack.
 */
public final class FilteredFeed extends PollLoop {

    private final String topic;
    private final String gatewayId;
    private final RoomRegistry registry;
    private final Counter undecodable;
    private record Awaited(int partition, CompletableFuture<Void> ready) {
    }

    private final Queue<Awaited> awaited = new ConcurrentLinkedQueue<>();
    private volatile boolean roomsChanged = true;
    private volatile Set<Integer> assigned = Set.of();
    private int partitionCount;

    public FilteredFeed(Consumer<String, byte[]> consumer, String topic, String gatewayId, RoomRegistry registry,
            MeterRegistry meters) {
        super("filtered-feed-" + gatewayId, consumer);
        this.topic = topic;
        this.gatewayId = gatewayId;
        this.registry = registry;
        this.undecodable = meters.counter("danmaku_gateway_undecodable_records_total", "gateway", gatewayId);
        meters.gauge("danmaku_gateway_assigned_partitions", io.micrometer.core.instrument.Tags.of("gateway", gatewayId),
                this, feed -> feed.assigned.size());
        registry.onRoomsChanged(this::roomsChanged);
    }

    @Override
    protected void onStart() {
        partitionCount = consumer.partitionsFor(topic).size();
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
    public CompletableFuture<Void> follow(String roomId, boolean newRoom) {
        int partition = partitionOf(roomId);
        if (!newRoom && assigned.contains(partition)) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> ready = new CompletableFuture<>();
        awaited.add(new Awaited(partition, ready));
        roomsChanged();
        return ready;
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
        Set<Integer> wanted = registry.roomIds().stream().map(this::partitionOf).collect(Collectors.toCollection(HashSet::new));
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
                    added.forEach(consumer::position);
                }
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
                case DANMAKU -> onJudged(event.getDanmaku());
                case RECALL -> registry.room(event.getRecall().getRoomId()).ifPresent(room -> {
                    room.flush();
                    room.recall(event.getRecall().getMsgId(), ServerFrame.newBuilder().setRecall(RecallNotice.newBuilder()
                            .setRoomId(room.id()).setMsgId(event.getRecall().getMsgId())).build());
                });
                case NOTICE -> registry.room(event.getNotice().getRoomId()).ifPresent(room ->
                        room.tell(ServerFrame.newBuilder().setNotice(Notice.newBuilder()
                                .setLevel(event.getNotice().getLevel()).setText(event.getNotice().getText())).build()));
                case EVENT_NOT_SET -> undecodable.increment();
            }
        }
    }

    private void onJudged(JudgedDanmaku judged) {
        Danmaku danmaku = judged.getDanmaku();
        boolean mine = gatewayId.equals(judged.getOrigin().getGatewayId());
        switch (judged.getVerdict()) {
            case ACCEPTED, MASKED -> {
                // a retry of a send judged before carries the first verdict: the room has it already
                if (!judged.getRepeat()) {
                    registry.room(danmaku.getRoomId()).ifPresent(room -> room.add(danmaku));
                }
            }
            case SHADOWED -> {
                if (mine && !judged.getRepeat()) {
                    registry.session(judged.getOrigin().getSessionId())
                            .ifPresent(session -> registry.room(danmaku.getRoomId())
                                    .ifPresent(room -> room.addShadowed(danmaku, session)));
                }
            }
            default -> {
                // REJECTED: nobody but the sender hears of it, through the ack
            }
        }
        if (mine) {
            registry.session(judged.getOrigin().getSessionId()).ifPresent(session -> session.acknowledge(
                    ServerFrame.newBuilder().setAck(ackFor(judged)).build()));
        }
    }

    /** The sender of a shadowed danmaku must not be able to tell: it is acked as accepted. */
    static Ack ackFor(JudgedDanmaku judged) {
        boolean shadowed = judged.getVerdict() == Verdict.SHADOWED;
        return Ack.newBuilder()
                .setClientMsgId(judged.getOrigin().getClientMsgId())
                .setMsgId(judged.getDanmaku().getMsgId())
                .setVerdict(shadowed ? Verdict.ACCEPTED : judged.getVerdict())
                .setReason(shadowed ? Reason.REASON_UNSPECIFIED : judged.getReason())
                .build();
    }
}
