package dev.danmaku.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;

import dev.danmaku.common.auth.Tokens;
import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.config.SettingValues;
import dev.danmaku.common.http.HttpServer;
import dev.danmaku.common.http.Routes;
import dev.danmaku.common.kafka.KafkaClients;
import dev.danmaku.gateway.Gateway;
import dev.danmaku.gateway.GatewayConfig;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.RawDanmaku;
import dev.danmaku.proto.v1.RoomEvent;
import dev.danmaku.proto.v1.Verdict;
import dev.danmaku.testkit.Browser;
import dev.danmaku.testkit.DanmakuIT;
import dev.danmaku.testkit.KafkaCluster;
import dev.danmaku.testkit.TestSecrets;

/**
 * The viewer page in Chromium against a gateway whose filter is late: the page is told
 * {@code unavailable}, sends again with the same clientMsgId, and the danmaku is published and shown
 * once when its verdict finally comes. The test plays the filter.
 */
@DanmakuIT
class ViewerRetryIT {

    @Test
    void aSendTheFilterIsLateForIsRetriedByThePageAndShownOnceWhenJudged(KafkaCluster kafka) throws Exception {
        CommonConfig common = CommonConfig.from(SettingValues.of(CommonConfig.SETTINGS, Map.of("DANMAKU_JWT_SECRET", TestSecrets.JWT,
                "DANMAKU_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "DANMAKU_TOPIC_PREFIX", "retry-" + UUID.randomUUID().toString().substring(0, 8) + ".",
                "DANMAKU_TOPIC_PARTITIONS", "1")));
        KafkaClients clients = new KafkaClients(common);
        clients.createMissingTopics(Duration.ofSeconds(30));
        GatewayConfig defaults = GatewayConfig.defaults(common, "gw-retry");
        GatewayConfig config = defaults.withLimits(defaults.limits().withAnswerTimeout(Duration.ofSeconds(1)));
        TopicPartition rawPartition = new TopicPartition(clients.topics().raw(), 0);
        try (Gateway gateway = Gateway.start(config, new SimpleMeterRegistry());
                HttpServer http = HttpServer.start("127.0.0.1", 0, gateway.mount(Routes.withProbes(gateway::ready,
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)))
                        .exact(DevTokenHandler.PATH, new DevTokenHandler(new Tokens(common.jwtSecret()))).handler());
                KafkaConsumer<String, byte[]> raw = clients.consumer("retry-it-raw", null, Map.of());
                KafkaProducer<String, byte[]> filter = clients.producer("retry-it-filter", Map.of());
                Browser page = Browser.start()) {
            raw.assign(List.of(rawPartition));
            raw.seekToBeginning(List.of(rawPartition));
            page.open("http://127.0.0.1:" + http.port() + "/?room=late&name=sender");
            page.awaitScript("return window.danmakuViewer && window.danmakuViewer.joined && window.danmakuViewer.canSend");

            page.driver().findElement(By.id("text")).sendKeys("is anyone judging?", Keys.ENTER);
            page.awaitScript("return window.danmakuViewer.sendRetries >= 2"); // told unavailable twice, sent again each time
            List<RawDanmaku> published = readRaw(raw);
            assertThat(published).as("published once, whatever the retries").hasSize(1);

            RawDanmaku sent = published.get(0);
            filter.send(new ProducerRecord<>(clients.topics().filtered(), "late", RoomEvent.newBuilder()
                    .setDanmaku(JudgedDanmaku.newBuilder().setDanmaku(sent.getDanmaku()).setOrigin(sent.getOrigin())
                            .setVerdict(Verdict.ACCEPTED)).build().toByteArray())).get();
            page.awaitScript("const a = window.danmakuViewer.lastAck; return a && a.verdict === 'ACCEPTED' && a.msgId === arguments[0]",
                    sent.getDanmaku().getMsgId());
            page.awaitScript("return window.danmakuViewer.rendered.some(d => d.text === 'is anyone judging?')");
            assertThat(page.script("return window.danmakuViewer.rendered.filter(d => d.text === 'is anyone judging?').length"))
                    .isEqualTo(1L);
            assertThat(readRaw(raw)).as("no copy published after the verdict").isEmpty();
            assertThat(page.script("return document.getElementById('message').textContent")).asString()
                    .doesNotContain("Not sent");
        }
    }

    /** What the gateway published since the last read, waiting a little for stragglers. */
    private static List<RawDanmaku> readRaw(KafkaConsumer<String, byte[]> raw) throws Exception {
        List<RawDanmaku> published = new ArrayList<>();
        long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (System.nanoTime() < until) {
            for (ConsumerRecord<String, byte[]> record : raw.poll(Duration.ofMillis(200))) {
                published.add(RawDanmaku.parseFrom(record.value()));
            }
        }
        return published;
    }
}
