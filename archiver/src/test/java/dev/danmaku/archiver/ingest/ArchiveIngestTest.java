package dev.danmaku.archiver.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.internals.AutoOffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.danmaku.archiver.store.ArchiveStore;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.Recall;
import dev.danmaku.proto.v1.RoomEvent;
import dev.danmaku.proto.v1.Verdict;

class ArchiveIngestTest {

    private static final String TOPIC = "danmaku.filtered.v1";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

    private final MockConsumer<String, byte[]> consumer = new MockConsumer<>(AutoOffsetResetStrategy.EARLIEST.name());
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<String> stored = new CopyOnWriteArrayList<>();
    private final List<String> recalled = new CopyOnWriteArrayList<>();
    private ArchiveIngest ingest;

    @AfterEach
    void stop() {
        if (ingest != null) {
            ingest.close();
        }
    }

    private void start(ArchiveWriter writer) {
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(PARTITION));
            consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
        });
        ingest = new ArchiveIngest(consumer, TOPIC, writer, new Backoff(Duration.ofMillis(20), Duration.ofMillis(80)), meters);
        ingest.start(Duration.ofSeconds(5));
    }

    private void send(long offset, RoomEvent event) {
        consumer.schedulePollTask(() -> consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, offset, "room", event.toByteArray())));
    }

    private static RoomEvent verdict(String msgId) {
        return RoomEvent.newBuilder().setDanmaku(JudgedDanmaku.newBuilder().setVerdict(Verdict.ACCEPTED)
                .setDanmaku(Danmaku.newBuilder().setMsgId(msgId).setRoomId("room").setSentAtMs(1))).build();
    }

    private void storeAll(List<ArchiveStore.Incoming> verdicts, List<ArchiveStore.RecallMark> recalls) {
        verdicts.forEach(incoming -> stored.add(incoming.judged().getDanmaku().getMsgId()));
        recalls.forEach(mark -> recalled.add(mark.msgId()));
    }

    private long committed() {
        OffsetAndMetadata offset = consumer.committed(Set.of(PARTITION)).get(PARTITION);
        return offset == null ? -1 : offset.offset();
    }

    @Test
    void storesThenCommits() {
        start(this::storeAll);
        send(0, verdict("m0"));
        send(1, RoomEvent.newBuilder().setRecall(Recall.newBuilder().setMsgId("m0").setRoomId("room")).build());
        send(2, verdict("m2"));

        await().atMost(Duration.ofSeconds(5)).until(() -> committed() == 3);
        assertThat(stored).containsExactly("m0", "m2");
        assertThat(recalled).containsExactly("m0");
        assertThat(meters.counter("danmaku_archive_rows_written").count()).isEqualTo(2);
    }

    @Test
    void aRetrysRepeatOfAnArchivedVerdictIsNotStoredAgain() {
        start(this::storeAll);
        send(0, verdict("m0"));
        RoomEvent repeat = verdict("m0");
        send(1, repeat.toBuilder().setDanmaku(repeat.getDanmaku().toBuilder().setRepeat(true)).build());
        send(2, verdict("m2"));

        await().atMost(Duration.ofSeconds(5)).until(() -> committed() == 3);
        assertThat(stored).containsExactly("m0", "m2");
    }

    @Test
    void pausesWhileTheDatabaseIsDownAndResumesWithoutLossOrCommitAhead() {
        AtomicInteger failuresLeft = new AtomicInteger(4);
        List<Boolean> pausedWhenFailing = new CopyOnWriteArrayList<>();
        List<Long> committedWhenFailing = new CopyOnWriteArrayList<>();
        start((verdicts, recalls) -> {
            if (failuresLeft.getAndDecrement() > 0) {
                pausedWhenFailing.add(!consumer.paused().isEmpty());
                committedWhenFailing.add(committed());
                throw new SQLTransientConnectionException("archive - Connection is not available", "08001");
            }
            storeAll(verdicts, recalls);
        });
        send(0, verdict("m0"));
        send(1, verdict("m1"));

        await().atMost(Duration.ofSeconds(5)).until(() -> committed() == 2);
        assertThat(stored).containsExactly("m0", "m1");
        // paused from the second attempt on; nothing committed before the write succeeded
        assertThat(pausedWhenFailing).containsExactly(false, true, true, true);
        assertThat(committedWhenFailing).containsOnly(-1L);
        assertThat(consumer.paused()).isEmpty();
        assertThat(meters.counter("danmaku_archive_database_errors").count()).isEqualTo(4);

        send(2, verdict("m2"));
        await().atMost(Duration.ofSeconds(5)).until(() -> committed() == 3);
        assertThat(stored).containsExactly("m0", "m1", "m2");
    }

    @Test
    void skipsOnlyTheRowTheDatabaseRefusesAsInvalid() {
        List<List<String>> attempts = new ArrayList<>();
        start((verdicts, recalls) -> {
            List<String> ids = verdicts.stream().map(incoming -> incoming.judged().getDanmaku().getMsgId()).toList();
            synchronized (attempts) {
                attempts.add(ids);
            }
            if (ids.contains("bad")) {
                throw new SQLException("value too long", "22001");
            }
            storeAll(verdicts, recalls);
        });
        consumer.schedulePollTask(() -> {
            consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 0, "room", verdict("m0").toByteArray()));
            consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 1, "room", verdict("bad").toByteArray()));
            consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 2, "room", new byte[] {(byte) 0xFF, 0x01}));
            consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 3, "room", verdict("m3").toByteArray()));
        });

        await().atMost(Duration.ofSeconds(5)).until(() -> committed() == 4);
        assertThat(stored).containsExactly("m0", "m3");
        assertThat(meters.counter("danmaku_archive_rows_refused").count()).isEqualTo(1);
        assertThat(meters.counter("danmaku_archive_undecodable_records").count()).isEqualTo(1);
    }
}
