package dev.danmaku.filter.admin;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import dev.danmaku.proto.v1.Recall;
import dev.danmaku.proto.v1.RoomEvent;

/** Publishes moderator events (recalls) to danmaku.filtered.v1, keyed by room like every verdict. */
public final class RoomEvents {

    private final Producer<String, byte[]> producer;
    private final String topic;

    public RoomEvents(Producer<String, byte[]> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    /** Publishes a recall and waits until the broker has it. */
    public RecordMetadata recall(Recall recall) throws ExecutionException, TimeoutException, InterruptedException {
        RoomEvent event = RoomEvent.newBuilder().setRecall(recall).build();
        return producer.send(new ProducerRecord<>(topic, recall.getRoomId(), event.toByteArray()))
                .get(10, TimeUnit.SECONDS);
    }
}
