package dev.danmaku.filter;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.config.SettingValues;
import dev.danmaku.common.kafka.KafkaClients;
import dev.danmaku.testkit.ChildJvm;
import dev.danmaku.testkit.KafkaCluster;
import dev.danmaku.testkit.TestSecrets;

/** A filter instance in a child JVM ({@link FilterChildMain}) that a test can kill with SIGKILL. */
final class FilterChild implements AutoCloseable {

    private final Process process;
    private final String instanceId;

    private FilterChild(Process process, String instanceId) {
        this.process = process;
        this.instanceId = instanceId;
    }

    /** Starts an instance and waits until it has joined the group; its output goes to this JVM's, prefixed. */
    static FilterChild start(String bootstrap, String prefix, String instanceId, Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(ChildJvm.command(
                List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), FilterChildMain.class,
                bootstrap, prefix, instanceId));
        builder.environment().putAll(env);
        builder.redirectErrorStream(true);
        Process process = builder.start();
        CountDownLatch ready = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.contains(FilterChildMain.READY)) {
                        ready.countDown();
                    }
                    if (line.contains("WARN") || line.contains("ERROR") || line.contains("Assigned") || line.contains("Revoked")
                            || line.contains("Lost")) {
                        System.out.println("[filter " + instanceId + "] " + line);
                    }
                }
            } catch (IOException e) {
                // the child was killed
            }
        }, "filter-" + instanceId + "-output");
        reader.setDaemon(true);
        reader.start();
        if (!ready.await(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the filter child JVM " + instanceId + " did not start within 60 s");
        }
        return new FilterChild(process, instanceId);
    }

    /** A topic prefix of a test's own, so its topics and consumer offsets start empty. */
    static String topicPrefix(String test) {
        return test + UUID.randomUUID().toString().substring(0, 8) + ".";
    }

    /** Clients for a test's own topics, created with {@code partitions} partitions. */
    static KafkaClients topics(KafkaCluster kafka, String prefix, int partitions) {
        CommonConfig common = CommonConfig.from(SettingValues.of(CommonConfig.SETTINGS, Map.of("DANMAKU_JWT_SECRET", TestSecrets.JWT,
                "DANMAKU_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "DANMAKU_TOPIC_PREFIX", prefix, "DANMAKU_TOPIC_PARTITIONS", Integer.toString(partitions))));
        KafkaClients clients = new KafkaClients(common);
        clients.createMissingTopics(Duration.ofSeconds(30));
        return clients;
    }

    String instanceId() {
        return instanceId;
    }

    /** SIGKILL: no shutdown hook runs, an open transaction is left behind. Returns the exit status. */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
