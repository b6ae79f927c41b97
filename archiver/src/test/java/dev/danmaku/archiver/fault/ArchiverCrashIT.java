package dev.danmaku.archiver.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

import dev.danmaku.archiver.store.ArchiveStore;
import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.config.SettingValues;
import dev.danmaku.common.kafka.KafkaClients;
import dev.danmaku.testkit.ChildJvm;
import dev.danmaku.testkit.DanmakuIT;
import dev.danmaku.testkit.KafkaCluster;
import dev.danmaku.testkit.PostgresDatabase;
import dev.danmaku.testkit.TestSecrets;

/**
 * kill -9 of an archiver JVM in the middle of ingest, while verdicts keep arriving: after a
 * restart every verdict is stored exactly once.
 */
@DanmakuIT
class ArchiverCrashIT {

    private static final int TOTAL = 30_000;
    private static final int PER_SECOND = 2_000;

    @Test
    void everyVerdictIsStoredExactlyOnceAfterAKill(KafkaCluster kafka, PostgresDatabase database) throws Exception {
        String prefix = "crash-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        String run = "crash" + UUID.randomUUID().toString().substring(0, 8);
        CommonConfig common = CommonConfig.from(SettingValues.of(CommonConfig.SETTINGS, Map.of("DANMAKU_JWT_SECRET", TestSecrets.JWT,
                "DANMAKU_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(), "DANMAKU_TOPIC_PREFIX", prefix,
                "DANMAKU_TOPIC_PARTITIONS", "3")));
        KafkaClients clients = new KafkaClients(common);
        clients.createMissingTopics(Duration.ofSeconds(30));
        String topic = clients.topics().filtered();

        try (ArchiveStore store = ArchiveStore.open(database.jdbcUrl(), database.user(), database.password(), 2);
             KafkaProducer<String, byte[]> producer = Danmakus.producer(kafka.bootstrapServers())) {
            AtomicInteger sent = new AtomicInteger();
            AtomicBoolean failed = new AtomicBoolean();
            Thread sender = new Thread(() -> {
                try {
                    for (int i = 0; i < TOTAL; i++) {
                        producer.send(Danmakus.verdict(topic, run, i), (metadata, error) -> {
                            if (error != null) {
                                failed.set(true);
                            }
                        });
                        if ((i + 1) % (PER_SECOND / 10) == 0) {
                            producer.flush();
                            sent.set(i + 1);
                            Thread.sleep(100);
                        }
                    }
                    producer.flush();
                    sent.set(TOTAL);
                } catch (Exception e) {
                    failed.set(true);
                }
            }, "crash-it-sender");
            sender.start();

            Process first = startChild(kafka, prefix, database, "first");
            await().atMost(Duration.ofSeconds(60)).until(() -> Danmakus.rows(store, run) >= 3_000);
            first.destroyForcibly(); // SIGKILL: no shutdown hook, no offset commit, a batch may be half done
            assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
            long atKill = Danmakus.rows(store, run);
            assertThat(atKill).as("killed in the middle of ingest").isLessThan(TOTAL);
            assertThat(sent.get()).as("verdicts were still arriving").isLessThan(TOTAL);

            Process second = startChild(kafka, prefix, database, "second");
            try {
                sender.join(TimeUnit.SECONDS.toMillis(60));
                assertThat(failed).isFalse();
                await().atMost(Duration.ofSeconds(60)).until(() -> Danmakus.rows(store, run) >= TOTAL);
                Thread.sleep(1_000); // anything re-read after the restart would land now
                assertThat(Danmakus.counts(store, run)).isEqualTo(Map.of("rows", (long) TOTAL, "distinct", (long) TOTAL));
            } finally {
                second.destroyForcibly();
                second.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static Process startChild(KafkaCluster kafka, String prefix, PostgresDatabase database, String name)
            throws Exception {
        Path log = Path.of("target", "archiver-child-" + name + ".log");
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(ChildJvm.command(List.of("-Xmx256m"), ArchiverChild.class,
                kafka.bootstrapServers(), prefix, database.jdbcUrl(), database.user(), database.password(), "500"));
        builder.redirectErrorStream(true);
        builder.redirectOutput(log.toFile());
        Process process = builder.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("archiver child exited early; see " + log.toAbsolutePath());
            }
            return Files.readString(log, StandardCharsets.UTF_8).contains("READY");
        });
        return process;
    }
}
