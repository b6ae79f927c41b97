package dev.danmaku.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks an integration test: real Kafka ({@link KafkaCluster}) and real PostgreSQL
 * ({@link PostgresDatabase}) are injected as parameters; no test may hang a build.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith({KafkaExtension.class, PostgresExtension.class})
@Timeout(120)
public @interface DanmakuIT {
}
