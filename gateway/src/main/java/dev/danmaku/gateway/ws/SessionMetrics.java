package dev.danmaku.gateway.ws;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/** What the gateway counts about its connections (Prometheus names on /metrics). */
public final class SessionMetrics {

    private final MeterRegistry registry;
    private final Tags tags;
    private final Counter framesOut;
    private final Counter bytesOut;
    private final Counter framesWritten;
    private final Counter framesIn;
    private final Counter bytesIn;
    private final Counter batchesDropped;
    private final Counter slowViewersClosed;
    private final Counter writeFailures;
    private final Counter unanswered;

    public SessionMetrics(MeterRegistry registry, String gatewayId) {
        this.registry = registry;
        this.tags = Tags.of("gateway", gatewayId);
        this.framesOut = registry.counter("danmaku_gateway_frames_out_total", tags);
        this.bytesOut = registry.counter("danmaku_gateway_bytes_out_total", tags);
        this.framesWritten = registry.counter("danmaku_gateway_frames_written_total", tags);
        this.framesIn = registry.counter("danmaku_gateway_frames_in_total", tags);
        this.bytesIn = registry.counter("danmaku_gateway_bytes_in_total", tags);
        this.batchesDropped = registry.counter("danmaku_gateway_batches_dropped_total", tags);
        this.slowViewersClosed = registry.counter("danmaku_gateway_slow_viewers_closed_total", tags);
        this.writeFailures = registry.counter("danmaku_gateway_write_failures_total", tags);
        this.unanswered = registry.counter("danmaku_gateway_sends_unanswered_total", tags);
    }

    void frameOut(int bytes) {
        framesOut.increment();
        bytesOut.increment(bytes);
    }

    /** The socket finished writing a frame: frames out minus frames written are still on their way. */
    void frameWritten() {
        framesWritten.increment();
    }

    void frameIn(long bytes) {
        framesIn.increment();
        bytesIn.increment(bytes);
    }

    void batchDropped() {
        batchesDropped.increment();
    }

    /** A send whose verdict did not come within the answer timeout (told `unavailable`). */
    void unanswered() {
        unanswered.increment();
    }

    void slowViewerClosed() {
        slowViewersClosed.increment();
    }

    void writeFailed() {
        writeFailures.increment();
    }

    /** A request refused, by the stable code viewers see (error code or ack reason). */
    void refused(String code) {
        registry.counter("danmaku_gateway_refused_total", tags.and("reason", code)).increment();
    }
}
