package dev.danmaku.bench.faults;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.danmaku.common.auth.Identity;
import dev.danmaku.common.auth.Tokens;

/**
 * One room with senders and viewers on real WebSocket connections (the JDK's client, JSON frames),
 * every frame they exchange written to the {@link History}. A connection that drops reconnects to
 * the next gateway and a viewer resumes after the last danmaku it saw; a sender sends again what got
 * {@code unavailable} or no answer before its connection dropped, marked as a retry — all as the
 * viewer page does.
 */
final class LiveRoom implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SEND_RETRIES = 4;

    private final String roomId;
    private final List<String> gatewayUrls;
    private final History history;
    private final Tokens tokens;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Connection> senders = new CopyOnWriteArrayList<>();
    private final List<Connection> viewers = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    LiveRoom(String roomId, List<String> gatewayUrls, History history, Tokens tokens) {
        this.roomId = roomId;
        this.gatewayUrls = List.copyOf(gatewayUrls);
        this.history = history;
        this.tokens = tokens;
    }

    /** Viewer {@code index} watches on gateway {@code gateway} first, anonymously. */
    void addViewer(int index, int gateway) {
        Connection viewer = new Connection(index, gateway, null);
        viewers.add(viewer);
        viewer.connect();
    }

    /** Sender {@code index} sends through gateway {@code gateway} first, signed in. */
    void addSender(int index, int gateway) {
        String token = tokens.issue("sender-" + index, "sender " + index, Set.of(Identity.VIEWER), Duration.ofHours(2));
        Connection sender = new Connection(index, gateway, token);
        senders.add(sender);
        sender.connect();
    }

    /** Sends one danmaku whose text names its sender and sequence; false when the sender is between connections. */
    boolean send(int sender, int seq) {
        String clientMsgId = "s" + sender + "-" + seq;
        Connection connection = senders.get(sender);
        if (!connection.joined) {
            return false;
        }
        history.sent(clientMsgId, sender, seq);
        connection.unanswered.put(clientMsgId, 0);
        connection.sendText(sendFrame(clientMsgId, false));
        return true;
    }

    private static String sendFrame(String clientMsgId, boolean retry) {
        ObjectNode frame = JSON.createObjectNode();
        ObjectNode send = frame.putObject("send").put("clientMsgId", clientMsgId).put("text", clientMsgId);
        if (retry) {
            send.put("retry", true);
        }
        return frame.toString();
    }

    boolean allJoined() {
        return senders.stream().allMatch(c -> c.joined) && viewers.stream().allMatch(c -> c.joined);
    }

    @Override
    public void close() {
        closed = true;
        for (Connection connection : senders) {
            connection.abort();
        }
        for (Connection connection : viewers) {
            connection.abort();
        }
    }

    /** One WebSocket of a sender (with a token) or a viewer (without), reconnecting while the room is open. */
    private final class Connection implements WebSocket.Listener {
        private final int index;
        private final String token;
        private final StringBuilder partial = new StringBuilder();
        private volatile int gateway;
        private volatile WebSocket socket;
        private volatile boolean joined;
        private volatile String lastSeen = "";
        /**
         * A sender's sends not acked yet, in the order they were sent, with how often each was sent again;
         * retried as the viewer page does (after a reconnect in that order, so the sender's order holds).
         */
        private final Map<String, Integer> unanswered = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>());
        /** The JDK client takes one send at a time: each waits for the one before. */
        private CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);

        Connection(int index, int gateway, String token) {
            this.index = index;
            this.gateway = gateway;
            this.token = token;
        }

        private String who() {
            return (token == null ? "viewer-" : "sender-") + index;
        }

        void connect() {
            http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(2))
                    .buildAsync(URI.create(gatewayUrls.get(gateway)), this)
                    .whenComplete((ws, failure) -> {
                        if (failure != null) {
                            reconnectLater();
                            return;
                        }
                        socket = ws;
                        ObjectNode frame = JSON.createObjectNode();
                        ObjectNode join = frame.putObject("join").put("roomId", roomId);
                        if (token != null) {
                            join.put("token", token);
                        }
                        if (!lastSeen.isEmpty()) {
                            join.put("resumeAfter", lastSeen);
                        }
                        sendText(frame.toString());
                    });
        }

        synchronized void sendText(String text) {
            WebSocket current = socket;
            lastSend = lastSend.handle((ignored, failure) -> null)
                    .thenCompose(ignored -> current.sendText(text, true));
        }

        private void reconnectLater() {
            joined = false;
            if (closed) {
                return;
            }
            gateway = (gateway + 1) % gatewayUrls.size();
            CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS).execute(this::connect);
        }

        void abort() {
            WebSocket current = socket;
            if (current != null) {
                current.abort();
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    take(JSON.readTree(text));
                } catch (Exception e) {
                    history.mark(who() + " could not read a frame: " + e.getMessage());
                }
            }
            webSocket.request(1);
            return null;
        }

        private void take(JsonNode frame) {
            if (frame.has("joined")) {
                if (!joined && frame.get("joined").path("resumed").asBoolean(false)) {
                    history.mark(who() + " resumed on gateway-" + (gateway + 1));
                }
                // what the dropped connection left unanswered goes again, marked as a retry, before any
                // new send: joined turns true only after, so the sender's order holds on the wire
                List<String> again;
                synchronized (unanswered) {
                    again = List.copyOf(unanswered.keySet());
                }
                again.forEach(clientMsgId -> sendText(sendFrame(clientMsgId, true)));
                joined = true;
                for (JsonNode danmaku : frame.get("joined").path("recent")) {
                    if (token == null && !lastSeen.isEmpty()) {
                        deliver(danmaku);
                    }
                }
            } else if (frame.has("batch") && token == null) {
                for (JsonNode danmaku : frame.get("batch").path("danmaku")) {
                    deliver(danmaku);
                }
            } else if (frame.has("ack")) {
                JsonNode ack = frame.get("ack");
                unanswered.remove(ack.path("clientMsgId").asText());
                history.acked(ack.path("clientMsgId").asText(), ack.path("msgId").asText(), ack.path("verdict").asText());
            } else if (frame.has("error")) {
                JsonNode error = frame.get("error");
                String clientMsgId = error.path("clientMsgId").asText();
                if (!clientMsgId.isEmpty()) {
                    history.refused(clientMsgId, error.path("code").asText());
                    retryLater(clientMsgId, error.path("code").asText());
                } else {
                    history.mark(who() + " error " + error.path("code").asText());
                }
            }
        }

        /** An unavailable send goes again after 1, 2, 4 and 8 s, as the viewer page does; other errors are final. */
        private void retryLater(String clientMsgId, String code) {
            Integer retries = unanswered.get(clientMsgId);
            if (!"unavailable".equals(code) || retries == null || retries >= SEND_RETRIES) {
                unanswered.remove(clientMsgId);
                return;
            }
            unanswered.put(clientMsgId, retries + 1);
            CompletableFuture.delayedExecutor(1000L << retries, TimeUnit.MILLISECONDS).execute(() -> {
                if (joined && unanswered.containsKey(clientMsgId)) {
                    sendText(sendFrame(clientMsgId, true));
                }
            });
        }

        private void deliver(JsonNode danmaku) {
            String msgId = danmaku.path("msgId").asText();
            history.delivered(index, msgId, danmaku.path("text").asText());
            lastSeen = msgId;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            history.mark(who() + " closed " + statusCode);
            reconnectLater();
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            if (!closed) {
                history.mark(who() + " lost its connection");
            }
            reconnectLater();
        }
    }
}
