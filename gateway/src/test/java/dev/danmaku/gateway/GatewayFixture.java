package dev.danmaku.gateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import com.google.protobuf.InvalidProtocolBufferException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import dev.danmaku.common.auth.Identity;
import dev.danmaku.common.auth.Tokens;
import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.config.SettingValues;
import dev.danmaku.common.http.HttpServer;
import dev.danmaku.common.http.Routes;
import dev.danmaku.common.kafka.KafkaClients;
import dev.danmaku.proto.v1.ClientFrame;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.Join;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.RawDanmaku;
import dev.danmaku.proto.v1.Reason;
import dev.danmaku.proto.v1.Recall;
import dev.danmaku.proto.v1.RoomEvent;
import dev.danmaku.proto.v1.Send;
import dev.danmaku.proto.v1.ServerFrame;
import dev.danmaku.proto.v1.Verdict;
import dev.danmaku.testkit.KafkaCluster;
import dev.danmaku.testkit.ViewerClient;
import dev.danmaku.testkit.TestSecrets;

/**
 * Gateways on a real broker with their own topic prefix, listening on loopback; the test plays
 * the filter by writing verdicts to danmaku.filtered.v1 itself.
 */
final class GatewayFixture implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(15);

    final CommonConfig common;
    final Tokens tokens;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final KafkaProducer<String, byte[]> filtered;
    private final String filteredTopic;
    private final KafkaConsumer<String, byte[]> raw;
    private final List<RawDanmaku> rawSeen = new ArrayList<>();

    GatewayFixture(KafkaCluster kafka, int partitions) {
        common = CommonConfig.from(SettingValues.of(CommonConfig.SETTINGS, Map.of("DANMAKU_JWT_SECRET", TestSecrets.JWT,
                "DANMAKU_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "DANMAKU_TOPIC_PREFIX", "gw-" + UUID.randomUUID().toString().substring(0, 8) + ".",
                "DANMAKU_TOPIC_PARTITIONS", Integer.toString(partitions))));
        tokens = new Tokens(common.jwtSecret());
        KafkaClients clients = new KafkaClients(common);
        clients.createMissingTopics(Duration.ofSeconds(30));
        filtered = clients.producer("test-filter", Map.of());
        filteredTopic = clients.topics().filtered();
        raw = clients.consumer("test-filter-raw", null, Map.of());
        List<TopicPartition> rawPartitions = raw.partitionsFor(clients.topics().raw()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        raw.assign(rawPartitions);
        raw.seekToBeginning(rawPartitions);
    }

    /** A running gateway with the default settings changed by {@code adjust}. */
    Running start(String id, UnaryOperator<GatewayConfig> adjust) {
        GatewayConfig config = adjust.apply(GatewayConfig.defaults(common, id));
        Gateway gateway = Gateway.start(config, meters);
        PrometheusMeterRegistry probes = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        HttpServer http = HttpServer.start("127.0.0.1", 0, gateway.mount(gateway.mountProbes(Routes.withProbes(gateway::ready, probes))).handler(),
                config.limits().handshakeTimeout(), HttpServer.WRITE_TIMEOUT, config.proxyProtocol());
        return new Running(gateway, http);
    }

    record Running(Gateway gateway, HttpServer http) implements AutoCloseable {
        String url() {
            return "ws://127.0.0.1:" + http.port() + "/ws";
        }

        @Override
        public void close() {
            gateway.drain();
            http.close();
            gateway.close();
        }
    }

    String token(String user, String role) {
        return tokens.issue(user, user, Set.of(role), Duration.ofMinutes(10));
    }

    /** A moderator's token limited to {@code rooms}. */
    String scopedModeratorToken(String user, Set<String> rooms) {
        return tokens.issue(user, user, Set.of(Identity.MODERATOR), rooms, Duration.ofMinutes(10), java.time.Clock.systemUTC());
    }

    String viewerToken(String user) {
        return token(user, Identity.VIEWER);
    }

    /** Connects and joins, waiting for joined. */
    static ViewerClient joined(String url, String room, String token) {
        ViewerClient viewer = ViewerClient.connect(url, ViewerClient.JSON);
        viewer.send(join(room, token, ""));
        viewer.await(ServerFrame::hasJoined, WAIT);
        return viewer;
    }

    static ClientFrame join(String room, String token, String resumeAfter) {
        return ClientFrame.newBuilder().setJoin(Join.newBuilder().setRoomId(room).setToken(token).setResumeAfter(resumeAfter))
                .build();
    }

    static ClientFrame send(String clientMsgId, String text) {
        return ClientFrame.newBuilder().setSend(Send.newBuilder().setClientMsgId(clientMsgId).setText(text)).build();
    }

    /** Publishes an accepted danmaku as the filter would. */
    Danmaku accept(String room, String msgId, String text) {
        Danmaku danmaku = Danmaku.newBuilder().setMsgId(msgId).setRoomId(room).setUserId("u").setUserName("U")
                .setText(text).setSentAtMs(System.currentTimeMillis()).build();
        filtered.send(new ProducerRecord<>(filteredTopic, room, RoomEvent.newBuilder()
                .setDanmaku(JudgedDanmaku.newBuilder().setDanmaku(danmaku).setVerdict(Verdict.ACCEPTED)).build()
                .toByteArray()));
        return danmaku;
    }

    /** What gateways published to danmaku.raw.v1 for the room so far, oldest first. */
    List<RawDanmaku> published(String room) {
        synchronized (raw) {
            for (ConsumerRecord<String, byte[]> record : raw.poll(Duration.ofMillis(500))) {
                try {
                    rawSeen.add(RawDanmaku.parseFrom(record.value()));
                } catch (InvalidProtocolBufferException e) {
                    throw new AssertionError("a gateway published an undecodable record", e);
                }
            }
            return rawSeen.stream().filter(r -> r.getDanmaku().getRoomId().equals(room)).toList();
        }
    }

    /** Publishes the verdict of a danmaku a gateway published, as the filter would, so its sender is acked. */
    void judge(RawDanmaku sent, Verdict verdict) {
        filtered.send(new ProducerRecord<>(filteredTopic, sent.getDanmaku().getRoomId(), RoomEvent.newBuilder()
                .setDanmaku(JudgedDanmaku.newBuilder().setDanmaku(sent.getDanmaku()).setOrigin(sent.getOrigin())
                        .setVerdict(verdict)).build().toByteArray()));
    }

    /** Publishes a rejection of a danmaku a gateway published, with its reason. */
    void reject(RawDanmaku sent, Reason reason) {
        filtered.send(new ProducerRecord<>(filteredTopic, sent.getDanmaku().getRoomId(), RoomEvent.newBuilder()
                .setDanmaku(JudgedDanmaku.newBuilder().setDanmaku(sent.getDanmaku()).setOrigin(sent.getOrigin())
                        .setVerdict(Verdict.REJECTED).setReason(reason)).build().toByteArray()));
    }

    /** Publishes what the filter answers a retry of a send it judged: the first send's verdict, as a repeat. */
    void judgeRepeat(RawDanmaku first, Verdict verdict, RawDanmaku retry) {
        filtered.send(new ProducerRecord<>(filteredTopic, first.getDanmaku().getRoomId(), RoomEvent.newBuilder()
                .setDanmaku(JudgedDanmaku.newBuilder().setDanmaku(first.getDanmaku()).setOrigin(retry.getOrigin())
                        .setVerdict(verdict).setRepeat(true)).build().toByteArray()));
    }

    void notice(String room, String text) {
        filtered.send(new ProducerRecord<>(filteredTopic, room, RoomEvent.newBuilder()
                .setNotice(dev.danmaku.proto.v1.RoomNotice.newBuilder().setRoomId(room)
                        .setLevel(dev.danmaku.proto.v1.NoticeLevel.WARNING).setText(text)).build().toByteArray()));
    }

    void recall(String room, String msgId) {
        filtered.send(new ProducerRecord<>(filteredTopic, room, RoomEvent.newBuilder()
                .setRecall(Recall.newBuilder().setRoomId(room).setMsgId(msgId)).build().toByteArray()));
    }

    void flush() {
        filtered.flush();
    }

    static String room() {
        return "room-" + UUID.randomUUID().toString().substring(0, 8);
    }

    double gauge(String name, String gatewayId) {
        return meters.find(name).tag("gateway", gatewayId).gauge().value();
    }

    double counter(String name) {
        return meters.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    /** How many times a gateway's timer recorded (each danmaku a room flushed, for the delivery latency). */
    long timerCount(String name, String gatewayId) {
        return meters.find(name).tag("gateway", gatewayId).timers().stream().mapToLong(t -> t.count()).sum();
    }

    double counter(String name, String gatewayId) {
        return meters.find(name).tag("gateway", gatewayId).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    @Override
    public void close() {
        raw.close();
        filtered.close();
    }
}
