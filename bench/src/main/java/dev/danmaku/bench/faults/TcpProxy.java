package dev.danmaku.bench.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on loopback between a client and a broker listener, which can cut the network in
 * between: while cut, no byte moves in either direction and new connections are held, yet nothing is
 * closed, as when a switch drops every packet. Healed, the held bytes flow on in order, as TCP
 * delivers them once its retransmits get through.
 */
final class TcpProxy implements AutoCloseable {

    private final ServerSocket server;
    private final int targetPort;
    private final String name;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Object gate = new Object();
    private boolean cut;
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

    /** Copies one direction until either side closes; while cut, holds what it read. */
    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                awaitConnected();
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // one side is gone: so is the other
        } finally {
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
