package dev.danmaku.archiver;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.danmaku.archiver.api.ArchiveApi;
import dev.danmaku.archiver.ingest.ArchiveIngest;
import dev.danmaku.archiver.ingest.Backoff;
import dev.danmaku.archiver.retention.ArchiveMaintenance;
import dev.danmaku.archiver.store.ArchiveStore;
import dev.danmaku.common.http.Routes;
import dev.danmaku.common.kafka.KafkaClients;

/** The archiver: stores every verdict and answers analysts. */
public final class Archiver implements AutoCloseable {

    public static final String CONSUMER_GROUP = "danmaku-archiver";
    private static final Logger log = LoggerFactory.getLogger(Archiver.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(100);

    private final ArchiverConfig config;
    private final ArchiveStore store;
    private final ArchiveMaintenance maintenance;
    private final ArchiveIngest ingest;
    private final ArchiveApi api;

    private Archiver(ArchiverConfig config, ArchiveStore store, ArchiveMaintenance maintenance, ArchiveIngest ingest,
            ArchiveApi api) {
        this.config = config;
        this.store = store;
        this.maintenance = maintenance;
        this.ingest = ingest;
        this.api = api;
    }

    public static Archiver start(ArchiverConfig config, MeterRegistry meters) {
        log.info("Starting archiver with {}", config);
        ArchiveStore store = ArchiveStore.open(config.jdbcUrl(), config.jdbcUser(), config.jdbcPassword(),
                config.maxPoolSize());
        ArchiveMaintenance maintenance = null;
        try {
            maintenance = new ArchiveMaintenance(store, Clock.systemUTC(), config.partitionDaysAhead(),
                    Duration.ofDays(config.retentionDays()), Duration.ofDays(config.refusedTextDays()), meters).start(Duration.ofMinutes(config.maintenanceMinutes()));
            KafkaClients clients = new KafkaClients(config.common());
            clients.createMissingTopics(Duration.ofSeconds(30));
            ArchiveIngest ingest = new ArchiveIngest(
                    clients.consumer("danmaku-archiver", CONSUMER_GROUP,
                            Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.batchSize(),
                                    // history may lag a little: fewer, fuller fetches and database
                                    // transactions leave the CPU to the live path
                                    ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 64 * 1024,
                                    ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 200)),
                    clients.topics().filtered(), store::write,
                    new Backoff(FIRST_RETRY, Duration.ofMillis(Math.max(config.retryMaxMs(), FIRST_RETRY.toMillis()))),
                    meters);
            ingest.start(Duration.ofSeconds(30));
            return new Archiver(config, store, maintenance, ingest, new ArchiveApi(store, meters, config.maxReplays(),
                    config.senderKeyBytes(), Duration.ofDays(config.retentionDays()), config.playerApi()));
        } catch (RuntimeException e) {
            if (maintenance != null) {
                maintenance.close();
            }
            store.close();
            throw e;
        }
    }

    /** Adds the analyst API to a listener's routes. */
    public Routes mount(Routes routes) {
        return routes.prefix(ArchiveApi.PREFIX, api.handler(config.common().tokens()));
    }

    public boolean ready() {
        return ingest.running();
    }

    @Override
    public void close() {
        api.close();
        ingest.close();
        maintenance.close();
        store.close();
    }
}
