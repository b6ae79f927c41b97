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
import dev.danmaku.testkit.TestSecrets;

/**
 * The archive database goes away in the middle of ingest (every connection dropped, new ones
 * refused) and comes back: ingest pauses, retries, resumes, and every verdict is stored once.
 */
@DanmakuIT
class DatabaseOutageIT {

    private static final int TOTAL = 6_000;
    private static final Pattern HOST_PORT = Pattern.compile("//([^:/]+):(\\d+)/");

    /** Takes the database away or brings it back. */
    @FunctionalInterface
    interface Step {
        void run() throws Exception;
    }

    @Test
    void nothingIsLostWhileTheDatabaseIsUnreachable(KafkaCluster kafka, PostgresDatabase database) throws Exception {
        Matcher hostPort = HOST_PORT.matcher(database.jdbcUrl());
        assertThat(hostPort.find()).isTrue();
        try (TcpProxy proxy = new TcpProxy(hostPort.group(1), Integer.parseInt(hostPort.group(2)))) {
            String throughProxy = hostPort.replaceFirst("//127.0.0.1:" + proxy.port() + "/");
            ingestAcrossAnOutage(kafka, database.jdbcUrl(), throughProxy, database.user(), database.password(),
                    proxy::cut, proxy::restore);
        }
    }

    @Test
    void nothingIsLostWhenTheDatabaseStopsAndStartsAgain(KafkaCluster kafka) throws Exception {
        try (PrivatePostgres postgres = PrivatePostgres.create()) {
            postgres.start();
            ingestAcrossAnOutage(kafka, postgres.jdbcUrl(), postgres.jdbcUrl(), "postgres", "",
                    postgres::stopImmediately, postgres::start);
        }
    }

    private static void ingestAcrossAnOutage(KafkaCluster kafka, String directUrl, String archiverUrl, String user,
            String password, Step down, Step up) throws Exception {
        String prefix = "outage-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        String run = "outage" + UUID.randomUUID().toString().substring(0, 8);
        CommonConfig common = CommonConfig.from(SettingValues.of(CommonConfig.SETTINGS, Map.of("DANMAKU_JWT_SECRET", TestSecrets.JWT,
                "DANMAKU_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(), "DANMAKU_TOPIC_PREFIX", prefix,
                "DANMAKU_TOPIC_PARTITIONS", "3")));
        KafkaClients clients = new KafkaClients(common);
        clients.createMissingTopics(Duration.ofSeconds(30));
        String topic = clients.topics().filtered();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();

        try (KafkaProducer<String, byte[]> producer = Danmakus.producer(kafka.bootstrapServers());
             Archiver archiver = Archiver.start(new ArchiverConfig(common, 0, archiverUrl, user, password, 2)
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

            try (ArchiveStore before = ArchiveStore.open(directUrl, user, password, 2)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> Danmakus.rows(before, run) >= 1_000);
            }
            down.run();
            await().atMost(Duration.ofSeconds(15)).until(() -> meters.get("danmaku_archive_ingest_paused").gauge().value() == 1);
            Thread.sleep(2_000);
            up.run();

            try (ArchiveStore store = ArchiveStore.open(directUrl, user, password, 2)) {
                sender.join(TimeUnit.SECONDS.toMillis(30));
                assertThat(failed).isFalse();
                await().atMost(Duration.ofSeconds(60)).until(() -> Danmakus.rows(store, run) >= TOTAL);
                Thread.sleep(1_000);
                assertThat(Danmakus.counts(store, run)).isEqualTo(Map.of("rows", (long) TOTAL, "distinct", (long) TOTAL));
            }
            assertThat(meters.get("danmaku_archive_database_errors").counter().count()).isPositive();
            assertThat(meters.get("danmaku_archive_ingest_paused").gauge().value()).isZero();
            assertThat(meters.get("danmaku_archive_rows_refused").counter().count()).isZero();
        }
    }
}
