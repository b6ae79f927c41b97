package dev.danmaku.launcher;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parts of a running process, closed in reverse order of start from one shutdown hook
 * (Ctrl-C, SIGTERM) or from {@link #close()}.
 */
final class Lifecycle implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);

    private final Deque<AutoCloseable> parts = new ArrayDeque<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private boolean closed;

    <T extends AutoCloseable> T add(T part) {
        synchronized (this) {
            parts.push(part);
        }
        return part;
    }

    /** Blocks the calling thread until the process is told to stop. */
    void runUntilShutdown() throws InterruptedException {
        Runtime.getRuntime().addShutdownHook(new Thread(this::close, "shutdown"));
        stopped.await();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        while (true) {
            AutoCloseable part;
            synchronized (this) {
                part = parts.poll();
            }
            if (part == null) {
                break;
            }
            try {
                part.close();
            } catch (Exception e) {
                log.warn("Stopping {} failed: {}", part, e.getMessage());
            }
        }
        stopped.countDown();
    }
}
