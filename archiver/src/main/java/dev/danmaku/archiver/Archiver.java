package dev.danmaku.archiver;

import java.time.Duration;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.danmaku.archiver.api.ArchiveApi;
import dev.danmaku.archiver.ingest.ArchiveIngest;
import dev.danmaku.archiver.store.ArchiveStore;
import dev.danmaku.common.auth.Tokens;
import dev.danmaku.common.http.Routes;
import dev.danmaku.common.kafka.KafkaClients;

/** The archiver: stores every verdict and answers analysts. */
public final class Archiver implements AutoCloseable {

    public static final String CONSUMER_GROUP = "danmaku-archiver";
    private static final Logger log = LoggerFactory.getLogger(Archiver.class);

    private final ArchiverConfig config;
    private final ArchiveStore store;
    private final ArchiveIngest ingest;

    private Archiver(ArchiverConfig config, ArchiveStore store, ArchiveIngest ingest) {
        this.config = config;
        this.store = store;
        this.ingest = ingest;
    }

    public static Archiver start(ArchiverConfig config, MeterRegistry meters) {
        log.info("Starting archiver with {}", config);
        ArchiveStore store = ArchiveStore.open(config.jdbcUrl(), config.jdbcUser(), config.jdbcPassword(),
                config.maxPoolSize());
        KafkaClients clients = new KafkaClients(config.common());
        clients.createMissingTopics(Duration.ofSeconds(30));
        ArchiveIngest ingest = new ArchiveIngest(
                clients.consumer("danmaku-archiver", CONSUMER_GROUP, Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000)),
                clients.topics().filtered(), store, meters);
        ingest.start(Duration.ofSeconds(30));
        return new Archiver(config, store, ingest);
    }

    /** Adds the analyst API to a listener's routes. */
    public Routes mount(Routes routes) {
        return routes.prefix(ArchiveApi.PREFIX, new ArchiveApi(store).handler(new Tokens(config.common().jwtSecret())));
    }

    public boolean ready() {
        return ingest.running();
    }

    @Override
    public void close() {
        ingest.close();
        store.close();
    }
}
