package dev.danmaku.gateway.handover;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpPeersTest {

    private final List<HttpServer> servers = new ArrayList<>();

    /** A gateway's probe listener that answers {@code status} and has heard Kafka for {@code heardMillis}. */
    private URI peer(int status, long heardMillis) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(HttpPeers.PATH, exchange -> {
            byte[] body = HttpPeers.answer(heardMillis).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        servers.add(server);
        return URI.create("http://localhost:" + server.getAddress().getPort());
    }

    private static URI nobodyListening() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
    }

    @AfterEach
    void stop() {
        servers.forEach(server -> server.stop(0));
    }

    @Test
    void theReadyPeerThatHeardKafkaLongestCounts() throws Exception {
        var peers = new HttpPeers(List.of(peer(503, 90_000), nobodyListening(), peer(200, 4_000), peer(200, 12_000)));
        assertThat(peers.longestHeardMillis().get(5, TimeUnit.SECONDS)).isEqualTo(12_000);
    }

    @Test
    void unreadyOrUnreachablePeersDoNot() throws Exception {
        var peers = new HttpPeers(List.of(peer(503, 90_000), nobodyListening(), URI.create("http://no-such-gateway.invalid:9090")));
        assertThat(peers.longestHeardMillis().get(5, TimeUnit.SECONDS)).isEqualTo(-1);
    }
}
