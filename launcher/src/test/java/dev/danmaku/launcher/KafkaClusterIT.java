package dev.danmaku.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code danmaku kafka --brokers 3 --node n} as three processes: a replicated cluster whose
 * partitions have three copies and need two in sync, so the leader's {@code kill -9} loses nothing
 * and the others go on taking and serving records.
 */
class KafkaClusterIT {

    private static final Pattern READY = Pattern.compile("Kafka node \\d of 3 ready");
    private static final String TOPIC = "replicated";

    @Test
    @Timeout(240)
    void aThreeNodeClusterLosesItsLeaderToKill9AndGoesOnWithEveryRecord(@TempDir Path data) throws Exception {
        int port = freePortBlock();
        List<CompletableFuture<ChildProcess>> starting = new ArrayList<>();
        for (int node = 1; node <= 3; node++) {
            String[] args = {"kafka", "--brokers", "3", "--node", Integer.toString(node), "--kafka-port",
                    Integer.toString(port), "--data-dir", data.toString()};
            starting.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return ChildProcess.start(Map.of(), READY, args);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        List<ChildProcess> nodes = new ArrayList<>();
        try {
            for (CompletableFuture<ChildProcess> node : starting) {
                nodes.add(node.get(120, TimeUnit.SECONDS));
            }
            String bootstrap = "127.0.0.1:" + port + ",127.0.0.1:" + (port + 1) + ",127.0.0.1:" + (port + 2);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
                    KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000),
                            new StringSerializer(), new StringSerializer())) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) -1))).all().get(30, TimeUnit.SECONDS);
                // the controller has the topic; the node the admin asks may learn of it a moment later
                TopicDescription topic = await().atMost(Duration.ofSeconds(30)).ignoreException(ExecutionException.class)
                        .until(() -> admin.describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS).get(TOPIC),
                                described -> described != null);
                assertThat(topic.partitions().get(0).replicas()).as("copies by default").hasSize(3);
                // the brokers' default, which the topic (created without configs) takes; asked of a named node, since a
                // topic's own config may be asked of a node that has not seen the new topic yet
                String leaderId = Integer.toString(topic.partitions().get(0).leader().id());
                String minInSync = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.BROKER, leaderId)))
                        .all().get(30, TimeUnit.SECONDS).values().iterator().next().get("min.insync.replicas").value();
                assertThat(minInSync).isEqualTo("2");

                producer.send(new ProducerRecord<>(TOPIC, "k", "before")).get(30, TimeUnit.SECONDS);
                int leader = topic.partitions().get(0).leader().id();
                nodes.get(leader - 1).kill();
                producer.send(new ProducerRecord<>(TOPIC, "k", "after the leader died")).get(60, TimeUnit.SECONDS);

                assertThat(readAll(bootstrap)).containsExactly("before", "after the leader died");
            }
        } finally {
            nodes.forEach(ChildProcess::close);
            starting.forEach(node -> node.thenAccept(ChildProcess::close));
        }
    }

    private static List<String> readAll(String bootstrap) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            List<String> values = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (values.size() < 2 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    values.add(record.value());
                }
            }
            return values;
        }
    }

    /** A base port whose three client ports and three controller ports (base + 100 …) are free. */
    private static int freePortBlock() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 40_000);
            if (free(base) && free(base + 1) && free(base + 2) && free(base + 100) && free(base + 101) && free(base + 102)) {
                return base;
            }
        }
        throw new IOException("no block of free ports found");
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
