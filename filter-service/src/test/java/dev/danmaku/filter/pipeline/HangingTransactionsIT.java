package dev.danmaku.filter.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.config.SettingValues;
import dev.danmaku.common.kafka.KafkaClients;
import dev.danmaku.filter.pipeline.HangingTransactions.Cluster;
import dev.danmaku.filter.pipeline.HangingTransactions.OpenTransaction;
import dev.danmaku.testkit.DanmakuIT;
import dev.danmaku.testkit.KafkaCluster;
import dev.danmaku.testkit.TestSecrets;

/**
 * What the hanging-transaction check asks of a real broker: an open transaction that wrote verdicts
 * and the group's offsets is seen on both partitions, mapped to its transactional id and counted by
 * its coordinator; aborting it through the admin client makes both partitions stable again.
 */
@DanmakuIT
class HangingTransactionsIT {

    @Test
    void anOpenTransactionIsSeenOnTheFilteredTopicAndTheGroupsOffsetsAndTheAdminClientAbortsIt(KafkaCluster kafka)
            throws Exception {
        String unique = UUID.randomUUID().toString().substring(0, 8);
        CommonConfig common = CommonConfig.from(SettingValues.of(CommonConfig.SETTINGS, Map.of("DANMAKU_JWT_SECRET", TestSecrets.JWT,
                "DANMAKU_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "DANMAKU_TOPIC_PREFIX", "hanging-it-" + unique + ".",
                "DANMAKU_TOPIC_PARTITIONS", "2")));
        KafkaClients clients = new KafkaClients(common);
        clients.createMissingTopics(Duration.ofSeconds(30));
        String group = "hanging-it-" + unique;
        String transactionalId = "hanging-it-" + unique + ".writer";
        TopicPartition verdicts = new TopicPartition(clients.topics().filtered(), 0);
        TopicPartition quiet = new TopicPartition(clients.topics().filtered(), 1);

        try (Admin admin = Admin.create(clients.adminProperties());
                KafkaProducer<String, byte[]> producer = clients.transactionalProducer("hanging-it", transactionalId)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(verdicts.topic(), verdicts.partition(), "room", new byte[] {1})).get();
            producer.sendOffsetsToTransaction(Map.of(new TopicPartition(clients.topics().raw(), 0), new OffsetAndMetadata(1)),
                    new ConsumerGroupMetadata(group));

            Cluster cluster = HangingTransactions.through(admin, Duration.ofSeconds(10));
            assertThat(cluster.partitionCount(clients.topics().filtered())).isEqualTo(2);
            assertThat(cluster.partitionCount("hanging-it-" + unique + ".no-such-topic")).isZero();
            TopicPartition offsets = new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME,
                    Utils.abs(group.hashCode()) % cluster.partitionCount(Topic.GROUP_METADATA_TOPIC_NAME));

            assertThat(cluster.unstable(List.of(verdicts, quiet, offsets))).containsExactlyInAnyOrder(verdicts, offsets);
            List<OpenTransaction> open = cluster.openTransactions(List.of(verdicts, quiet, offsets));
            assertThat(open).extracting(OpenTransaction::partition).containsExactlyInAnyOrder(verdicts, offsets);
            long producerId = open.get(0).producerId();
            assertThat(cluster.transactionalIds(Set.of(producerId))).containsEntry(producerId, transactionalId);
            assertThat(cluster.pendingPartitions(transactionalId)).hasValueSatisfying(
                    partitions -> assertThat(partitions).contains(verdicts, offsets));
            assertThat(cluster.pendingPartitions("hanging-it-" + unique + ".unknown")).isEmpty();

            for (OpenTransaction transaction : open) {
                cluster.abort(transaction);
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> cluster.unstable(List.of(verdicts, quiet, offsets)).isEmpty());
        }
    }

    @Test
    void onBrokersWithTransactionVersionTwoATransactionHangsOnceItIsPastItsTimeout(KafkaCluster kafka) {
        CommonConfig common = CommonConfig.from(SettingValues.of(CommonConfig.SETTINGS, Map.of("DANMAKU_JWT_SECRET", TestSecrets.JWT,
                "DANMAKU_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers())));
        try (Admin admin = Admin.create(new KafkaClients(common).adminProperties())) {
            assertThat(HangingTransactions.hangingAfterMs(admin, 10_000, Duration.ofSeconds(10))).isEqualTo(10_000);
        }
    }
}
