package dev.danmaku.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import dev.danmaku.common.kafka.KafkaClients;
import dev.danmaku.gateway.handover.HttpPeers;
import dev.danmaku.gateway.kafka.BrokerLink;
import dev.danmaku.testkit.DanmakuIT;
import dev.danmaku.testkit.KafkaCluster;

/**
 * The link watch hears a real broker through fetches answered with nothing new, and only through
 * them; a running gateway tells the others how long it has heard it.
 */
@DanmakuIT
class BrokerLinkIT {

    private static final long MILLIS = 1_000_000L;

    @Test
    void aQuietTopicStillAnswersFetchesAndSilenceBeginsWhenNoneAreAnswered(KafkaCluster kafka) throws Exception {
        try (GatewayFixture fixture = new GatewayFixture(kafka, 2)) {
            KafkaClients clients = new KafkaClients(fixture.common);
            try (KafkaConsumer<String, byte[]> consumer = clients.consumer("link-test", null, Map.of())) {
                consumer.assign(List.of(new TopicPartition(clients.topics().presence(), 0)));
                consumer.seekToEnd(consumer.assignment());
                BrokerLink link = new BrokerLink(List.of(consumer), System.nanoTime());
                long pollUntil = System.nanoTime() + 3_000 * MILLIS;
                long loudest = 0;
                while (System.nanoTime() < pollUntil) {
                    assertThat(consumer.poll(Duration.ofMillis(200))).as("nothing is published").isEmpty();
                    loudest = Math.max(loudest, link.silentNanos(System.nanoTime()));
                }
                assertThat(loudest).as("fetches answered while polling a quiet topic").isLessThan(1_500 * MILLIS);

                Thread.sleep(2_500); // nobody drives the consumer: no fetch is answered
                assertThat(link.silentNanos(System.nanoTime())).isGreaterThan(2_000 * MILLIS);
            }
        }
    }

    @Test
    void aReadyGatewayTellsItsPeersHowLongItHasHeardKafka(KafkaCluster kafka) throws Exception {
        try (GatewayFixture fixture = new GatewayFixture(kafka, 2);
                GatewayFixture.Running gateway = fixture.start("gw-link", config -> config)) {
            await().atMost(Duration.ofSeconds(30)).until(gateway.gateway()::ready);
            HttpPeers peers = new HttpPeers(List.of(URI.create("http://127.0.0.1:" + gateway.http().port())));
            long first = peers.longestHeardMillis().get(5, TimeUnit.SECONDS);
            Thread.sleep(1_000);
            assertThat(peers.longestHeardMillis().get(5, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(first + 900);
            assertThat(first).isNotNegative();
        }
    }
}
