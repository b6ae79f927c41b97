package dev.danmaku.gateway.kafka;

import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Whether this gateway hears from Kafka: a consumer with partitions keeps a fetch waiting at its
 * broker, answered at least every {@code fetch.max.wait.ms} (500 ms) even when nothing is new, so
 * fetch answers that stop coming mean the link is cut or the broker is gone. Sampled by one thread.
 */
public final class BrokerLink {

    private static final String FETCH_GROUP = "consumer-fetch-manager-metrics";
    private static final String FETCHES = "fetch-total";

    private final List<Consumer<String, byte[]>> consumers;
    private double lastFetches = -1;
    private long heardAtNanos;

    /** Consumers that always have partitions (the presence tracker's does), so they always fetch. */
    public BrokerLink(List<Consumer<String, byte[]>> consumers, long nowNanos) {
        this.consumers = List.copyOf(consumers);
        this.heardAtNanos = nowNanos;
    }

    /** Nanoseconds since a fetch was last answered, as of this sample. */
    public synchronized long silentNanos(long nowNanos) {
        double fetches = fetches();
        if (fetches != lastFetches) {
            lastFetches = fetches;
            heardAtNanos = nowNanos;
        }
        return nowNanos - heardAtNanos;
    }

    private double fetches() {
        double total = 0;
        for (Consumer<String, byte[]> consumer : consumers) {
            for (Map.Entry<MetricName, ? extends Metric> metric : consumer.metrics().entrySet()) {
                MetricName name = metric.getKey();
                if (name.name().equals(FETCHES) && name.group().equals(FETCH_GROUP) && !name.tags().containsKey("topic")
                        && metric.getValue().metricValue() instanceof Double value) {
                    total += value;
                }
            }
        }
        return total;
    }
}
