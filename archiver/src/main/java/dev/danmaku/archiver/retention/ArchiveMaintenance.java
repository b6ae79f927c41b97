package dev.danmaku.archiver.retention;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.danmaku.archiver.store.ArchiveStore;

/**
 * On a schedule: creates the coming days' partitions; when a retention is set, drops what is older
 * (whole daily partitions on PostgreSQL, rows on H2); when refused texts have a keep time, clears
 * those older than it. A failed run is logged and tried again at the next one.
 */
public final class ArchiveMaintenance implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ArchiveMaintenance.class);

    private final ArchiveStore store;
    private final Clock clock;
    private final int daysAhead;
    private final Duration retention;
    private final Duration refusedTextKept;
    private final Counter failures;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "archive-maintenance");
        thread.setDaemon(true);
        return thread;
    });

    /** {@code retention}, {@code refusedTextKept}: zero = keep forever. */
    public ArchiveMaintenance(ArchiveStore store, Clock clock, int daysAhead, Duration retention, Duration refusedTextKept,
            MeterRegistry meters) {
        this.store = store;
        this.clock = clock;
        this.daysAhead = daysAhead;
        this.retention = retention;
        this.refusedTextKept = refusedTextKept;
        this.failures = Counter.builder("danmaku_archive_maintenance_failures")
                .description("Partition or retention runs that failed").register(meters);
    }

    /** Runs once now (so today's partitions exist before ingest starts), then every {@code interval}. */
    public ArchiveMaintenance start(Duration interval) {
        runOnce();
        scheduler.scheduleWithFixedDelay(this::runOnce, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    public void runOnce() {
        long now = clock.millis();
        try {
            store.prepareDays(now, daysAhead);
            if (!retention.isZero()) {
                String dropped = store.dropBefore(now - retention.toMillis());
                log.info("Archive retention ({} days): removed {}", retention.toDays(), dropped);
            }
            if (!refusedTextKept.isZero()) {
                int cleared = store.clearRefusedTextBefore(now - refusedTextKept.toMillis());
                if (cleared > 0) {
                    log.info("Cleared the text of {} refused danmaku older than {} days", cleared, refusedTextKept.toDays());
                }
            }
        } catch (SQLException | RuntimeException e) {
            failures.increment();
            log.warn("Archive maintenance failed, next try at the next run: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
