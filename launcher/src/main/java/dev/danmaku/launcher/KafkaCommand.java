package dev.danmaku.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.IntStream;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import dev.danmaku.archiver.ArchiverConfig;
import dev.danmaku.common.config.InvalidSettingException;
import dev.danmaku.common.config.Setting;
import dev.danmaku.common.config.SettingValues;
import dev.danmaku.kafka.embedded.EmbeddedKafkaBroker;

@Command(name = "kafka", mixinStandardHelpOptions = true,
        description = {"Run Kafka (KRaft, on 127.0.0.1) for a multi-process topology on one machine: one broker, or a"
                + " replicated cluster of --brokers nodes (node n on port --kafka-port + n - 1, its controller on"
                + " --kafka-port + 100 + n - 1; replication 3, min.insync.replicas 2).",
                "With --node, this process runs that node alone (start the others as their own processes, so any one"
                        + " can be killed); without, it runs them all."})
final class KafkaCommand implements Callable<Integer> {

    static final Setting KAFKA_PORT = Setting.of("DANMAKU_DEV_KAFKA_PORT", "9092",
            "Port of the embedded Kafka broker (of node 1 of a cluster); 0 = any free port, for one broker only")
            .withFlag("--kafka-port");
    static final Setting BROKERS = Setting.of("DANMAKU_KAFKA_BROKERS", "1",
            "Nodes of the cluster: 1, or 3 and more for a replicated one").withFlag("--brokers");
    static final Setting NODE = Setting.of("DANMAKU_KAFKA_NODE", "0",
            "The one node of the cluster this process runs (1 to --brokers); 0 = all of them").withFlag("--node");
    static final Setting PROXIED_LISTENERS = Setting.of("DANMAKU_KAFKA_PROXIED_LISTENERS", "0",
            "For fault drills, one broker only: extra client listeners, listener i on --kafka-port + 200 + i and"
                    + " advertised at --kafka-port + 300 + i, where a TCP proxy of yours forwards to it")
            .withFlag("--proxied-listeners");
    static final List<Setting> SETTINGS = List.of(KAFKA_PORT, BROKERS, NODE, PROXIED_LISTENERS, ArchiverConfig.DATA_DIR);

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        SettingValues values = SettingOptions.resolve(spec, SETTINGS);
        Path dataDir = Path.of(values.string(ArchiverConfig.DATA_DIR));
        int brokers = values.integer(BROKERS);
        int node = values.integer(NODE);
        int port = values.integer(KAFKA_PORT);
        if (brokers != 1 && brokers < 3) {
            throw SettingValues.invalid(BROKERS, Integer.toString(brokers), "1, or at least 3 (a quorum that survives one loss)");
        }
        if (node < 0 || node > brokers) {
            throw SettingValues.invalid(NODE, Integer.toString(node), "0 (all) or 1 to " + brokers);
        }
        int proxied = values.integer(PROXIED_LISTENERS);
        if (proxied < 0 || proxied > 9) {
            throw SettingValues.invalid(PROXIED_LISTENERS, Integer.toString(proxied), "0 to 9");
        }
        if (proxied > 0 && (brokers > 1 || port == 0)) {
            throw new InvalidSettingException(PROXIED_LISTENERS.env() + " needs one broker on a fixed --kafka-port");
        }
        if (brokers > 1 && port == 0) {
            throw new InvalidSettingException(KAFKA_PORT.env() + "=0 picks any free port, which a cluster's nodes cannot"
                    + " agree on: give --kafka-port for --brokers " + brokers);
        }
        try (Lifecycle lifecycle = new Lifecycle()) {
            String bootstrap;
            if (brokers == 1) {
                bootstrap = lifecycle.add(EmbeddedKafkaBroker.start(dataDir.resolve("kafka"), port, proxied)).bootstrapServers();
            } else {
                EmbeddedKafkaBroker.Cluster cluster = new EmbeddedKafkaBroker.Cluster(brokers, port, port + 100);
                List<Integer> nodes = node == 0 ? IntStream.rangeClosed(1, brokers).boxed().toList() : List.of(node);
                // each node's start waits for a quorum of controllers: start them side by side
                List<CompletableFuture<EmbeddedKafkaBroker>> starting = new ArrayList<>();
                for (int n : nodes) {
                    starting.add(CompletableFuture.supplyAsync(
                            () -> EmbeddedKafkaBroker.startNode(dataDir.resolve("kafka-" + n), cluster, n)));
                }
                for (CompletableFuture<EmbeddedKafkaBroker> started : starting) {
                    try {
                        lifecycle.add(started.join());
                    } catch (CompletionException e) {
                        throw e.getCause() instanceof RuntimeException cause ? cause : e;
                    }
                }
                bootstrap = cluster.bootstrapServers();
            }
            spec.commandLine().getOut().printf("Kafka %s ready: %s (data in %s). Ctrl-C stops it.%n",
                    brokers == 1 ? "broker" : node == 0 ? brokers + "-node cluster" : "node " + node + " of " + brokers,
                    bootstrap, dataDir);
            spec.commandLine().getOut().flush();
            lifecycle.runUntilShutdown();
        }
        return 0;
    }
}
