package dev.danmaku.filter.rules;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.InvalidProtocolBufferException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

import dev.danmaku.common.kafka.PollLoop;
import dev.danmaku.filter.matching.KeywordMatcher;
import dev.danmaku.proto.v1.ControlRecord;
import dev.danmaku.proto.v1.KeywordRule;
import dev.danmaku.proto.v1.Mute;
import dev.danmaku.proto.v1.RoomSettings;

/**
 * Reads danmaku.control.v1 from the beginning, on every instance, and keeps the current
 * {@link RuleSet}: each poll's changes are applied together and published as one new version, so a
 * rule written by any instance is enforced here within one poll interval. Audit entries written here
 * before they had a topic of their own go to the {@link AuditTrail}.
 */
public final class ControlLog extends PollLoop {

    private final String topic;
    private final Map<String, KeywordRule> startupRules;
    private final Map<String, KeywordRule> rules = new LinkedHashMap<>();
    private final Map<String, RoomSettings> rooms = new HashMap<>();
    private final Map<String, Mute> mutes = new HashMap<>();
    private final AuditTrail earlierAudit;
    private final AppliedOffsets applied = new AppliedOffsets();
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final Counter undecodable;
    private final Timer rebuild;
    private Map<TopicPartition, Long> startEnd = Map.of();
    private volatile RuleSet current;
    private volatile long lag;

    public ControlLog(Consumer<String, byte[]> consumer, String topic, List<KeywordRule> startupRules,
            AuditTrail earlierAudit, MeterRegistry meters) {
        super("control-log", consumer);
        this.topic = topic;
        this.earlierAudit = earlierAudit;
        this.startupRules = new LinkedHashMap<>();
        startupRules.forEach(rule -> this.startupRules.put(rule.getId(), rule));
        this.current = new RuleSet(0, Map.copyOf(this.startupRules), Map.of(), Map.of(),
                KeywordMatcher.build(this.startupRules.values()));
        this.undecodable = meters.counter("danmaku_filter_control_undecodable_records_total");
        this.rebuild = Timer.builder("danmaku_filter_matcher_rebuild_seconds")
                .description("Time to compile the keyword rules after a change").register(meters);
        Gauge.builder("danmaku_filter_rules", this, log -> log.current.matcher().ruleCount())
                .description("Keyword rules in force").register(meters);
        Gauge.builder("danmaku_filter_rules_skipped", this, log -> log.current.matcher().skippedCount())
                .description("Stored keyword rules left out because they fail today's validation").register(meters);
        Gauge.builder("danmaku_filter_rule_set_version", this, log -> log.current.version()).register(meters);
        Gauge.builder("danmaku_filter_control_lag_records", this, log -> log.lag)
                .description("Control records not yet applied by this instance").register(meters);
    }

    /** Starts reading and waits until everything written before the start is applied. */
    public void startAndCatchUp(Duration timeout) {
        start(timeout);
        try {
            if (!caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("the control topic " + topic + " was not read within "
                        + timeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the control topic", e);
        }
    }

    public RuleSet current() {
        return current;
    }

    /** Rule ids defined by configuration, not by the control topic: read-only through the API. */
    public boolean isStartupRule(String id) {
        return startupRules.containsKey(id);
    }

    /** Blocks until the record at {@code offset} of {@code partition} is applied here (read-your-writes for the API). */
    public boolean awaitApplied(int partition, long offset, Duration timeout) throws InterruptedException {
        return applied.await(new TopicPartition(topic, partition), offset, timeout);
    }

    @Override
    protected void onStart() {
        List<TopicPartition> partitions = partitionsOf(topic);
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        startEnd = new HashMap<>(consumer.endOffsets(partitions));
        checkCaughtUp();
    }

    @Override
    protected void handle(ConsumerRecords<String, byte[]> records) {
        boolean rulesChanged = false;
        boolean changed = false;
        for (ConsumerRecord<String, byte[]> record : records) {
            changed = true;
            rulesChanged |= apply(record);
        }
        Map<TopicPartition, Long> positions = new HashMap<>();
        for (TopicPartition partition : consumer.assignment()) {
            positions.put(partition, consumer.position(partition));
        }
        if (changed) {
            publish(rulesChanged, positions.values().stream().mapToLong(Long::longValue).sum());
        }
        positions.forEach(applied::advance); // after the new rule set is in force
        long behind = 0;
        for (TopicPartition partition : consumer.assignment()) {
            behind += consumer.currentLag(partition).orElse(0);
        }
        lag = behind;
        checkCaughtUp();
    }

    private void checkCaughtUp() {
        if (caughtUp.getCount() == 0) {
            return;
        }
        for (var entry : startEnd.entrySet()) {
            if (consumer.position(entry.getKey()) < entry.getValue()) {
                return;
            }
        }
        caughtUp.countDown();
    }

    /** Applies one record; true if the keyword rules changed. */
    private boolean apply(ConsumerRecord<String, byte[]> record) {
        String key = record.key();
        if (key == null) {
            undecodable.increment();
            return false;
        }
        if (record.value() == null) { // tombstone
            if (key.startsWith("rule/")) {
                return rules.remove(key.substring("rule/".length())) != null;
            }
            if (key.startsWith("room/")) {
                rooms.remove(key.substring("room/".length()));
            } else if (key.startsWith("mute/")) {
                mutes.remove(key);
            }
            return false;
        }
        ControlRecord control;
        try {
            control = ControlRecord.parseFrom(record.value());
        } catch (InvalidProtocolBufferException e) {
            undecodable.increment();
            log.warn("Skipped an undecodable control record {} at offset {}", key, record.offset());
            return false;
        }
        switch (control.getRecordCase()) {
            case RULE -> {
                rules.put(control.getRule().getId(), control.getRule());
                return true;
            }
            case ROOM_SETTINGS -> rooms.put(control.getRoomSettings().getRoomId(), control.getRoomSettings());
            case MUTE -> mutes.put(key, control.getMute());
            case AUDIT -> earlierAudit.add(control.getAudit());
            default -> undecodable.increment();
        }
        return false;
    }

    private void publish(boolean rulesChanged, long version) {
        Map<String, KeywordRule> allRules = new LinkedHashMap<>(startupRules);
        allRules.putAll(rules);
        KeywordMatcher matcher = current.matcher();
        if (rulesChanged) {
            long started = System.nanoTime();
            matcher = KeywordMatcher.build(allRules.values());
            rebuild.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
        current = new RuleSet(version, Map.copyOf(allRules), Map.copyOf(rooms), Map.copyOf(mutes), matcher);
    }
}
