package dev.danmaku.filter.pipeline;

import java.util.Collection;
import java.util.List;

import org.apache.kafka.common.TopicPartition;

import dev.danmaku.proto.v1.JudgedDanmaku;

/** Where a raw partition's new owner finds the verdicts that its previous owners committed lately. */
public interface RecentVerdicts extends AutoCloseable {

    /** A committed verdict of a first send, with the raw partition of its room and when it was written. */
    record Recent(TopicPartition rawPartition, JudgedDanmaku verdict, long writtenAtMillis) {
    }

    /** Nothing remembered: retries of sends judged before a failover are judged as new sends. */
    RecentVerdicts NONE = (rawPartitions, sinceMillis) -> List.of();

    /**
     * The committed verdicts of first sends (with a clientMsgId) to these raw partitions' rooms, written
     * since then, oldest first within a room. Never throws for a broker's trouble: what could not be read
     * in time is left out, and said in the log.
     */
    List<Recent> since(Collection<TopicPartition> rawPartitions, long sinceMillis);

    @Override
    default void close() {
    }
}
