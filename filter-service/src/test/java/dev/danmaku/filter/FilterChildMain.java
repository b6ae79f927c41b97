package dev.danmaku.filter;

import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.config.SettingValues;
import dev.danmaku.testkit.TestSecrets;

/** A filter instance in its own JVM, for tests that kill it: {@code FilterChildMain <bootstrap> <topic prefix> <instance id>}. */
public final class FilterChildMain {

    public static final String READY = "FILTER CHILD READY";

    private FilterChildMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.put("DANMAKU_KAFKA_BOOTSTRAP_SERVERS", args[0]);
        env.put("DANMAKU_TOPIC_PREFIX", args[1]);
        env.put("DANMAKU_JWT_SECRET", TestSecrets.JWT);
        CommonConfig common = CommonConfig.from(SettingValues.of(CommonConfig.SETTINGS, env));
        FilterService filter = FilterService.start(new FilterConfig(common, 0, args[2], List.of("badword")),
                new SimpleMeterRegistry());
        System.out.println(READY);
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(filter::close));
        Thread.currentThread().join();
    }
}
