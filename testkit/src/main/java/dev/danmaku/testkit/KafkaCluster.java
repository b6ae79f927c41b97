package dev.danmaku.testkit;

/** A running Kafka cluster an integration test can talk to. */
public interface KafkaCluster {
    String bootstrapServers();
}
