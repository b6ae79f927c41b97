package dev.danmaku.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import com.google.protobuf.util.JsonFormat;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.websockets.client.WebSocketClient;
import io.undertow.websockets.client.WebSocketClientNegotiation;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedBinaryMessage;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.CloseMessage;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import org.xnio.IoFuture;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioWorker;

import dev.danmaku.proto.v1.Batch;
import dev.danmaku.proto.v1.ClientFrame;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.Join;
import dev.danmaku.proto.v1.Send;
import dev.danmaku.proto.v1.ServerFrame;
import dev.danmaku.proto.v1.Verdict;

/**
 * Many WebSocket connections on a few non-blocking I/O threads (Undertow's client, the same
 * library as the gateway), speaking either subprotocol. Each connection joins its room and feeds
 * what it receives into the {@link Accounting}.
 */
final class ViewerConnections implements AutoCloseable {

    enum Subprotocol {
        PROTO("danmaku.v1.proto"), JSON("danmaku.v1.json");

        final String wireName;

        Subprotocol(String wireName) {
            this.wireName = wireName;
        }
    }

    private static final int BATCH_TAG = lengthDelimitedTag(ServerFrame.BATCH_FIELD_NUMBER);
    private static final int DANMAKU_TAG = lengthDelimitedTag(Batch.DANMAKU_FIELD_NUMBER);
    private static final JsonFormat.Parser JSON_PARSER = JsonFormat.parser().ignoringUnknownFields();
    private static final JsonFormat.Printer JSON_PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();

    private final XnioWorker worker;
    private final ByteBufferPool buffers = new DefaultByteBufferPool(false, 16 * 1024, 1000, 10);
    private final Subprotocol subprotocol;
    private final Accounting accounting;
    private volatile boolean stopping;

    final LongAdder disconnects = new LongAdder();
    final Map<String, LongAdder> disconnectReasons = new ConcurrentHashMap<>();
    final Map<String, LongAdder> refusals = new ConcurrentHashMap<>();
    final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

    ViewerConnections(int ioThreads, Subprotocol subprotocol, Accounting accounting) throws IOException {
        this.worker = Xnio.getInstance(ViewerConnections.class.getClassLoader()).createWorker(OptionMap.builder()
                .set(Options.WORKER_IO_THREADS, ioThreads)
                .set(Options.WORKER_TASK_CORE_THREADS, 2)
                .set(Options.WORKER_TASK_MAX_THREADS, 2)
                .set(Options.TCP_NODELAY, true)
                .getMap());
        this.subprotocol = subprotocol;
        this.accounting = accounting;
    }

    /** One open connection; {@link #joined} completes when the gateway confirms the join. */
    final class Connection {
        final Plan.Connection plan;
        final CompletableFuture<Connection> joined = new CompletableFuture<>();
        private final Accounting.Receiver receiver;
        private volatile WebSocketChannel channel;

        private Connection(Plan.Connection plan) {
            this.plan = plan;
            this.receiver = accounting.receiver(plan);
        }

        void send(long id, long sentAtMicros, String body) {
            WebSocketChannel open = channel;
            ClientFrame frame = ClientFrame.newBuilder().setSend(Send.newBuilder()
                    .setClientMsgId(Accounting.clientMsgId(id, sentAtMicros))
                    .setText(Accounting.text(id, sentAtMicros, body))).build();
            if (subprotocol == Subprotocol.PROTO) {
                WebSockets.sendBinary(ByteBuffer.wrap(frame.toByteArray()), open, null);
            } else {
                WebSockets.sendText(print(frame), open, null);
            }
        }

