package dev.danmaku.archiver.fault;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import dev.danmaku.archiver.store.ArchiveStore;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.RoomEvent;
import dev.danmaku.proto.v1.Verdict;

/** What the fault tests send to danmaku.filtered.v1 and count in the archive. */
final class Danmakus {

    private Danmakus() {
    }

    static KafkaProducer<String, byte[]> producer(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** The i-th verdict of a run: ids are unique per run, rooms spread over the partitions. */
    static ProducerRecord<String, byte[]> verdict(String topic, String run, int i) {
        String room = run + "-room-" + (i % 7);
        RoomEvent event = RoomEvent.newBuilder().setDanmaku(JudgedDanmaku.newBuilder().setVerdict(Verdict.ACCEPTED)
                .setDanmaku(Danmaku.newBuilder().setMsgId(run + ":" + i).setRoomId(room).setUserId("u" + (i % 50))
                        .setUserName("User").setText("danmaku " + i).setSentAtMs(System.currentTimeMillis()))).build();
        return new ProducerRecord<>(topic, room, event.toByteArray());
    }

    /** Rows of the run: total, and how many distinct msgIds. */
    static Map<String, Long> counts(ArchiveStore store, String run) throws SQLException {
        try (Connection connection = store.dataSource().getConnection(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT COUNT(*), COUNT(DISTINCT msg_id) FROM danmaku WHERE msg_id LIKE '"
                     + run + ":%'")) {
            rs.next();
            Map<String, Long> counts = new HashMap<>();
            counts.put("rows", rs.getLong(1));
            counts.put("distinct", rs.getLong(2));
            return counts;
        }
    }

    static long rows(ArchiveStore store, String run) {
        try {
            return counts(store, run).get("rows");
        } catch (SQLException e) {
            return -1;
        }
    }
}
