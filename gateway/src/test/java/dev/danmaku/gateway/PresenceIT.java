package dev.danmaku.gateway;

import static dev.danmaku.gateway.GatewayFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.danmaku.proto.v1.ServerFrame;
import dev.danmaku.testkit.DanmakuIT;
import dev.danmaku.testkit.KafkaCluster;
import dev.danmaku.testkit.ViewerClient;

/** Room-wide viewer counts across gateways (a gateway that dies without a word is covered in the launcher's ITs). */
@DanmakuIT
class PresenceIT {

    private static GatewayFixture fixture;

    @BeforeAll
    static void start(KafkaCluster kafka) {
        fixture = new GatewayFixture(kafka, 2);
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private static int lastPresence(ViewerClient viewer) {
        return viewer.received().stream().filter(ServerFrame::hasPresence)
                .reduce((a, b) -> b).map(f -> f.getPresence().getOnline()).orElse(-1);
    }

    @Test
    void countsViewersOfARoomOnEveryGateway() {
        String room = GatewayFixture.room();
        Duration interval = Duration.ofMillis(300);
        try (var a = fixture.start("gw-pa", c -> c.withPresenceInterval(interval));
             var b = fixture.start("gw-pb", c -> c.withPresenceInterval(interval));
             ViewerClient onA1 = GatewayFixture.joined(a.url(), room, "");
             ViewerClient onA2 = GatewayFixture.joined(a.url(), room, "");
             ViewerClient onB = GatewayFixture.joined(b.url(), room, "")) {
            await().atMost(WAIT).until(() -> lastPresence(onA1) == 3 && lastPresence(onB) == 3);

            onA2.close();
            await().atMost(WAIT).until(() -> lastPresence(onA1) == 2 && lastPresence(onB) == 2);

            // the room's last viewer on a gateway leaves: its count there goes, as a tombstone
            onA1.close();
            await().atMost(WAIT).until(() -> lastPresence(onB) == 1);

            // a gateway that shuts down withdraws its viewers at once
            try (ViewerClient onA3 = GatewayFixture.joined(a.url(), room, "")) {
                await().atMost(WAIT).until(() -> lastPresence(onB) == 2);
                a.close();
                await().atMost(WAIT).until(() -> lastPresence(onB) == 1);
            }
        }
    }
}
