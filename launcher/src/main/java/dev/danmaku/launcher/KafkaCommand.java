package dev.danmaku.launcher;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import dev.danmaku.archiver.ArchiverConfig;
import dev.danmaku.common.config.Setting;
import dev.danmaku.common.config.SettingValues;
import dev.danmaku.kafka.embedded.EmbeddedKafkaBroker;

@Command(name = "kafka", mixinStandardHelpOptions = true,
        description = "Run a single-node Kafka broker (KRaft, on 127.0.0.1) for a multi-process topology on one machine.")
final class KafkaCommand implements Callable<Integer> {

    static final Setting KAFKA_PORT = Setting.of("DANMAKU_DEV_KAFKA_PORT", "9092",
            "Port of the embedded Kafka broker; 0 = any free port").withFlag("--kafka-port");
    static final List<Setting> SETTINGS = List.of(KAFKA_PORT, ArchiverConfig.DATA_DIR);

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        SettingValues values = SettingOptions.resolve(spec, SETTINGS);
        Path logDir = Path.of(values.string(ArchiverConfig.DATA_DIR)).resolve("kafka");
        try (Lifecycle lifecycle = new Lifecycle()) {
            EmbeddedKafkaBroker broker = lifecycle.add(EmbeddedKafkaBroker.start(logDir, values.integer(KAFKA_PORT)));
            spec.commandLine().getOut().printf("Kafka broker ready: %s (data in %s). Ctrl-C stops it.%n",
                    broker.bootstrapServers(), logDir);
            spec.commandLine().getOut().flush();
            lifecycle.runUntilShutdown();
        }
        return 0;
    }
}
