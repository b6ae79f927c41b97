package dev.danmaku.filter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.danmaku.common.auth.Tokens;
import dev.danmaku.common.http.Routes;
import dev.danmaku.common.kafka.KafkaClients;
import dev.danmaku.filter.admin.ModerationApi;
import dev.danmaku.filter.admin.RoomEvents;
import dev.danmaku.filter.matching.KeywordMatcher;
import dev.danmaku.filter.moderation.Moderator;
import dev.danmaku.filter.pipeline.FilteredHistory;
import dev.danmaku.filter.pipeline.GroupFailover;
import dev.danmaku.filter.pipeline.HangingTransactions;
import dev.danmaku.filter.pipeline.ModerationPipeline;
import dev.danmaku.filter.ratelimit.SendLimiter;
import dev.danmaku.filter.rules.AuditLog;
import dev.danmaku.filter.rules.AuditTrail;
import dev.danmaku.filter.rules.ControlLog;
import dev.danmaku.filter.rules.ControlWriter;
import dev.danmaku.proto.v1.KeywordRule;
import dev.danmaku.proto.v1.RuleAction;
import dev.danmaku.proto.v1.RuleKind;

/**
 * The filter service: judges every raw danmaku once and publishes the verdict, with the rules
 * every instance reads from danmaku.control.v1; serves the moderator API.
 */
public final class FilterService implements AutoCloseable {

    public static final String CONSUMER_GROUP = "danmaku-filter";
    private static final int HANGING_CHECK_SECONDS = 5;
    /** How long one admin call of the hanging-transaction check waits for Kafka. */
    private static final Duration HANGING_CHECK_CALL_TIMEOUT = Duration.ofSeconds(5);
    /** The same for fencing departed members, which runs on the pipeline's thread and is tried again a second later. */
    private static final Duration FENCE_CALL_TIMEOUT = Duration.ofSeconds(2);
    private static final Logger log = LoggerFactory.getLogger(FilterService.class);

    private final FilterConfig config;
    private final ControlLog controlLog;
    private final AuditTrail auditTrail;
    private final AuditLog auditLog;
    private final ControlWriter controlWriter;
    private final KafkaProducer<String, byte[]> adminProducer;
    private final ModerationPipeline pipeline;
    private final Moderator dryRunModerator;
    private final String filteredTopic;
    private final ScheduledExecutorService watchdog;
    private final Admin admin;

    private FilterService(FilterConfig config, ControlLog controlLog, AuditTrail auditTrail, AuditLog auditLog,
            ControlWriter controlWriter, KafkaProducer<String, byte[]> adminProducer, ModerationPipeline pipeline,
            String filteredTopic, ScheduledExecutorService watchdog, Admin admin) {
        this.config = config;
        this.controlLog = controlLog;
        this.auditTrail = auditTrail;
        this.auditLog = auditLog;
        this.controlWriter = controlWriter;
        this.adminProducer = adminProducer;
        this.pipeline = pipeline;
        this.filteredTopic = filteredTopic;
        this.watchdog = watchdog;
        this.admin = admin;
        this.dryRunModerator = new Moderator(controlLog::current, new SendLimiter(config.limits()));
    }

    public static FilterService start(FilterConfig config, MeterRegistry meters) {
        log.info("Starting filter instance {} with {}, {} blocked words, limits {}", config.instanceId(), config.common(),
                config.blockedWords().size(), config.limits());
        KeywordMatcher.warmUpInBackground();
        KafkaClients clients = new KafkaClients(config.common());
        clients.createMissingTopics(Duration.ofSeconds(30));
        String id = "danmaku-filter-" + config.instanceId();

        // a bulk import is applied in one poll (one matcher rebuild, one new version) where it fits
        AuditTrail auditTrail = new AuditTrail();
        ControlLog controlLog = new ControlLog(clients.consumer(id + "-control", null,
                        Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50_000)),
                clients.topics().control(), startupRules(config.blockedWords()), auditTrail, meters);
        controlLog.startAndCatchUp(Duration.ofSeconds(60));
        log.info("Rule set version {} with {} rules", controlLog.current().version(), controlLog.current().rules().size());
        AuditLog auditLog = new AuditLog(clients.consumer(id + "-audit", null, Map.of()), clients.topics().audit(),
                auditTrail, meters);
        auditLog.start(Duration.ofSeconds(60));
        KafkaProducer<String, byte[]> adminProducer = clients.producer(id + "-admin", Map.of());
        ControlWriter writer = new ControlWriter(() -> controlProducer(clients, config.instanceId()),
                clients.topics().control(), controlLog, clients.topics().audit(), auditLog);

