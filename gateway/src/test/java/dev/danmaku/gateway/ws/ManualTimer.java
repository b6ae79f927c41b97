package dev.danmaku.gateway.ws;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A clock the test moves by hand. */
final class ManualTimer implements Outbox.Timer {
    private record Task(long dueNanos, Runnable task, boolean[] cancelled) {
    }

    private final List<Task> tasks = new ArrayList<>();
    private long nowNanos;

    @Override
    public Runnable schedule(Runnable task, long delayNanos) {
        boolean[] cancelled = {false};
        tasks.add(new Task(nowNanos + delayNanos, task, cancelled));
        return () -> cancelled[0] = true;
    }

    void advance(long nanos) {
        nowNanos += nanos;
        List<Task> due = tasks.stream().filter(t -> t.dueNanos() <= nowNanos)
                .sorted(Comparator.comparingLong(Task::dueNanos)).toList();
        tasks.removeAll(due);
        due.stream().filter(t -> !t.cancelled()[0]).forEach(t -> t.task().run());
    }

    long pending() {
        return tasks.stream().filter(t -> !t.cancelled()[0]).count();
    }
}
