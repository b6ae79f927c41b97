package dev.danmaku.filter;

import java.time.Duration;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.danmaku.common.kafka.KafkaClients;
import dev.danmaku.filter.moderation.KeywordFilter;
import dev.danmaku.filter.pipeline.ModerationPipeline;

/** The filter service: judges every raw danmaku once and publishes the verdict. */
public final class FilterService implements AutoCloseable {

    public static final String CONSUMER_GROUP = "danmaku-filter";
    private static final Logger log = LoggerFactory.getLogger(FilterService.class);

    private final ModerationPipeline pipeline;

    private FilterService(ModerationPipeline pipeline) {
        this.pipeline = pipeline;
    }

    public static FilterService start(FilterConfig config, MeterRegistry meters) {
        log.info("Starting filter instance {} with {}, {} blocked words", config.instanceId(), config.common(),
                config.blockedWords().size());
        KafkaClients clients = new KafkaClients(config.common());
        clients.createMissingTopics(Duration.ofSeconds(30));
        ModerationPipeline pipeline = new ModerationPipeline(
                clients.consumer("danmaku-filter-" + config.instanceId(), CONSUMER_GROUP,
                        Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000)),
                clients.transactionalProducer("danmaku-filter-" + config.instanceId(),
                        "danmaku-filter-" + config.instanceId()),
                clients.topics().raw(), clients.topics().filtered(),
                new KeywordFilter(config.blockedWords()), meters);
        pipeline.start(Duration.ofSeconds(60));
        return new FilterService(pipeline);
    }

    public boolean ready() {
        return pipeline.running();
    }

    @Override
    public void close() {
        pipeline.close();
    }
}