        // up to 5000 danmaku per transaction under load (DANMAKU_KAFKA_MAX_POLL_RECORDS overrides)
        Map<String, Object> group = new HashMap<>(Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000));
        Admin admin = Admin.create(clients.adminProperties());
        ModerationPipeline pipeline = null;
        ScheduledExecutorService watchdog = null;
        try {
            group.putAll(GroupFailover.consumerSettings(admin, config.common().kafkaProperties()));
            pipeline = new ModerationPipeline(
                    clients.consumer(id, CONSUMER_GROUP, group),
                    transactionalId -> clients.transactionalProducer(id + "-tx", transactionalId),
                    clients.topics().raw(), clients.topics().filtered(), clients.topics().deadLetter(),
                    new Moderator(controlLog::current, new SendLimiter(config.limits())),
                    new FilteredHistory(clients.consumer(id + "-history", null, Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000)),
                            clients.topics().raw(), clients.topics().filtered()),
                    ModerationPipeline.departedMembers(admin, CONSUMER_GROUP, FENCE_CALL_TIMEOUT), meters);
            watchdog = watchHangingTransactions(admin, clients, pipeline, meters);
            pipeline.start(Duration.ofSeconds(60));
        } catch (RuntimeException e) {
            if (pipeline != null) {
                pipeline.close();
            }
            if (watchdog != null) {
                watchdog.shutdownNow();
            }
            adminProducer.close(Duration.ofSeconds(2));
            auditLog.close();
            controlLog.close();
            admin.close(Duration.ofSeconds(2));
            throw e;
        }
        return new FilterService(config, controlLog, auditTrail, auditLog, writer, adminProducer, pipeline,
                clients.topics().filtered(), watchdog, admin);
    }

    /**
     * The transactional producer of moderation changes and their audit entries. Its id is the instance's,
     * so an instance restarted under the same id fences what its predecessor left open; it is outside the
     * pipeline's ids ({@code danmaku-filter.<member>}), which departed members' transactions are found by.
     */
    private static Producer<String, byte[]> controlProducer(KafkaClients clients, String instanceId) {
        KafkaProducer<String, byte[]> producer = clients.transactionalProducer("danmaku-filter-" + instanceId + "-control-writer",
                CONSUMER_GROUP + "-control-" + instanceId);
        try {
            producer.initTransactions();
            return producer;
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
    }

    /**
     * Every few seconds, and right after each assignment of new partitions, aborts what hangs of this
     * instance's transactions and of members that left the group: on danmaku.filtered.v1 and on the
     * partition of __consumer_offsets that holds this group's offsets.
     */
    private static ScheduledExecutorService watchHangingTransactions(Admin admin, KafkaClients clients,
            ModerationPipeline pipeline, MeterRegistry meters) {
        // a transaction open past its timeout is one its coordinator aborts; if the coordinator no longer counts
        // the partition in it, no marker will come
        HangingTransactions check = new HangingTransactions(HangingTransactions.through(admin, HANGING_CHECK_CALL_TIMEOUT),
                clients.topics().filtered(), CONSUMER_GROUP, pipeline::oursToAbort,
                HangingTransactions.hangingAfterMs(admin, clients.transactionTimeoutMs(), HANGING_CHECK_CALL_TIMEOUT),
                System::currentTimeMillis, meters);
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "hanging-transactions");
            thread.setDaemon(true);
            return thread;
        });
        watchdog.scheduleWithFixedDelay(check, HANGING_CHECK_SECONDS, HANGING_CHECK_SECONDS, TimeUnit.SECONDS);
        // partitions change hands after a broker restart too: what it left hanging holds the rooms just taken over
        pipeline.afterEachAssignment(() -> {
            try {
                watchdog.execute(check);
            } catch (RejectedExecutionException e) {
                // closing: the pipeline outlived its wait and the watchdog is gone
                log.debug("Hanging-transaction check not run: the filter is closing");
            }
        });
        return watchdog;
    }

    /** {@code DANMAKU_FILTER_BLOCKED_WORDS} as global REJECT rules that every instance has from its own config. */
    static List<KeywordRule> startupRules(List<String> words) {
        List<KeywordRule> rules = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            rules.add(KeywordRule.newBuilder().setId("config-" + (i + 1)).setPattern(words.get(i))
                    .setAction(RuleAction.REJECT).setKind(RuleKind.LITERAL)
                    .setNote("from DANMAKU_FILTER_BLOCKED_WORDS").setUpdatedBy("config").build());
        }
        return rules;
    }

    /** Adds the moderator API ({@value ModerationApi#PREFIX}) to a listener's routes. */
    public Routes mount(Routes routes) {
        ModerationApi api = new ModerationApi(controlLog, auditTrail, controlWriter, dryRunModerator,
                new RoomEvents(adminProducer, filteredTopic));
        return routes.prefix(ModerationApi.PREFIX, api.handler(config.common().tokens()));
    }

    public boolean ready() {
        return pipeline.running() && controlLog.running() && auditLog.running();
    }

    @Override
    public void close() {
        // the pipeline fences departed members through the admin client, and hands checks to the watchdog, until it stops
        pipeline.close();
        watchdog.shutdownNow();
        admin.close(Duration.ofSeconds(2));
        controlLog.close();
        auditLog.close();
        controlWriter.close();
        adminProducer.close(Duration.ofSeconds(5));
    }
}
