package dev.danmaku.bench.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TcpProxyTest {

    private ServerSocket echo;
    private TcpProxy proxy;

    @BeforeEach
    void start() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread server = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket socket = echo.accept();
                    Thread copy = new Thread(() -> {
                        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException ignored) {
                            // the client left
                        }
                    });
                    copy.setDaemon(true);
                    copy.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        server.setDaemon(true);
        server.start();
        proxy = new TcpProxy("test", 0, echo.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    private Socket client() throws IOException {
        return new Socket(InetAddress.getLoopbackAddress(), proxy.port());
    }

    private static String read(Socket socket, int bytes) throws IOException {
        byte[] buffer = socket.getInputStream().readNBytes(bytes);
        return new String(buffer, StandardCharsets.UTF_8);
    }

    @Test
    void bytesFlowBothWaysUntilCutThenTheHeldOnesArriveInOrderWhenHealed() throws IOException {
        try (Socket socket = client()) {
            socket.setSoTimeout(2000);
            socket.getOutputStream().write("one".getBytes(StandardCharsets.UTF_8));
            assertThat(read(socket, 3)).isEqualTo("one");

            proxy.cut();
            socket.getOutputStream().write("two".getBytes(StandardCharsets.UTF_8));
            socket.setSoTimeout(500);
            boolean arrived;
            try {
                arrived = socket.getInputStream().read() >= 0;
            } catch (SocketTimeoutException e) {
                arrived = false;
            }
            assertThat(arrived).as("a byte crossed a cut network").isFalse();
            assertThat(socket.isClosed()).isFalse();

            proxy.heal();
            socket.setSoTimeout(2000);
            socket.getOutputStream().write("three".getBytes(StandardCharsets.UTF_8));
            assertThat(read(socket, 8)).isEqualTo("twothree");
        }
    }

    @Test
    void aConnectionOpenedWhileCutIsHeldUntilHealed() throws IOException {
        proxy.cut();
        try (Socket socket = client()) {
            socket.setSoTimeout(500);
            socket.getOutputStream().write("held".getBytes(StandardCharsets.UTF_8));
            boolean arrived;
            try {
                arrived = socket.getInputStream().read() >= 0;
            } catch (SocketTimeoutException e) {
                arrived = false;
            }
            assertThat(arrived).isFalse();
            proxy.heal();
            socket.setSoTimeout(2000);
            assertThat(read(socket, 4)).isEqualTo("held");
        }
    }

    @Test
    void aDelayedLinkPassesEveryByteOnInOrderNoSoonerThanTheDelayEachWay() throws IOException {
        try (Socket socket = client()) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write("warm".getBytes(StandardCharsets.UTF_8));
            assertThat(read(socket, 4)).isEqualTo("warm");

            proxy.delay(Duration.ofMillis(300));
            long started = System.nanoTime();
            for (int i = 0; i < 10; i++) {
                socket.getOutputStream().write(Integer.toString(i).getBytes(StandardCharsets.UTF_8));
            }
            assertThat(read(socket, 10)).isEqualTo("0123456789");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("there and back").isGreaterThanOrEqualTo(Duration.ofMillis(600));

            proxy.delay(Duration.ZERO);
            socket.getOutputStream().write("after".getBytes(StandardCharsets.UTF_8));
            assertThat(read(socket, 5)).isEqualTo("after");
        }
    }
}
