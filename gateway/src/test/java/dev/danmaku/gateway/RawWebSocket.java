package dev.danmaku.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * A WebSocket peer that does only what a test tells it: never answers pings, can stop after the
 * TCP connect. The JDK client always answers pings, so dead peers need this one.
 */
final class RawWebSocket implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Only the TCP connection: no HTTP request is sent. */
    static RawWebSocket connectTcp(int port) throws IOException {
        return new RawWebSocket(new Socket("127.0.0.1", port));
    }

    /** Completes the WebSocket handshake (no subprotocol: JSON). */
    static RawWebSocket open(int port) throws IOException {
        return handshake(connectTcp(port), port);
    }

    /** Completes the handshake through a TCP load balancer that names the client in a PROXY protocol (v1) header. */
    static RawWebSocket openProxied(int port, String clientAddress) throws IOException {
        RawWebSocket ws = connectTcp(port);
        ws.out.write(("PROXY TCP4 " + clientAddress + " 127.0.0.1 40000 " + port + "\r\n").getBytes(StandardCharsets.US_ASCII));
        return handshake(ws, port);
    }

    /** A peer with a tiny receive buffer, so the server's writes back up as soon as it stops reading. */
    static RawWebSocket openWithSmallBuffer(int port) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
        return handshake(new RawWebSocket(socket), port);
    }

    /** Sends a handshake from a browser page of {@code origin} and returns the answer's status line and headers. */
    static String handshakeAnswer(int port, String origin) throws IOException {
        try (RawWebSocket ws = connectTcp(port)) {
            ws.out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: ZGFubWFrdS1yYXcta2V5IQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: " + origin
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            ws.out.flush();
            return ws.readHead();
        }
    }

    private static RawWebSocket handshake(RawWebSocket ws, int port) throws IOException {
        String key = Base64.getEncoder().encodeToString("danmaku-raw-key!".getBytes(StandardCharsets.US_ASCII));
        ws.out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        ws.out.flush();
        String head = ws.readHead();
        if (!head.startsWith("HTTP/1.1 101")) {
            throw new IOException("handshake refused: " + head);
        }
        return ws;
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed during handshake");
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /** Sends one masked text frame (client frames must be masked). */
    void sendText(String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        if (payload.length > 125) {
            throw new IllegalArgumentException("short frames only");
        }
        byte[] mask = {1, 2, 3, 4};
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x81);
        frame.write(0x80 | payload.length);
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    private final ByteArrayOutputStream received = new ByteArrayOutputStream();

    /** Reads until what arrived holds {@code text} (a frame's JSON key, say), and no further. */
    void awaitText(String text, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        socket.setSoTimeout((int) timeout.toMillis());
        while (!received.toString(StandardCharsets.UTF_8).contains(text)) {
            int b = in.read();
            if (b < 0 || System.nanoTime() > deadline) {
                throw new AssertionError("no \"" + text + "\" from the server within " + timeout.toMillis() + " ms");
            }
            received.write(b);
        }
    }

    /** Reads (and ignores, pings included) until the server closes the connection; returns how long that took. */
    Duration awaitServerClose(Duration timeout) throws IOException {
        long start = System.nanoTime();
        socket.setSoTimeout((int) timeout.toMillis());
        byte[] buffer = new byte[65536];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                received.write(buffer, 0, n);
                if (System.nanoTime() - start > timeout.toNanos()) {
                    throw new AssertionError("the server kept the connection open for " + timeout.toMillis() + " ms");
                }
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server kept the connection open for " + timeout.toMillis() + " ms");
        } catch (IOException reset) {
            // a reset is a close too
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** The code of the close frame among what {@link #awaitServerClose} read, or -1. */
    int closeCodeSeen() {
        byte[] data = received.toByteArray();
        int at = 0;
        while (at + 2 <= data.length) {
            int opcode = data[at] & 0x0F;
            long length = data[at + 1] & 0x7F;
            int header = 2;
            if (length == 126) {
                length = ((data[at + 2] & 0xFF) << 8) | (data[at + 3] & 0xFF);
                header = 4;
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | (data[at + 2 + i] & 0xFF);
                }
                header = 10;
            }
            if (opcode == 0x8 && length >= 2) {
                return ((data[at + header] & 0xFF) << 8) | (data[at + header + 1] & 0xFF);
            }
            at += header + (int) length;
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
