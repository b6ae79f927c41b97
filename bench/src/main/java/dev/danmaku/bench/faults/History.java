package dev.danmaku.bench.faults;

import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Everything that happened in one scenario, in milliseconds since its start: each send, the first
 * answer to it, each delivery to each viewer, and the faults. Thread-safe; read once the run is over.
 */
final class History {

    record Send(String clientMsgId, int sender, int seq, long atMs) {
    }

    /** An ack ({@code msgId}, {@code verdict}) or an error ({@code error} code). */
    record Answer(String clientMsgId, long atMs, String msgId, String verdict, String error) {
    }

    record Delivery(int viewer, String msgId, String text, long atMs) {
    }

    /** {@code wallClock}: the local time of day, to find the moment in the services' logs. */
    record Mark(String label, long atMs, String wallClock) {
    }

    private final LongSupplier clockMs;
    private final List<Send> sends = new ArrayList<>();
    private final List<Answer> answers = new ArrayList<>();
    private final List<Delivery> deliveries = new ArrayList<>();
    private final List<Mark> marks = new ArrayList<>();

    History() {
        long startNanos = System.nanoTime();
        this.clockMs = () -> (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** A history on a clock of the caller's (tests). */
    History(LongSupplier clockMs) {
        this.clockMs = clockMs;
    }

    long nowMs() {
        return clockMs.getAsLong();
    }

    synchronized void sent(String clientMsgId, int sender, int seq) {
        sends.add(new Send(clientMsgId, sender, seq, nowMs()));
    }

    synchronized void acked(String clientMsgId, String msgId, String verdict) {
        answers.add(new Answer(clientMsgId, nowMs(), msgId, verdict, null));
    }

    synchronized void refused(String clientMsgId, String error) {
        answers.add(new Answer(clientMsgId, nowMs(), null, null, error));
    }

    synchronized void delivered(int viewer, String msgId, String text) {
        deliveries.add(new Delivery(viewer, msgId, text, nowMs()));
    }

    synchronized void mark(String label) {
        marks.add(new Mark(label, nowMs(), LocalTime.now().truncatedTo(ChronoUnit.MILLIS).toString()));
    }

    synchronized List<Send> sends() {
        return List.copyOf(sends);
    }

    synchronized List<Answer> answers() {
        return List.copyOf(answers);
    }

    synchronized List<Delivery> deliveries() {
        return List.copyOf(deliveries);
    }

    synchronized List<Mark> marks() {
        return List.copyOf(marks);
    }
}
