package dev.danmaku.common.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.danmaku.common.config.CommonConfig;

/**
 * Builds the Kafka clients every service uses: keys are room ids (strings), values protobuf bytes.
 * The operator's DANMAKU_KAFKA_* properties apply to every client and win over our defaults,
 * except for what correctness depends on (idempotence, isolation, serializers).
 */
public final class KafkaClients {

    private static final Logger log = LoggerFactory.getLogger(KafkaClients.class);

    private final CommonConfig config;
    private final Topics topics;

    public KafkaClients(CommonConfig config) {
        this.config = config;
        this.topics = new Topics(config.topicPrefix());
    }

    public Topics topics() {
        return topics;
    }

    /** An idempotent producer keyed by room: one room's events stay in order. */
    public KafkaProducer<String, byte[]> producer(String clientId, Map<String, Object> overrides) {
        Map<String, Object> props = base(clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.putAll(overrides);
        props.putAll(config.kafkaProperties());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return new KafkaProducer<>(props);
    }

    /** The transaction timeout of {@link #transactionalProducer}, unless the Kafka properties set one. */
    public static final int DEFAULT_TRANSACTION_TIMEOUT_MS = 10_000;

    /** The transaction timeout the transactional producers use. */
    public long transactionTimeoutMs() {
        String configured = config.kafkaProperties().get(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG);
        return configured == null ? DEFAULT_TRANSACTION_TIMEOUT_MS : Long.parseLong(configured.strip());
    }

    /**
     * A transactional producer for read-process-write stages. Whoever takes over a transactional id
     * fences the previous producer at once; the transaction timeout is only the backstop for an id
     * nobody takes over, and calls that wait on a lost broker give up soon enough to be retried.
     */
    public KafkaProducer<String, byte[]> transactionalProducer(String clientId, String transactionalId) {
        return producer(clientId, Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, DEFAULT_TRANSACTION_TIMEOUT_MS,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000,
                // CONCURRENT_TRANSACTIONS retries stall sendOffsetsToTransaction for the whole backoff,
                // and the backoff grows exponentially up to its maximum (1 s by default)
                CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG, 10,
                CommonClientConfigs.RETRY_BACKOFF_MAX_MS_CONFIG, 50));
    }

    /** A read_committed consumer; {@code groupId} null for manual assignment without a group. */
    public KafkaConsumer<String, byte[]> consumer(String clientId, String groupId, Map<String, Object> overrides) {
        Map<String, Object> props = base(clientId);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.putAll(overrides);
        props.putAll(config.kafkaProperties());
        if (groupId != null) {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return new KafkaConsumer<>(props);
    }

    /** Creates whichever of the platform's topics are missing; existing topics are left as they are. */
    public void createMissingTopics(Duration timeout) {
        List<NewTopic> wanted = topics.all(config.topicPartitions(), config.topicReplicationFactor());
        try (Admin admin = Admin.create(adminProperties())) {
            var existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Collection<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
            if (missing.isEmpty()) {
                return;
            }
            for (var entry : admin.createTopics(missing).values().entrySet()) {
                try {
                    entry.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    log.info("Created topic {}", entry.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + entry.getKey() + ": "
                                + why(e.getCause()), e.getCause());
                    }
                }
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot list topics at " + config.kafkaBootstrapServers() + ": "
                    + why(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka at " + config.kafkaBootstrapServers() + " did not answer within "
                    + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    /**
     * A failure's message, and its root cause's when that says more: a broker that refused this client's
     * certificate (or its lack of one) is named only there ({@code Received fatal alert: bad_certificate}).
     */
    static String why(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = String.valueOf(failure.getMessage());
        if (root == failure || root.getMessage() == null || message.contains(root.getMessage())) {
            return message;
        }
        return message + " (" + root.getMessage() + ")";
    }

    public Map<String, Object> adminProperties() {
        Map<String, Object> props = base("danmaku-admin");
        props.putAll(config.kafkaProperties());
        return props;
    }

    private Map<String, Object> base(String clientId) {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers());
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        // After a broker dies its clients back off exponentially, up to 1 s by default between metadata
        // refreshes and reconnects; a partition's new leader was then found up to a second late by each
        // client in the chain (gateway producer, filter, gateway feed)
        props.put(CommonClientConfigs.RETRY_BACKOFF_MAX_MS_CONFIG, 250);
        props.put(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, 250);
        return props;
    }
}
