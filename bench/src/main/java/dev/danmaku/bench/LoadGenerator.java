package dev.danmaku.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.Recorder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import dev.danmaku.proto.v1.ClientFrame;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.Join;
import dev.danmaku.proto.v1.Send;
import dev.danmaku.proto.v1.ServerFrame;

/**
 * Opens many viewers on a gateway (binary subprotocol), optionally with senders at a fixed rate,
 * and prints one JSON line: connections held, deliveries per second, end-to-end latency
 * percentiles (send time carried in the danmaku text → receive), losses and duplicates.
 * Every loop is bounded by --duration and stops by itself.
 */
@Command(name = "danmaku-bench", mixinStandardHelpOptions = true,
        description = "Load generator for a danmaku gateway; prints one JSON line of results.")
public final class LoadGenerator implements java.util.concurrent.Callable<Integer> {

    @Option(names = "--url", defaultValue = "ws://127.0.0.1:8080/ws", description = "Gateway WebSocket URL. Default: ${DEFAULT-VALUE}.")
    String url;

    @Option(names = "--token", defaultValue = "", description = "Token (JWT) the senders join with (danmaku token --user bench).")
    String token;

    @Option(names = "--connections", defaultValue = "1000", description = "Viewers to open. Default: ${DEFAULT-VALUE}.")
    int connections;

    @Option(names = "--rooms", defaultValue = "1", description = "Rooms the viewers spread over. Default: ${DEFAULT-VALUE}.")
    int rooms;

    @Option(names = "--senders", defaultValue = "0", description = "Sending viewers (among --connections), in room 0. Default: ${DEFAULT-VALUE}.")
    int senders;

    @Option(names = "--rate", defaultValue = "20", description = "Danmaku per second per sender. Default: ${DEFAULT-VALUE}.")
    double rate;

    @Option(names = "--ramp-batch", defaultValue = "500", description = "Connections opened at once while ramping. Default: ${DEFAULT-VALUE}.")
    int rampBatch;

    @Option(names = "--duration", defaultValue = "30", description = "Seconds to hold (and send) after ramp-up. Default: ${DEFAULT-VALUE}.")
    int durationSeconds;

    @Option(names = "--warmup", defaultValue = "0", description = "Seconds of sending before measuring (JIT warm-up). Default: ${DEFAULT-VALUE}.")
    int warmupSeconds;

    @Option(names = "--label", defaultValue = "run", description = "Label written into the result line.")
    String label;

