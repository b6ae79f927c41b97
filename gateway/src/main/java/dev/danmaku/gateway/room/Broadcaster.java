package dev.danmaku.gateway.room;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The threads that write broadcasts. Each session belongs to one lane (a single thread), so its
 * frames keep their order; a big room's sessions spread over all lanes, so one room's fan-out
 * uses every core. A timer thread runs the rooms' delayed flushes.
 */
public final class Broadcaster implements AutoCloseable {

    private final ExecutorService[] lanes;
    private final ScheduledExecutorService timer;

    public Broadcaster(String gatewayId, int laneCount) {
        this.lanes = new ExecutorService[laneCount];
        for (int i = 0; i < laneCount; i++) {
            lanes[i] = Executors.newSingleThreadExecutor(named("broadcast-" + gatewayId + "-" + i));
        }
        this.timer = Executors.newSingleThreadScheduledExecutor(named("flush-timer-" + gatewayId));
    }

    public int laneCount() {
        return lanes.length;
    }

    void onLane(int lane, Runnable task) {
        lanes[lane].execute(task);
    }

    void after(long delayNanos, Runnable task) {
        timer.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }

    /** For the gateway's own periodic work (pings, sweeps, presence). */
    public ScheduledExecutorService timer() {
        return timer;
    }

    private static ThreadFactory named(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public void close() {
        timer.shutdownNow();
        for (ExecutorService lane : lanes) {
            lane.shutdown();
        }
        for (ExecutorService lane : lanes) {
            try {
                lane.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
