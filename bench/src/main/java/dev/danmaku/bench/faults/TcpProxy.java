package dev.danmaku.bench.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy on loopback between a client and a broker listener, which can cut the network in
 * between: while cut, no byte moves in either direction and new connections are held, yet nothing is
 * closed, as when a switch drops every packet. Healed, the held bytes flow on in order, as TCP
 * delivers them once its retransmits get through. It can also slow the network down: each chunk is
 * passed on a set time after it was read, in order, as over a long link.
 */
final class TcpProxy implements AutoCloseable {

    private final ServerSocket server;
    private final int targetPort;
    private final String name;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Object gate = new Object();
    private boolean cut;
    private volatile long delayNanos;
    private volatile boolean closed;

    TcpProxy(String name, int listenPort, int targetPort) throws IOException {
        this.name = name;
        this.targetPort = targetPort;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), listenPort));
        start("accept", this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    void cut() {
        synchronized (gate) {
            cut = true;
        }
    }

    void heal() {
        synchronized (gate) {
            cut = false;
            gate.notifyAll();
        }
    }

    /** From now on every byte arrives this much later, each way (zero: at once). */
    void delay(Duration oneWay) {
        delayNanos = oneWay.toNanos();
    }

    private void awaitConnected() throws InterruptedException {
        synchronized (gate) {
            while (cut && !closed) {
                gate.wait();
            }
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                start("connect", () -> connect(client));
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("[proxy " + name + "] accept failed: " + e.getMessage());
                }
            }
        }
    }

    private void connect(Socket client) {
        try {
            awaitConnected();
            Socket broker = new Socket(InetAddress.getLoopbackAddress(), targetPort);
            sockets.add(broker);
            start("up", () -> pump(client, broker));
            start("down", () -> pump(broker, client));
        } catch (IOException | InterruptedException e) {
            closeQuietly(client);
        }
    }

    /** Copies one direction until either side closes; while cut, holds what it read; delayed, writes it later. */
    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[64 * 1024];
        ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "proxy-" + name + "-write");
            thread.setDaemon(true);
            return thread;
        });
        long lastDue = 0;
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int read;
            while ((read = in.read(buffer)) >= 0) {
                awaitConnected();
                byte[] chunk = Arrays.copyOf(buffer, read);
                long now = System.nanoTime();
                // never before an earlier chunk, even when the delay was just shortened
                lastDue = Math.max(now + delayNanos, lastDue);
                writer.schedule(() -> write(chunk, out, from, to), lastDue - now, TimeUnit.NANOSECONDS);
            }
        } catch (IOException | InterruptedException e) {
            // one side is gone: so is the other
        } finally {
            // what was read is still written before both sides close
            writer.shutdown();
            try {
                writer.awaitTermination(delayNanos + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void write(byte[] chunk, OutputStream out, Socket from, Socket to) {
        try {
            out.write(chunk);
            out.flush();
        } catch (IOException e) {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void start(String role, Runnable task) {
        Thread thread = new Thread(task, "proxy-" + name + "-" + role);
        thread.setDaemon(true);
        thread.start();
    }

    private void closeQuietly(Socket socket) {
        sockets.remove(socket);
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        heal();
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        sockets.forEach(this::closeQuietly);
    }
}
