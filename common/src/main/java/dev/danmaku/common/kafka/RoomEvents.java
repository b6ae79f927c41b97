package dev.danmaku.common.kafka;

import com.google.protobuf.InvalidProtocolBufferException;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import dev.danmaku.proto.v1.RoomEvent;

/** The records of danmaku.filtered.v1. */
public final class RoomEvents {

    private RoomEvents() {
    }

    /** The record's event, or null when it has no value or the value is not one. */
    public static RoomEvent decode(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return null;
        }
        try {
            return RoomEvent.parseFrom(record.value());
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
    }
}
