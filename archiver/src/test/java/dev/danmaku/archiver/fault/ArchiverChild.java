package dev.danmaku.archiver.fault;

import java.util.Map;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.danmaku.archiver.Archiver;
import dev.danmaku.archiver.ArchiverConfig;
import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.config.SettingValues;
import dev.danmaku.testkit.TestSecrets;

/** An archiver in a JVM of its own, for tests that kill it: args bootstrap, topic prefix, JDBC URL, user, password, batch size. */
public final class ArchiverChild {

    private ArchiverChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        CommonConfig common = CommonConfig.from(SettingValues.of(CommonConfig.SETTINGS, Map.of("DANMAKU_JWT_SECRET", TestSecrets.JWT,
                "DANMAKU_KAFKA_BOOTSTRAP_SERVERS", args[0],
                "DANMAKU_TOPIC_PREFIX", args[1],
                "DANMAKU_TOPIC_PARTITIONS", "3",
                "DANMAKU_BIND_HOST", "127.0.0.1",
                // the group notices a killed member in seconds rather than the default 45
                "DANMAKU_KAFKA_SESSION_TIMEOUT_MS", "6000",
                "DANMAKU_KAFKA_HEARTBEAT_INTERVAL_MS", "1000")));
        ArchiverConfig config = new ArchiverConfig(common, 0, args[2], args[3], args[4], 4)
                .withBatchSize(Integer.parseInt(args[5])).withRetryMaxMs(1000);
        Archiver.start(config, new SimpleMeterRegistry());
        System.out.println("READY");
        System.out.flush();
        Thread.currentThread().join(); // until killed
    }
}