        void close() {
            WebSocketChannel open = channel;
            if (open != null) {
                try {
                    open.sendClose();
                    open.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
        }

        private void opened(WebSocketChannel channel, String token) {
            this.channel = channel;
            channel.getReceiveSetter().set(new Listener(this));
            channel.addCloseTask(closed -> {
                if (!stopping) {
                    disconnects.increment();
                    String reason = closed.getCloseCode() > 0 ? "close " + closed.getCloseCode() : "transport close";
                    disconnectReasons.computeIfAbsent(reason, r -> new LongAdder()).increment();
                    joined.completeExceptionally(new IOException("closed before joining: " + reason));
                }
            });
            channel.resumeReceives();
            ClientFrame join = ClientFrame.newBuilder()
                    .setJoin(Join.newBuilder().setRoomId(plan.room()).setToken(token)).build();
            if (subprotocol == Subprotocol.PROTO) {
                WebSockets.sendBinary(ByteBuffer.wrap(join.toByteArray()), channel, null);
            } else {
                WebSockets.sendText(print(join), channel, null);
            }
        }

        /** A binary frame: batches are read field by field (only room and text), the rest parsed whole. */
        private void onBinary(ByteBuffer frame) throws IOException {
            CodedInputStream in = CodedInputStream.newInstance(frame.duplicate());
            if (in.readTag() != BATCH_TAG) {
                onFrame(ServerFrame.parseFrom(frame));
                return;
            }
            long now = nowMicros();
            int batchEnd = in.pushLimit(in.readRawVarint32());
            while (!in.isAtEnd()) {
                int tag = in.readTag();
                if (tag != DANMAKU_TAG) {
                    in.skipField(tag);
                    continue;
                }
                int danmakuEnd = in.pushLimit(in.readRawVarint32());
                byte[] room = null;
                byte[] text = null;
                while (!in.isAtEnd()) {
                    int field = in.readTag();
                    switch (WireFormat.getTagFieldNumber(field)) {
                        case Danmaku.ROOM_ID_FIELD_NUMBER -> room = in.readByteArray();
                        case Danmaku.TEXT_FIELD_NUMBER -> text = in.readByteArray();
                        default -> in.skipField(field);
                    }
                }
                in.popLimit(danmakuEnd);
                receiver.onDanmaku(room == null ? new byte[0] : room, text == null ? new byte[0] : text, now);
            }
            in.popLimit(batchEnd);
            receiver.endFrame();
        }

        private void onFrame(ServerFrame frame) {
            if (frame.hasBatch()) {
                long now = nowMicros();
                for (Danmaku danmaku : frame.getBatch().getDanmakuList()) {
                    receiver.onDanmaku(danmaku.getRoomId(), danmaku.getText(), now);
                }
                receiver.endFrame();
            } else if (frame.hasJoined()) {
                joined.complete(this);
            } else if (frame.hasAck()) {
                accounting.acked(frame.getAck().getClientMsgId(), nowMicros());
                if (frame.getAck().getVerdict() != Verdict.ACCEPTED) {
                    count(refusals, frame.getAck().getVerdict() + " " + frame.getAck().getReason());
                }
            } else if (frame.hasError()) {
                count(errors, frame.getError().getCode());
                if (!joined.isDone()) {
                    joined.completeExceptionally(new IOException("join refused: " + frame.getError().getCode()
                            + " " + frame.getError().getMessage()));
                }
            }
        }
    }

    /** Opens one connection from {@code bindAddress} (null: the kernel chooses) and joins its room. */
    Connection open(Plan.Connection plan, URI uri, InetSocketAddress bindAddress, String token) {
        Connection connection = new Connection(plan);
        WebSocketClient.ConnectionBuilder builder = WebSocketClient.connectionBuilder(worker, buffers, uri)
                .setClientNegotiation(new WebSocketClientNegotiation(List.of(subprotocol.wireName), List.of()));
        if (bindAddress != null) {
            builder.setBindAddress(bindAddress);
        }
        builder.connect().addNotifier(new IoFuture.HandlingNotifier<WebSocketChannel, Object>() {
            @Override
            public void handleDone(WebSocketChannel channel, Object attachment) {
                connection.opened(channel, token);
            }

            @Override
            public void handleFailed(IOException exception, Object attachment) {
                connection.joined.completeExceptionally(exception);
            }

            @Override
            public void handleCancelled(Object attachment) {
                connection.joined.completeExceptionally(new IOException("connect cancelled"));
            }
        }, null);
        return connection;
    }

    /** From now on closes are ours, not disconnects. */
    void stopping() {
        stopping = true;
    }

    @Override
    public void close() {
        stopping = true;
        worker.shutdownNow();
    }

    private static int lengthDelimitedTag(int fieldNumber) {
        return fieldNumber << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    }

    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    private static void count(Map<String, LongAdder> counts, String key) {
        counts.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    private static String print(ClientFrame frame) {
        try {
            return JSON_PRINTER.print(frame);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    private final class Listener extends AbstractReceiveListener {
        private final Connection connection;

        Listener(Connection connection) {
            this.connection = connection;
        }

        @Override
        protected void onFullBinaryMessage(WebSocketChannel channel, BufferedBinaryMessage message) {
            var data = message.getData();
            try {
                ByteBuffer[] parts = data.getResource();
                connection.onBinary(parts.length == 1 ? parts[0] : concatenate(parts));
            } catch (IOException e) {
                count(errors, "undecodable frame");
            } finally {
                data.free();
            }
        }

        @Override
        protected void onFullTextMessage(WebSocketChannel channel, BufferedTextMessage message) {
            ServerFrame.Builder frame = ServerFrame.newBuilder();
            try {
                JSON_PARSER.merge(message.getData(), frame);
                connection.onFrame(frame.build());
            } catch (InvalidProtocolBufferException e) {
                count(errors, "undecodable frame");
            }
        }

        @Override
        protected void onCloseMessage(CloseMessage close, WebSocketChannel channel) {
            channel.setCloseCode(close.getCode());
            channel.setCloseReason(close.getReason());
        }

        private static ByteBuffer concatenate(ByteBuffer[] parts) {
            int size = 0;
            for (ByteBuffer part : parts) {
                size += part.remaining();
            }
            ByteBuffer whole = ByteBuffer.allocate(size);
            for (ByteBuffer part : parts) {
                whole.put(part);
            }
            return whole.flip();
        }
    }
}
