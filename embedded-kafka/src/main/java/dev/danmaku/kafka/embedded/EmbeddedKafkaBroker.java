package dev.danmaku.kafka.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A KRaft broker (combined broker + controller) running in this JVM on loopback: a single node for
 * {@code danmaku dev}, {@code danmaku kafka} and every integration test, or one node of a small
 * replicated cluster ({@link Cluster}) for failover work; or, for security tests, one that admits only
 * clients with a certificate and enforces ACLs ({@link #startWithClientCertificates}).
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final String HOST = "127.0.0.1";

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final Path logDir;
    private final FileLock ownership;

    private EmbeddedKafkaBroker(KafkaRaftServer server, String bootstrapServers, Path logDir, FileLock ownership) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.logDir = logDir;
        this.ownership = ownership;
    }

    /**
     * A cluster of {@code nodes} brokers on loopback: node n (1-based) serves clients on
     * {@code port + n - 1} and its controller on {@code controllerPort + n - 1}. Every topic is
     * replicated to all nodes (at most 3) and needs all but one in sync, so any one node may die.
     */
    public record Cluster(int nodes, int port, int controllerPort) {
        public Cluster {
            if (nodes < 1) {
                throw new IllegalArgumentException("a cluster needs at least one node, not " + nodes);
            }
        }

        public String bootstrapServers() {
            return IntStream.rangeClosed(1, nodes).mapToObj(n -> HOST + ":" + clientPort(n)).collect(Collectors.joining(","));
        }

        int clientPort(int node) {
            return port + node - 1;
        }

        String voters() {
            return IntStream.rangeClosed(1, nodes).mapToObj(n -> n + "@" + HOST + ":" + (controllerPort + n - 1))
                    .collect(Collectors.joining(","));
        }

        int replication() {
            return Math.min(nodes, 3);
        }

        /** The same on every node, so each formats its own log directory into the one cluster. */
        String clusterId() {
            return new Uuid(0x64616e6d616b75L, port).toString();
        }
    }

    /**
     * Starts a single-node broker keeping its log in {@code logDir} (formatted on first use, reused after).
     *
     * @param brokerPort the client port; 0 picks a free one
     */
    public static EmbeddedKafkaBroker start(Path logDir, int brokerPort) {
        return start(logDir, brokerPort, 0);
    }

    /**
     * A single-node broker that also serves clients on {@code proxiedListeners} more listeners, for fault
     * drills: listener i (1-based) listens on {@link #proxiedListenerPort} and tells clients to connect at
     * {@link #proxyPort}, where a TCP proxy forwards to it; cutting that proxy cuts exactly the clients
     * bootstrapped through it.
     */
    public static EmbeddedKafkaBroker start(Path logDir, int brokerPort, int proxiedListeners) {
        if (proxiedListeners > 0 && brokerPort == 0) {
            throw new IllegalArgumentException("proxied listeners need a fixed broker port");
        }
        int port = brokerPort == 0 ? freePort() : brokerPort;
        int controllerPort = freePort();
        Map<String, String> props = brokerProperties(logDir, 1, port, "1@" + HOST + ":" + controllerPort, controllerPort, 1);
        for (int i = 1; i <= proxiedListeners; i++) {
            String name = "PROXIED_" + i;
            props.merge("listeners", name + "://" + HOST + ":" + proxiedListenerPort(port, i), (a, b) -> a + "," + b);
            props.merge("advertised.listeners", name + "://" + HOST + ":" + proxyPort(port, i), (a, b) -> a + "," + b);
            props.merge("listener.security.protocol.map", name + ":PLAINTEXT", (a, b) -> a + "," + b);
        }
        return start(logDir, props, Uuid.randomUuid().toString(), HOST + ":" + port);
    }

    /**
     * What a broker that admits only clients with a certificate is given. A client's principal is its
     * certificate's subject as Kafka writes it by default, {@code User:CN=gateway}: what Strimzi's brokers
     * do for a {@code KafkaUser} with TLS authentication, so ACLs written for one hold on the other.
     *
     * @param keyStore the broker's PKCS12 key store; it presents the same certificate to its own controller
     * @param trustStore PKCS12 with the CA that signed the broker's and the clients' certificates
     * @param password of both stores and of the broker's key
     * @param superUsers principals allowed everything, the broker's own among them ({@code User:CN=broker})
     */
    public record ClientCertificates(Path keyStore, Path trustStore, String password, List<String> superUsers) {
        public ClientCertificates {
            superUsers = List.copyOf(superUsers);
        }

        Map<String, String> brokerProperties() {
            Map<String, String> props = new TreeMap<>();
            props.put("ssl.keystore.type", "PKCS12");
            props.put("ssl.keystore.location", keyStore.toAbsolutePath().toString());
            props.put("ssl.keystore.password", password);
            props.put("ssl.key.password", password);
            props.put("ssl.truststore.type", "PKCS12");
            props.put("ssl.truststore.location", trustStore.toAbsolutePath().toString());
            props.put("ssl.truststore.password", password);
            props.put("ssl.client.auth", "required");
            // KRaft's authorizer: nothing is allowed that no ACL allows
            props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            props.put("super.users", String.join(";", superUsers));
            return props;
        }
    }

    /**
     * A single-node broker whose client and controller listeners both speak TLS and require a client
     * certificate, and whose ACLs allow nothing but what is granted (and everything to the super users).
     * The client port is picked free.
     */
    public static EmbeddedKafkaBroker startWithClientCertificates(Path logDir, ClientCertificates tls) {
        int port = freePort();
        int controllerPort = freePort();
        Map<String, String> props = brokerProperties(logDir, 1, port, "1@" + HOST + ":" + controllerPort, controllerPort, 1);
        props.put("listeners", "SSL://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
        props.put("advertised.listeners", "SSL://" + HOST + ":" + port);
        props.put("listener.security.protocol.map", "SSL:SSL,CONTROLLER:SSL");
        props.put("inter.broker.listener.name", "SSL");
        props.putAll(tls.brokerProperties());
        return start(logDir, props, Uuid.randomUuid().toString(), HOST + ":" + port);
    }

    /** Where proxied listener i listens: the broker port + 200 + i. */
    private static int proxiedListenerPort(int brokerPort, int listener) {
        return brokerPort + 200 + listener;
    }

    /** Where clients of proxied listener i are told to connect (the proxy): the broker port + 300 + i. */
    private static int proxyPort(int brokerPort, int listener) {
        return brokerPort + 300 + listener;
    }

    /**
     * Starts node {@code node} of {@code cluster}, keeping its log in {@code logDir}. Its startup waits
     * for a quorum of the cluster's controllers, so start the nodes side by side.
     */
    public static EmbeddedKafkaBroker startNode(Path logDir, Cluster cluster, int node) {
        if (node < 1 || node > cluster.nodes()) {
            throw new IllegalArgumentException("node must be 1 to " + cluster.nodes() + ", not " + node);
        }
        Map<String, String> props = brokerProperties(logDir, node, cluster.clientPort(node), cluster.voters(),
                cluster.controllerPort() + node - 1, cluster.replication());
        return start(logDir, props, cluster.clusterId(), HOST + ":" + cluster.clientPort(node));
    }

    private static EmbeddedKafkaBroker start(Path logDir, Map<String, String> props, String clusterId, String bootstrap) {
        keepKafkaFromExitingTheJvm();
        FileLock ownership = own(logDir);
        KafkaRaftServer server;
        try {
            Path propertiesFile = logDir.resolve("server.properties");
            writeProperties(props, propertiesFile);
            format(logDir, propertiesFile, clusterId);
            server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
            server.startup();
        } catch (IOException e) {
            release(ownership);
            throw new UncheckedIOException("cannot prepare the Kafka log directory " + logDir, e);
        } catch (RuntimeException e) {
            release(ownership);
            throw e;
        }
        log.info("Embedded Kafka broker ready at {} (log dir {})", bootstrap, logDir);
        return new EmbeddedKafkaBroker(server, bootstrap, logDir, ownership);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public Path logDir() {
        return logDir;
    }

    /** Blocks until the broker has shut down (used by {@code danmaku kafka}). */
    public void awaitShutdown() {
        server.awaitShutdown();
    }

    @Override
    public void close() {
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            release(ownership);
        }
    }

    /** One broker per directory: a second one would overwrite the first one's configuration and log. */
    private static FileLock own(Path logDir) {
        try {
            Files.createDirectories(logDir);
            FileChannel channel = FileChannel.open(logDir.resolve("danmaku.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                throw new IllegalStateException("another danmaku process is using " + logDir.toAbsolutePath()
                        + "; stop it, or give this one another --data-dir");
            }
            return lock;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use the Kafka log directory " + logDir, e);
        }
    }

    private static void release(FileLock lock) {
        try {
            lock.release();
            lock.channel().close();
        } catch (IOException ignored) {
            // the lock goes with the process anyway
        }
    }

    private static Map<String, String> brokerProperties(Path logDir, int node, int port, String voters, int controllerPort,
            int replication) {
        String copies = Integer.toString(replication);
        String inSync = Integer.toString(Math.max(1, replication - 1));
        Map<String, String> props = new TreeMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", Integer.toString(node));
        props.put("controller.quorum.voters", voters);
        props.put("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", logDir.toAbsolutePath().toString());
        props.put("num.partitions", "3");
        props.put("default.replication.factor", copies);
        props.put("min.insync.replicas", inSync);
        props.put("offsets.topic.replication.factor", copies);
        props.put("offsets.topic.num.partitions", "3");
        props.put("transaction.state.log.replication.factor", copies);
        props.put("transaction.state.log.min.isr", inSync);
        props.put("transaction.state.log.num.partitions", "3");
        props.put("share.coordinator.state.topic.replication.factor", copies);
        props.put("share.coordinator.state.topic.min.isr", inSync);
        props.put("group.initial.rebalance.delay.ms", "0");
        // the filter's 3 s session (fast failover) needs a lower floor than the stock 6 s
        props.put("group.min.session.timeout.ms", "1000");
        if (replication > 1) {
            // a node that dies is fenced (its partitions get new leaders) 1.5 s after its last heartbeat, not 9;
            // a single broker keeps the stock 9 s: nothing could lead in its place, and a long pause would fence it
            props.put("broker.session.timeout.ms", "1500");
            props.put("broker.heartbeat.interval.ms", "250");
            // a dead node that led the KRaft quorum is replaced within ~1.5 s, not ~3-4: only then can the new
            // controller start the dead node's session timer and fence it
            props.put("controller.quorum.fetch.timeout.ms", "1000");
            props.put("controller.quorum.election.timeout.ms", "500");
        }
        // a transaction that times out is aborted within a second of its timeout, not ten
        props.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
        props.put("auto.create.topics.enable", "false");
        props.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
        return props;
    }

    private static void writeProperties(Map<String, String> props, Path file) throws IOException {
        Properties properties = new Properties();
        properties.putAll(props);
        try (OutputStream out = Files.newOutputStream(file)) {
            properties.store(out, "written by danmaku's embedded broker at each start");
        }
    }

    /** Formats a new log directory; one that holds a broker's data already keeps its cluster id. */
    private static void format(Path logDir, Path propertiesFile, String clusterId) {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return;
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int status = StorageTool.execute(new String[] {
                "format", "--cluster-id", clusterId, "--config", propertiesFile.toString()},
                new PrintStream(output, true, StandardCharsets.UTF_8));
        if (status != 0) {
            throw new IllegalStateException("formatting the Kafka log directory " + logDir + " failed: "
                    + output.toString(StandardCharsets.UTF_8));
        }
    }

    /** Kafka calls System.exit on fatal errors; inside our JVM that must be an exception instead. */
    private static void keepKafkaFromExitingTheJvm() {
        Exit.setExitProcedure((status, message) -> {
            throw new IllegalStateException("Kafka asked to exit (" + status + "): " + message);
        });
        Exit.setHaltProcedure((status, message) -> {
            throw new IllegalStateException("Kafka asked to halt (" + status + "): " + message);
        });
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + HOST, e);
        }
    }
}
