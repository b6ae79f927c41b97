package dev.danmaku.filter.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.config.SettingValues;
import dev.danmaku.common.kafka.KafkaClients;
import dev.danmaku.filter.FilterConfig;
import dev.danmaku.filter.FilterService;
import dev.danmaku.kafka.embedded.EmbeddedKafkaBroker;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.KeywordRule;
import dev.danmaku.proto.v1.Origin;
import dev.danmaku.proto.v1.RawDanmaku;
import dev.danmaku.testkit.TestSecrets;

/**
 * Filter throughput, exactly-once on, 10 000 literal rules: preloads danmaku.raw.v1 of an embedded
 * broker, starts filter instances and times how fast they judge the backlog (one transaction per
 * poll). Bounded: stops after the backlog or 100 s. Arguments: [danmaku, default 300000]
 * [instances, default 1] [partitions, default 6] [max.poll.records, default the service's 5000].
 */
public final class PipelineBenchmark {

    private PipelineBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
        int instances = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int partitions = args.length > 2 ? Integer.parseInt(args[2]) : 6;
        Map<String, String> environment = new java.util.HashMap<>(Map.of(
                "DANMAKU_TOPIC_PARTITIONS", Integer.toString(partitions), "DANMAKU_JWT_SECRET", TestSecrets.JWT));
        if (args.length > 3) {
            environment.put("DANMAKU_KAFKA_MAX_POLL_RECORDS", args[3]); // passed through to the Kafka clients
        }
        Path dir = Files.createTempDirectory("filter-bench");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir, 0)) {
            environment.put("DANMAKU_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
            CommonConfig common = CommonConfig.from(SettingValues.of(CommonConfig.SETTINGS, environment));
            KafkaClients clients = new KafkaClients(common);
            clients.createMissingTopics(Duration.ofSeconds(30));
            List<KeywordRule> rules = BenchCorpus.rules(10_000);
            List<String> texts = BenchCorpus.texts(4096, rules);

            long loadStarted = System.nanoTime();
            try (KafkaProducer<String, byte[]> producer = clients.producer("bench-loader",
                    Map.of(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024, ProducerConfig.LINGER_MS_CONFIG, 20))) {
                long now = System.currentTimeMillis();
                for (int i = 0; i < count; i++) {
                    String room = "room-" + (i % 200);
                    RawDanmaku raw = RawDanmaku.newBuilder()
                            .setDanmaku(Danmaku.newBuilder().setMsgId("m" + i).setRoomId(room)
                                    .setUserId("user-" + (i % 100_000)).setUserName("viewer").setText(texts.get(i & 4095))
                                    .setSentAtMs(now + i / 100))
                            .setOrigin(Origin.newBuilder().setGatewayId("gw").setSessionId("s").setClientMsgId("c" + i))
                            .build();
                    producer.send(new ProducerRecord<>(clients.topics().raw(), room, raw.toByteArray()));
                }
            }
            System.out.printf("preloaded %,d danmaku in %.1f s%n", count, (System.nanoTime() - loadStarted) / 1e9);

            List<String> words = rules.stream().map(KeywordRule::getPattern).toList();
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            List<FilterService> filters = new ArrayList<>();
            long started = System.nanoTime();
            for (int i = 0; i < instances; i++) {
                filters.add(FilterService.start(new FilterConfig(common, 0, "bench-" + i, words), meters));
            }
            long startedUp = System.nanoTime();
            double judged = 0;
            long fifthAt = 0;
            double fifth = count / 5.0;
            long deadline = started + Duration.ofSeconds(100).toNanos();
            while (judged < count && System.nanoTime() < deadline) {
                Thread.sleep(20);
                judged = meters.counter("danmaku_filter_judged_total").count();
                if (fifthAt == 0 && judged >= fifth) {
                    fifthAt = System.nanoTime();
                    fifth = judged;
                }
            }
            long finished = System.nanoTime();
            String cpu = filterThreadsCpu(judged);
            filters.forEach(FilterService::close);
            System.out.printf("instances=%d partitions=%d rules=%,d judged=%,.0f of %,d%n", instances, partitions,
                    rules.size(), judged, count);
            System.out.printf("start-up (control topic read, matcher built, group joined): %.1f s%n",
                    (startedUp - started) / 1e9);
            System.out.printf("overall: %,.0f danmaku/s over %.1f s (from start)%n", judged / ((finished - started) / 1e9),
                    (finished - started) / 1e9);
            if (fifthAt > 0 && finished > fifthAt) {
                System.out.printf("steady (after the first fifth, JIT warm): %,.0f danmaku/s%n",
                        (judged - fifth) / ((finished - fifthAt) / 1e9));
            }
            System.out.println(cpu);
            var commits = meters.find("danmaku_filter_transaction_commit_seconds").timer();
            if (commits != null) {
                System.out.printf("transactions: %d, mean commit %.1f ms, max %.1f ms, mean batch %.0f danmaku%n",
                        commits.count(), commits.mean(java.util.concurrent.TimeUnit.MILLISECONDS),
                        commits.max(java.util.concurrent.TimeUnit.MILLISECONDS), judged / Math.max(1, commits.count()));
            }
            meters.find("danmaku_filter_verdicts_total").counters().stream()
                    .filter(c -> c.count() > 0)
                    .forEach(c -> System.out.printf("  %s/%s: %,.0f%n", c.getId().getTag("verdict"),
                            c.getId().getTag("reason"), c.count()));
        }
    }

    /**
     * CPU time per danmaku of the filter's own threads (the pipeline, which also fetches, and the Kafka
     * clients' I/O threads): steadier than the throughput on a machine the broker shares.
     */
    private static String filterThreadsCpu(double judged) {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long pipeline = 0;
        long clients = 0;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            long nanos = threads.getThreadCpuTime(thread.getId());
            if (thread.getName().equals("moderation-pipeline")) {
                pipeline += Math.max(0, nanos);
            } else if (thread.getName().startsWith("kafka-") && thread.getName().contains("danmaku-filter")) {
                clients += Math.max(0, nanos);
            }
        }
        return String.format("filter CPU per danmaku: pipeline thread %.2f us, its Kafka clients' threads %.2f us",
                pipeline / 1e3 / judged, clients / 1e3 / judged);
    }
}
