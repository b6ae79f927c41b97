package dev.danmaku.testkit;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;

import dev.danmaku.proto.v1.ClientFrame;
import dev.danmaku.proto.v1.ServerFrame;

/**
 * A real WebSocket viewer (the JDK's client) speaking DESIGN §4 in either subprotocol.
 * Every frame received is kept, so tests can wait for one and assert on what else arrived.
 */
public final class ViewerClient implements AutoCloseable {

    public static final String PROTO = "danmaku.v1.proto";
    public static final String JSON = "danmaku.v1.json";

    private final WebSocket socket;
    private final String subprotocol;
    private final List<ServerFrame> frames = new CopyOnWriteArrayList<>();
    private final List<String> rawText = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();

    private volatile boolean paused;

    private ViewerClient(String url, String subprotocol, Map<String, String> headers) {
        this.subprotocol = subprotocol;
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (subprotocol != null) {
            builder.subprotocols(subprotocol);
        }
        headers.forEach(builder::header);
        this.socket = builder.buildAsync(URI.create(url), new Listener()).orTimeout(10, TimeUnit.SECONDS).join();
    }

    /** Connects with the given subprotocol ({@link #PROTO}, {@link #JSON}, or null for none). */
    public static ViewerClient connect(String url, String subprotocol) {
        return new ViewerClient(url, subprotocol, Map.of());
    }

    /** Connects sending extra handshake headers (an Origin, say). */
    public static ViewerClient connect(String url, String subprotocol, Map<String, String> headers) {
        return new ViewerClient(url, subprotocol, headers);
    }

    /** Stops reading from the socket, like a viewer on a stalled network: the server's writes back up. */
    public void pauseReading() {
        paused = true;
    }

    /** Frames received, in order, that carry danmaku. */
    public List<dev.danmaku.proto.v1.Danmaku> danmaku() {
        return frames.stream().filter(ServerFrame::hasBatch).flatMap(f -> f.getBatch().getDanmakuList().stream()).toList();
    }

    /** The subprotocol the server selected ("" when none). */
    public String negotiated() {
        return socket.getSubprotocol();
    }

    public void send(ClientFrame frame) {
        if (PROTO.equals(subprotocol)) {
            socket.sendBinary(ByteBuffer.wrap(frame.toByteArray()), true).orTimeout(5, TimeUnit.SECONDS).join();
        } else {
            sendText(Protocol.json(frame));
        }
    }

    /** Sends a text frame as it is, for tests of malformed input. */
    public void sendText(String text) {
        socket.sendText(text, true).orTimeout(5, TimeUnit.SECONDS).join();
    }

    /** Waits for the first frame (already received or yet to come) that matches. */
    public ServerFrame await(Predicate<ServerFrame> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (ServerFrame frame : frames) {
                if (match.test(frame)) {
                    return frame;
                }
            }
            sleep(10);
        }
        throw new AssertionError("no matching frame within " + timeout.toMillis() + " ms; received " + frames);
    }

    public List<ServerFrame> received() {
        return new ArrayList<>(frames);
    }

    /** Text frames exactly as the server sent them (JSON subprotocol). */
    public List<String> receivedText() {
        return new ArrayList<>(rawText);
    }

    /** The close code the server sent, waiting up to {@code timeout}. */
    public int awaitClose(Duration timeout) {
        return closeCode.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(2, TimeUnit.SECONDS).exceptionally(e -> null).join();
        }
        socket.abort();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                String message = text.toString();
                text.setLength(0);
                rawText.add(message);
                frames.add(Protocol.parseServerJson(message));
            }
            requestMore(webSocket);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            binary.writeBytes(chunk);
            if (last) {
                try {
                    frames.add(ServerFrame.parseFrom(binary.toByteArray()));
                } catch (InvalidProtocolBufferException e) {
                    throw new AssertionError("server sent a binary frame that is not a ServerFrame", e);
                } finally {
                    binary.reset();
                }
            }
            requestMore(webSocket);
            return null;
        }

        private void requestMore(WebSocket webSocket) {
            if (!paused) {
                webSocket.request(1);
            }
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeCode.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closeCode.completeExceptionally(error);
        }
    }

    /** The JSON subprotocol is the canonical proto3 JSON mapping; parsing is strict. */
    static final class Protocol {
        static String json(ClientFrame frame) {
            try {
                return JsonFormat.printer().omittingInsignificantWhitespace().print(frame);
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
        }

        static ServerFrame parseServerJson(String json) {
            ServerFrame.Builder builder = ServerFrame.newBuilder();
            try {
                JsonFormat.parser().merge(json, builder);
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError("server sent text that is not a ServerFrame in JSON: " + json, e);
            }
            return builder.build();
        }
    }
}
