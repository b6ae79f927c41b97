package dev.danmaku.archiver.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

import dev.danmaku.archiver.Archiver;
import dev.danmaku.archiver.ArchiverConfig;
import dev.danmaku.archiver.store.ArchiveStore;
import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.config.SettingValues;
import dev.danmaku.common.kafka.KafkaClients;
import dev.danmaku.testkit.DanmakuIT;
import dev.danmaku.testkit.KafkaCluster;
import dev.danmaku.testkit.PostgresDatabase;

/**
 * The archive database goes away in the middle of ingest (every connection dropped, new ones
 * refused) and comes back: ingest pauses, retries, resumes, and every verdict is stored once.
 */
@DanmakuIT
class DatabaseOutageIT {

    private static final int TOTAL = 6_000;
    private static final Pattern HOST_PORT = Pattern.compile("//([^:/]+):(\\d+)/");

    @Test
    void nothingIsLostWhileTheDatabaseIsDown(KafkaCluster kafka, PostgresDatabase database) throws Exception {
        String prefix = "outage-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        String run = "outage" + UUID.randomUUID().toString().substring(0, 8);
        CommonConfig common = CommonConfig.from(SettingValues.of(CommonConfig.SETTINGS, Map.of(
                "DANMAKU_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(), "DANMAKU_TOPIC_PREFIX", prefix,
                "DANMAKU_TOPIC_PARTITIONS", "3")));
        KafkaClients clients = new KafkaClients(common);
        clients.createMissingTopics(Duration.ofSeconds(30));
        String topic = clients.topics().filtered();
        Matcher hostPort = HOST_PORT.matcher(database.jdbcUrl());
        assertThat(hostPort.find()).isTrue();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();

        try (TcpProxy proxy = new TcpProxy(hostPort.group(1), Integer.parseInt(hostPort.group(2)));
             ArchiveStore direct = ArchiveStore.open(database.jdbcUrl(), database.user(), database.password(), 2);
             KafkaProducer<String, byte[]> producer = Danmakus.producer(kafka.bootstrapServers());
             Archiver archiver = Archiver.start(new ArchiverConfig(common, 0,
                     hostPort.replaceFirst("//127.0.0.1:" + proxy.port() + "/"), database.user(), database.password(), 2)
                     .withBatchSize(200).withRetryMaxMs(1000), meters)) {
            AtomicBoolean failed = new AtomicBoolean();
            Thread sender = new Thread(() -> {
                try {
                    for (int i = 0; i < TOTAL; i++) {
                        producer.send(Danmakus.verdict(topic, run, i), (metadata, error) -> failed.compareAndSet(false, error != null));
                        if ((i + 1) % 100 == 0) {
                            producer.flush();
                            Thread.sleep(100); // ~1 000 a second
                        }
                    }
                    producer.flush();
                } catch (InterruptedException e) {
                    failed.set(true);
                }
            }, "outage-it-sender");
            sender.start();

            await().atMost(Duration.ofSeconds(30)).until(() -> Danmakus.rows(direct, run) >= 1_000);
            proxy.cut();
            await().atMost(Duration.ofSeconds(15)).until(() -> meters.get("danmaku_archive_ingest_paused").gauge().value() == 1);
            long duringOutage = Danmakus.rows(direct, run);
            Thread.sleep(2_000);
            assertThat(Danmakus.rows(direct, run)).as("nothing stored while the database is away").isEqualTo(duringOutage);
            assertThat(duringOutage).isLessThan(TOTAL);
            proxy.restore();

            sender.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(failed).isFalse();
            await().atMost(Duration.ofSeconds(60)).until(() -> Danmakus.rows(direct, run) >= TOTAL);
            Thread.sleep(1_000);
            assertThat(Danmakus.counts(direct, run)).isEqualTo(Map.of("rows", (long) TOTAL, "distinct", (long) TOTAL));
            assertThat(meters.get("danmaku_archive_database_errors").counter().count()).isPositive();
            assertThat(meters.get("danmaku_archive_ingest_paused").gauge().value()).isZero();
            assertThat(meters.get("danmaku_archive_rows_refused").counter().count()).isZero();
        }
    }
}