    private final Recorder latency = new Recorder(3);
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong joined = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong closed = new AtomicLong();

    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadGenerator()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(4)).build();
        List<WebSocket> sockets = new ArrayList<>();
        long rampStart = System.nanoTime();
        for (int opened = 0; opened < connections; opened += rampBatch) {
            List<CompletableFuture<WebSocket>> batch = new ArrayList<>();
            for (int i = opened; i < Math.min(connections, opened + rampBatch); i++) {
                String room = "bench-" + (i % rooms);
                String joinToken = i < senders ? senderToken() : "";
                batch.add(http.newWebSocketBuilder().subprotocols("danmaku.v1.proto").connectTimeout(Duration.ofSeconds(20))
                        .buildAsync(URI.create(url), new Viewer())
                        .thenCompose(ws -> ws.sendBinary(ByteBuffer.wrap(ClientFrame.newBuilder().setJoin(
                                Join.newBuilder().setRoomId(room).setToken(joinToken)).build().toByteArray()), true)));
            }
            for (CompletableFuture<WebSocket> future : batch) {
                try {
                    sockets.add(future.get(60, TimeUnit.SECONDS));
                } catch (Exception e) {
                    failed.incrementAndGet();
                }
            }
            System.err.printf("ramp: %d/%d connected, %d failed%n", sockets.size(), connections, failed.get());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (joined.get() < sockets.size() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        double rampSeconds = (System.nanoTime() - rampStart) / 1e9;
        System.err.printf("joined: %d in %.1f s; holding %d s%n", joined.get(), rampSeconds, durationSeconds);

        ScheduledExecutorService sending = Executors.newScheduledThreadPool(1);
        AtomicLong sent = new AtomicLong();
        long periodNanos = (long) (1e9 / Math.max(rate, 0.001));
        for (int s = 0; s < Math.min(senders, sockets.size()); s++) {
            WebSocket socket = sockets.get(s);
            int sender = s;
            sending.scheduleAtFixedRate(() -> {
                long n = sent.incrementAndGet();
                socket.sendBinary(ByteBuffer.wrap(ClientFrame.newBuilder().setSend(Send.newBuilder()
                        .setClientMsgId(sender + "-" + n).setText("t" + System.currentTimeMillis())).build().toByteArray()), true);
            }, s * periodNanos / Math.max(1, senders), periodNanos, TimeUnit.NANOSECONDS);
        }
        Thread.sleep(TimeUnit.SECONDS.toMillis(warmupSeconds));
        latency.reset();
        long holdStart = System.nanoTime();
        long deliveredBefore = delivered.get();
        Thread.sleep(TimeUnit.SECONDS.toMillis(durationSeconds));
        sending.shutdownNow();
        double holdSeconds = (System.nanoTime() - holdStart) / 1e9;
        long deliveredDuring = delivered.get() - deliveredBefore;
        var histogram = latency.getIntervalHistogram();

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("label", label);
        result.put("connections", connections);
        result.put("connected", sockets.size());
        result.put("joined", joined.get());
        result.put("failed", failed.get());
        result.put("closedByServer", closed.get());
        result.put("rooms", rooms);
        result.put("senders", senders);
        result.put("ratePerSender", rate);
        result.put("rampSeconds", Math.round(rampSeconds * 10) / 10.0);
        result.put("warmupSeconds", warmupSeconds);
        result.put("sent", sent.get());
        result.put("deliveries", deliveredDuring);
        result.put("deliveriesPerSecond", Math.round(deliveredDuring / holdSeconds));
        result.put("latencyMsP50", histogram.getValueAtPercentile(50));
        result.put("latencyMsP99", histogram.getValueAtPercentile(99));
        result.put("latencyMsMax", histogram.getMaxValue());
        System.out.println(new ObjectMapper().writeValueAsString(result));
        for (WebSocket socket : sockets) {
            socket.abort();
        }
        return 0;
    }

    private String senderToken() {
        if (token.isEmpty()) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--senders needs --token");
        }
        return token;
    }

    private final class Viewer implements WebSocket.Listener {
        private ByteBuffer partial = ByteBuffer.allocate(0);

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            ByteBuffer whole = data;
            if (!last || partial.hasRemaining()) {
                ByteBuffer joinedBuffer = ByteBuffer.allocate(partial.remaining() + data.remaining());
                joinedBuffer.put(partial).put(data).flip();
                partial = joinedBuffer;
                whole = last ? partial : null;
            }
            if (whole != null) {
                try {
                    onFrame(ServerFrame.parseFrom(whole));
                } catch (Exception e) {
                    failed.incrementAndGet();
                }
                partial = ByteBuffer.allocate(0);
            }
            webSocket.request(1);
            return null;
        }

        private void onFrame(ServerFrame frame) {
            if (frame.hasJoined()) {
                joined.incrementAndGet();
            } else if (frame.hasBatch()) {
                long now = System.currentTimeMillis();
                for (Danmaku danmaku : frame.getBatch().getDanmakuList()) {
                    delivered.incrementAndGet();
                    String text = danmaku.getText();
                    if (text.startsWith("t")) {
                        latency.recordValue(Math.max(0, now - Long.parseLong(text.substring(1))));
                    }
                }
            }
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.incrementAndGet();
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            failed.incrementAndGet();
        }
    }
}
