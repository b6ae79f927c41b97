package dev.danmaku.gateway.kafka;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.protobuf.InvalidProtocolBufferException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

import dev.danmaku.common.kafka.PollLoop;
import dev.danmaku.gateway.room.Room;
import dev.danmaku.gateway.room.RoomRegistry;
import dev.danmaku.gateway.ws.OutboundFrame;
import dev.danmaku.proto.v1.Ack;
import dev.danmaku.proto.v1.Batch;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.Notice;
import dev.danmaku.proto.v1.Reason;
import dev.danmaku.proto.v1.RecallNotice;
import dev.danmaku.proto.v1.RoomEvent;
import dev.danmaku.proto.v1.ServerFrame;
import dev.danmaku.proto.v1.Verdict;

/**
 * Reads danmaku.filtered.v1 without a consumer group, from the end, and delivers each poll's
 * events: one {@code batch} frame per room per poll, acks to this gateway's senders.
 */
public final class FilteredFeed extends PollLoop {

    private final String topic;
    private final String gatewayId;
    private final RoomRegistry registry;
    private final Counter undecodable;
    private final Counter delivered;

    public FilteredFeed(Consumer<String, byte[]> consumer, String topic, String gatewayId, RoomRegistry registry,
            MeterRegistry meters) {
        super("filtered-feed-" + gatewayId, consumer);
        this.topic = topic;
        this.gatewayId = gatewayId;
        this.registry = registry;
        this.undecodable = meters.counter("danmaku_gateway_undecodable_records_total", "gateway", gatewayId);
        this.delivered = meters.counter("danmaku_gateway_danmaku_broadcast_total", "gateway", gatewayId);
    }

    @Override
    protected void onStart() {
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(info -> new TopicPartition(topic, info.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        // resolve the end offsets now, so nothing published after start is skipped
        partitions.forEach(consumer::position);
    }

    @Override
    protected void handle(ConsumerRecords<String, byte[]> records) {
        Map<Room, Batch.Builder> batches = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            RoomEvent event;
            try {
                event = RoomEvent.parseFrom(record.value());
            } catch (InvalidProtocolBufferException | NullPointerException e) {
                undecodable.increment();
                log.warn("Skipped an undecodable record at {}-{}@{}", record.topic(), record.partition(), record.offset());
                continue;
            }
            switch (event.getEventCase()) {
                case DANMAKU -> onJudged(event.getDanmaku(), batches);
                case RECALL -> registry.room(event.getRecall().getRoomId()).ifPresent(room -> {
                    flush(room, batches.remove(room));
                    room.forget(event.getRecall().getMsgId());
                    room.broadcast(new OutboundFrame(ServerFrame.newBuilder().setRecall(RecallNotice.newBuilder()
                            .setRoomId(room.id()).setMsgId(event.getRecall().getMsgId())).build()));
                });
                case NOTICE -> registry.room(event.getNotice().getRoomId()).ifPresent(room -> {
                    flush(room, batches.remove(room));
                    room.broadcast(new OutboundFrame(ServerFrame.newBuilder().setNotice(Notice.newBuilder()
                            .setLevel(event.getNotice().getLevel()).setText(event.getNotice().getText())).build()));
                });
                case EVENT_NOT_SET -> undecodable.increment();
            }
        }
        batches.forEach(this::flush);
    }

    private void onJudged(JudgedDanmaku judged, Map<Room, Batch.Builder> batches) {
        Danmaku danmaku = judged.getDanmaku();
        boolean mine = gatewayId.equals(judged.getOrigin().getGatewayId());
        switch (judged.getVerdict()) {
            case ACCEPTED, MASKED -> {
                Room room = registry.roomForEvents(danmaku.getRoomId());
                room.remember(danmaku);
                batches.computeIfAbsent(room, r -> Batch.newBuilder()).addDanmaku(danmaku);
            }
            case SHADOWED -> {
                if (mine) {
                    registry.session(judged.getOrigin().getSessionId()).ifPresent(session -> session.send(
                            ServerFrame.newBuilder().setBatch(Batch.newBuilder().addDanmaku(danmaku)).build()));
                }
            }
            default -> {
                // REJECTED: nobody but the sender hears of it, through the ack
            }
        }
        if (mine) {
            registry.session(judged.getOrigin().getSessionId()).ifPresent(session -> session.send(
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

    private void flush(Room room, Batch.Builder batch) {
        if (batch == null || batch.getDanmakuCount() == 0) {
            return;
        }
        delivered.increment(batch.getDanmakuCount());
        room.broadcast(new OutboundFrame(ServerFrame.newBuilder().setBatch(batch).build()));
    }
}
