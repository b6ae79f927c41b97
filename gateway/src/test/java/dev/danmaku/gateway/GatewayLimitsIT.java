package dev.danmaku.gateway;

import static dev.danmaku.gateway.GatewayFixture.WAIT;
import static dev.danmaku.gateway.GatewayFixture.join;
import static dev.danmaku.gateway.GatewayFixture.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.danmaku.common.auth.Identity;
import dev.danmaku.proto.v1.Reason;
import dev.danmaku.proto.v1.ServerFrame;
import dev.danmaku.proto.v1.Verdict;
import dev.danmaku.testkit.DanmakuIT;
import dev.danmaku.testkit.KafkaCluster;
import dev.danmaku.testkit.ViewerClient;

/** Every configurable limit of the gateway, each on a gateway configured to reach it quickly. */
@DanmakuIT
class GatewayLimitsIT {

    private static GatewayFixture fixture;

    @BeforeAll
    static void start(KafkaCluster kafka) {
        fixture = new GatewayFixture(kafka, 2);
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private static GatewayConfig.Limits limits(GatewayConfig config, int maxFrameBytes, double rate, int burst,
            int maxConnections, int perAddress, Duration handshake, Duration join, Duration ping) {
        return new GatewayConfig.Limits(maxFrameBytes, config.limits().maxTextLength(), rate, burst, maxConnections,
                perAddress, config.limits().joinsPerAddressPerSecond(), config.limits().maxConnectionsPerUser(), config.limits().outboundBudgetBytes(), handshake, join, ping,
                config.limits().answerTimeout());
    }

    @Test
    void refusesTheHandshakeOfABrowserFromAnOriginNotAllowedWith403() throws Exception {
        try (var gateway = fixture.start("gw-origin", c -> c.withAccess(true, List.of("https://live.example")))) {
            String answer = RawWebSocket.handshakeAnswer(gateway.http().port(), "https://evil.example");
            assertThat(answer).startsWith("HTTP/1.1 403").doesNotContainIgnoringCase("Upgrade: websocket");
            assertThat(fixture.counter("danmaku_gateway_refused_total", "gw-origin")).isEqualTo(1);
            assertThat(RawWebSocket.handshakeAnswer(gateway.http().port(), "https://live.example")).startsWith("HTTP/1.1 101");
            assertThat(RawWebSocket.handshakeAnswer(gateway.http().port(), "https://127.0.0.1:" + gateway.http().port()))
                    .as("the gateway's own pages").startsWith("HTTP/1.1 101");
            try (ViewerClient friend = ViewerClient.connect(gateway.url(), ViewerClient.JSON,
                    Map.of("Origin", "https://live.example"))) {
                friend.send(join("lobby", "", ""));
                friend.await(ServerFrame::hasJoined, WAIT);
            }
        }
    }

    @Test
    void closesWith1009OnAFrameAboveTheLimit() {
        try (var gateway = fixture.start("gw-frame", c -> c.withLimits(limits(c, 512, 5, 10, 100, 100,
                c.limits().handshakeTimeout(), c.limits().joinTimeout(), c.limits().pingInterval())))) {
            try (ViewerClient viewer = ViewerClient.connect(gateway.url(), ViewerClient.JSON)) {
                viewer.sendText("{\"ping\": {\"nonce\": \"" + "x".repeat(600) + "\"}}");
                assertThat(viewer.awaitClose(WAIT)).isEqualTo(1009);
            }
        }
    }

    @Test
    void closesWith4029PastTheConnectionLimits() {
        try (var gateway = fixture.start("gw-conn", c -> c.withLimits(limits(c, 4096, 5, 10, 100, 2,
                c.limits().handshakeTimeout(), c.limits().joinTimeout(), c.limits().pingInterval())));
             ViewerClient first = GatewayFixture.joined(gateway.url(), "lobby", "");
             ViewerClient second = GatewayFixture.joined(gateway.url(), "lobby", "");
             ViewerClient third = ViewerClient.connect(gateway.url(), ViewerClient.JSON)) {
            assertThat(third.await(ServerFrame::hasError, WAIT).getError().getCode()).isEqualTo("too_many_connections");
            assertThat(third.awaitClose(WAIT)).isEqualTo(4029);
        }
        try (var gateway = fixture.start("gw-total", c -> c.withLimits(limits(c, 4096, 5, 10, 1, 100,
                c.limits().handshakeTimeout(), c.limits().joinTimeout(), c.limits().pingInterval())));
             ViewerClient first = GatewayFixture.joined(gateway.url(), "lobby", "");
             ViewerClient second = ViewerClient.connect(gateway.url(), ViewerClient.JSON)) {
            assertThat(second.awaitClose(WAIT)).isEqualTo(4029);
        }
    }

    @Test
    void behindATrustedProxyEachClientHasItsOwnAddressCap() {
        try (var gateway = fixture.start("gw-proxied", c -> c.withTrustedProxies(List.of("127.0.0.0/8")).withLimits(
                limits(c, 4096, 5, 10, 100, 2, c.limits().handshakeTimeout(), c.limits().joinTimeout(),
                        c.limits().pingInterval())));
             ViewerClient alice1 = ViewerClient.connect(gateway.url(), ViewerClient.JSON, Map.of("X-Forwarded-For", "203.0.113.1"));
             ViewerClient alice2 = ViewerClient.connect(gateway.url(), ViewerClient.JSON, Map.of("X-Forwarded-For", "203.0.113.1"));
             ViewerClient bob = ViewerClient.connect(gateway.url(), ViewerClient.JSON, Map.of("X-Forwarded-For", "198.51.100.2"));
             ViewerClient alice3 = ViewerClient.connect(gateway.url(), ViewerClient.JSON, Map.of("X-Forwarded-For", "203.0.113.1"))) {
            for (ViewerClient viewer : List.of(alice1, alice2, bob)) {
                viewer.send(join("lobby", "", ""));
                viewer.await(ServerFrame::hasJoined, WAIT);
            }
            assertThat(alice3.awaitClose(WAIT)).as("the third of one client behind the proxy").isEqualTo(4029);
        }
    }

    @Test
    void behindAProxyProtocolBalancerEachClientHasItsOwnAddressCap() throws Exception {
        try (var gateway = fixture.start("gw-proxy-protocol", c -> c.with(c.common().withManagementPort(0), c.port(),
                c.gatewayId()).withProxyProtocol(true).withLimits(limits(c, 4096, 5, 10, 100, 1,
                c.limits().handshakeTimeout(), c.limits().joinTimeout(), c.limits().pingInterval())));
             RawWebSocket first = RawWebSocket.openProxied(gateway.http().port(), "203.0.113.7");
             RawWebSocket other = RawWebSocket.openProxied(gateway.http().port(), "203.0.113.8");
             RawWebSocket second = RawWebSocket.openProxied(gateway.http().port(), "203.0.113.7")) {
            second.awaitServerClose(WAIT);
            assertThat(second.closeCodeSeen()).as("the client's second connection").isEqualTo(4029);
            for (RawWebSocket client : List.of(first, other)) {
                client.sendText("{\"join\":{\"roomId\":\"lobby\"}}");
                client.awaitText("joined", WAIT);
            }
            assertThatThrownBy(() -> RawWebSocket.open(gateway.http().port()).close())
                    .as("a connection without the header").isInstanceOf(IOException.class);
        }
    }

    @Test
    void refusesSendsBeyondTheRateBeforeTheyReachKafka() {
        try (var gateway = fixture.start("gw-rate", c -> c.withLimits(limits(c, 4096, 1, 3, 100, 100,
                c.limits().handshakeTimeout(), c.limits().joinTimeout(), c.limits().pingInterval())));
             ViewerClient viewer = GatewayFixture.joined(gateway.url(), GatewayFixture.room(), fixture.viewerToken("flood"))) {
            double before = fixture.counter("danmaku_gateway_refused_total");
            for (int i = 0; i < 6; i++) {
                viewer.send(send("c" + i, "flood " + i));
            }
            List<ServerFrame> refused = new ArrayList<>();
            for (int i = 3; i < 6; i++) {
                String id = "c" + i;
                refused.add(viewer.await(f -> f.hasAck() && f.getAck().getClientMsgId().equals(id), WAIT));
            }
            assertThat(refused).allSatisfy(f -> {
                assertThat(f.getAck().getVerdict()).isEqualTo(Verdict.REJECTED);
                assertThat(f.getAck().getReason()).isEqualTo(Reason.RATE_LIMITED);
            });
            assertThat(viewer.received()).filteredOn(f -> f.hasAck() && f.getAck().getReason() == Reason.RATE_LIMITED)
                    .hasSize(3);
            assertThat(fixture.counter("danmaku_gateway_refused_total") - before).isEqualTo(3);
        }
    }

    @Test
    void anAddressSharesOneJoinBudgetAcrossItsConnections() {
        // two connections per address, so a burst of two joins, and almost nothing after
        try (var gateway = fixture.start("gw-address-joins", c -> c.withLimits(new GatewayConfig.Limits(4096,
                c.limits().maxTextLength(), c.limits().sendRatePerSecond(), c.limits().sendBurst(), 100, 2, 0.01,
                c.limits().maxConnectionsPerUser(), c.limits().outboundBudgetBytes(), c.limits().handshakeTimeout(),
                c.limits().joinTimeout(), c.limits().pingInterval(), c.limits().answerTimeout())));
             ViewerClient first = GatewayFixture.joined(gateway.url(), GatewayFixture.room(), "");
             ViewerClient second = GatewayFixture.joined(gateway.url(), GatewayFixture.room(), "")) {
            first.send(join(GatewayFixture.room(), "", ""));
            ServerFrame refused = first.await(ServerFrame::hasError, WAIT);
            assertThat(refused.getError().getCode()).isEqualTo("rate_limited");
            assertThat(refused.getError().getMessage()).contains("your address");
        }
    }

    @Test
    void aUsersConnectionsShareOneSendBudgetAndAreCapped() {
        try (var gateway = fixture.start("gw-user", c -> c.withLimits(new GatewayConfig.Limits(4096,
                c.limits().maxTextLength(), 0.01, 3, 100, 100, c.limits().joinsPerAddressPerSecond(), 2,
                c.limits().outboundBudgetBytes(), c.limits().handshakeTimeout(),
                c.limits().joinTimeout(),
                c.limits().pingInterval(), c.limits().answerTimeout())));
             ViewerClient first = GatewayFixture.joined(gateway.url(), GatewayFixture.room(), fixture.viewerToken("twin"));
             ViewerClient second = GatewayFixture.joined(gateway.url(), GatewayFixture.room(), fixture.viewerToken("twin"));
             ViewerClient third = ViewerClient.connect(gateway.url(), ViewerClient.JSON)) {
            for (int i = 0; i < 4; i++) {
                first.send(send("a" + i, "twin " + i));
            }
            assertThat(first.await(f -> f.hasAck() && f.getAck().getClientMsgId().equals("a3"), WAIT).getAck().getReason())
                    .as("past the burst of 3").isEqualTo(Reason.RATE_LIMITED);
            second.send(send("b0", "twin on another connection"));
            assertThat(second.await(f -> f.hasAck() && f.getAck().getClientMsgId().equals("b0"), WAIT).getAck().getReason())
                    .as("the burst was the user's, not the connection's").isEqualTo(Reason.RATE_LIMITED);

            third.send(join(GatewayFixture.room(), fixture.viewerToken("twin"), ""));
            assertThat(third.await(ServerFrame::hasError, WAIT).getError().getCode()).isEqualTo("too_many_connections");
            assertThat(third.awaitClose(WAIT)).isEqualTo(4029);
        }
    }

    @Test
    void closesWith4008WhenNoJoinComesInTime() {
        try (var gateway = fixture.start("gw-join", c -> c.withLimits(limits(c, 4096, 5, 10, 100, 100,
                c.limits().handshakeTimeout(), Duration.ofMillis(300), c.limits().pingInterval())));
             ViewerClient idle = ViewerClient.connect(gateway.url(), ViewerClient.JSON)) {
            assertThat(idle.await(ServerFrame::hasError, WAIT).getError().getCode()).isEqualTo("join_timeout");
            assertThat(idle.awaitClose(WAIT)).isEqualTo(4008);
        }
    }

    @Test
    void dropsAPeerThatStopsAnsweringPingsWithinTwoIntervals() throws Exception {
        Duration ping = Duration.ofMillis(400);
        try (var gateway = fixture.start("gw-ping", c -> c.withLimits(limits(c, 4096, 5, 10, 100, 100,
                c.limits().handshakeTimeout(), c.limits().joinTimeout(), ping)))) {
            try (RawWebSocket dead = RawWebSocket.open(gateway.http().port())) {
                dead.sendText("{\"join\":{\"roomId\":\"lobby\"}}");
                Duration closedAfter = dead.awaitServerClose(Duration.ofSeconds(10));
                assertThat(closedAfter).isLessThanOrEqualTo(ping.multipliedBy(2).plusMillis(300));
            }
            // a live viewer answers the pings and stays
            try (ViewerClient alive = GatewayFixture.joined(gateway.url(), "lobby", "")) {
                Thread.sleep(ping.multipliedBy(4).toMillis());
                alive.send(dev.danmaku.proto.v1.ClientFrame.newBuilder()
                        .setPing(dev.danmaku.proto.v1.Ping.newBuilder().setNonce("alive")).build());
                alive.await(f -> f.hasPong() && f.getPong().getNonce().equals("alive"), WAIT);
            }
        }
    }

    @Test
    void closesAConnectionThatNeverCompletesItsHandshake() throws Exception {
        try (var gateway = fixture.start("gw-handshake", c -> c.withLimits(limits(c, 4096, 5, 10, 100, 100,
                Duration.ofMillis(500), c.limits().joinTimeout(), c.limits().pingInterval())));
             RawWebSocket silent = RawWebSocket.connectTcp(gateway.http().port())) {
            assertThat(silent.awaitServerClose(Duration.ofSeconds(10))).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void tokensAreCheckedForSignatureExpiryAndRole() {
        try (var gateway = fixture.start("gw-tokens", c -> c)) {
            String expired = fixture.tokens.issue("late", "Late", Set.of(Identity.VIEWER), Duration.ofMinutes(1),
                    Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC));
            try (ViewerClient viewer = ViewerClient.connect(gateway.url(), ViewerClient.JSON)) {
                viewer.send(join("lobby", expired, ""));
                assertThat(viewer.await(ServerFrame::hasError, WAIT).getError().getMessage()).contains("expired");
                assertThat(viewer.awaitClose(WAIT)).isEqualTo(4001);
            }
            // an analyst's token proves who they are but is not a right to send
            try (ViewerClient analyst = GatewayFixture.joined(gateway.url(), "lobby", fixture.token("ana", Identity.ANALYST))) {
                assertThat(analyst.received().get(0).getJoined().getCanSend()).isFalse();
                analyst.send(send("c1", "hello"));
                ServerFrame ack = analyst.await(ServerFrame::hasAck, WAIT);
                assertThat(ack.getAck().getReason()).isEqualTo(Reason.NOT_ALLOWED);
            }
        }
    }

    @Test
    void aTokenThatExpiresWhileConnectedStopsSendingButNotWatching() throws Exception {
        try (var gateway = fixture.start("gw-expiry", c -> c)) {
            String shortLived = fixture.tokens.issue("brief", "Brief", Set.of(Identity.VIEWER), Duration.ofSeconds(2));
            try (ViewerClient viewer = GatewayFixture.joined(gateway.url(), "lobby", shortLived)) {
                assertThat(viewer.received().get(0).getJoined().getCanSend()).isTrue();
                Thread.sleep(2_200);
                viewer.send(send("late", "still here?"));
                ServerFrame error = viewer.await(ServerFrame::hasError, WAIT);
                assertThat(error.getError().getCode()).isEqualTo("token_expired");
                assertThat(error.getError().getClientMsgId()).isEqualTo("late");
                viewer.send(dev.danmaku.proto.v1.ClientFrame.newBuilder()
                        .setPing(dev.danmaku.proto.v1.Ping.newBuilder().setNonce("still-open")).build());
                viewer.await(f -> f.hasPong() && f.getPong().getNonce().equals("still-open"), WAIT);
            }
        }
    }
}
