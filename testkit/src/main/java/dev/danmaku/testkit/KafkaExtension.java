package dev.danmaku.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

import dev.danmaku.kafka.embedded.EmbeddedKafkaBroker;

/**
 * Provides one real Kafka broker to every integration test of a test JVM, injected as a
 * {@link KafkaCluster} parameter. With a Docker engine it is Testcontainers' Kafka; without one,
 * an in-process single-node KRaft broker on loopback. {@code DANMAKU_TEST_KAFKA=embedded} or
 * {@code =docker} forces the choice.
 */
public final class KafkaExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaExtension.class);
    private static final String KAFKA_IMAGE = "apache/kafka:4.1.1";

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == KafkaCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent("cluster", key -> startCluster(), RunningCluster.class);
    }

    private static RunningCluster startCluster() {
        String choice = System.getenv().getOrDefault("DANMAKU_TEST_KAFKA", "auto");
        boolean docker = switch (choice) {
            case "docker" -> true;
            case "embedded" -> false;
            default -> DockerClientFactory.instance().isDockerAvailable();
        };
        return docker ? containerCluster() : embeddedCluster();
    }

    private static RunningCluster embeddedCluster() {
        Path dir;
        try {
            dir = Files.createTempDirectory("danmaku-test-kafka");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir, 0);
        return new RunningCluster(broker.bootstrapServers(), () -> {
            broker.close();
            deleteRecursively(dir);
        });
    }

    private static RunningCluster containerCluster() {
        // the filter's 3 s session needs a floor below the stock 6 s, as on the embedded broker
        KafkaContainer container = new KafkaContainer(KAFKA_IMAGE).withEnv("KAFKA_GROUP_MIN_SESSION_TIMEOUT_MS", "1000");
        container.start();
        return new RunningCluster(container.getBootstrapServers(), container::stop);
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp directory is harmless
        }
    }

    /** Closed by JUnit when the root context ends, i.e. after the last test of the JVM. */
    record RunningCluster(String bootstrapServers, AutoCloseable stopper) implements KafkaCluster, AutoCloseable {
        @Override
        public void close() throws Exception {
            stopper.close();
        }
    }
}
