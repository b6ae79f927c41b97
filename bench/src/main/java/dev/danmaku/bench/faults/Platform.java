package dev.danmaku.bench.faults;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Our services as separate processes on this machine, started from the launcher jar the way an
 * operator starts them: one Kafka broker or a three-node cluster (a process per node), filters, the
 * archiver on PostgreSQL and gateways. Each process can be killed with SIGKILL, paused with SIGSTOP,
 * resumed and started again on its data. Only processes started here are ever signalled, by PID.
 */
final class Platform implements AutoCloseable {

    static final String KAFKA = "kafka";
    static final String ARCHIVER = "archiver";

    private final Path jar;
    private final Path work;
    private final Map<String, String> env;
    private final int kafkaPort;
    private final int brokers;
    private final String bootstrapServers;
    private final String archiveDatabase;
    /** By name, in the order they were added; faults on several threads look services up. */
    private final Map<String, Service> services = Collections.synchronizedMap(new LinkedHashMap<>());
    /**
     * The first filters and the gateways reach the single broker each through its own proxy (by service
     * name), when asked for: listeners 1 to {@code proxiedFilters} for the filters, the gateways' after.
     */
    private final Map<String, TcpProxy> proxies = new java.util.concurrent.ConcurrentHashMap<>();
    private int proxiedFilters;
    private int proxiedGateways;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** How each service is started, so it can be started again. */
    private record Service(String name, List<String> args, Map<String, String> env, String readyUrl, Path log,
            Process[] process) {
    }

    /** @param brokers 1, or 3 for a replicated cluster whose nodes are the services kafka-1 … kafka-3 */
    Platform(Path jar, Path work, int basePort, int brokers, String jwtSecret, String archiveDatabase) {
        this.jar = jar;
        this.work = work;
        this.kafkaPort = basePort;
        this.brokers = brokers;
        this.bootstrapServers = java.util.stream.IntStream.range(0, brokers).mapToObj(n -> "127.0.0.1:" + (basePort + n))
                .collect(java.util.stream.Collectors.joining(","));
        this.archiveDatabase = archiveDatabase;
        this.env = Map.of(
                "DANMAKU_BIND_HOST", "127.0.0.1",
                "DANMAKU_KAFKA_BOOTSTRAP_SERVERS", bootstrapServers,
                "DANMAKU_TOPIC_PARTITIONS", "6",
                "DANMAKU_JWT_SECRET", jwtSecret,
                // the history must show every send; limits are another test's business
                "DANMAKU_FILTER_RATE_PER_SECOND", "1000", "DANMAKU_FILTER_BURST", "1000",
                "DANMAKU_FILTER_DUPLICATE_WINDOW_SECONDS", "0",
                "DANMAKU_GATEWAY_SEND_RATE", "1000", "DANMAKU_GATEWAY_SEND_BURST", "1000",
                "DANMAKU_GATEWAY_ALLOWED_ORIGINS", "*");
    }

    /** The filter instance the scenario's faults aim at: the one that owns the busy room's partition. */
    private volatile String victim = "filter-1";
    /** The busy room's partition, the same number in the raw and filtered topics (both keyed by room). */
    private volatile int busyPartition;

    int busyPartition() {
        return busyPartition;
    }

    void aimAtPartition(int partition) {
        this.busyPartition = partition;
    }

    /** The broker (its service name) that leads this partition now. */
    String leaderOf(String topic, int partition) throws Exception {
        try (Admin admin = admin()) {
            return broker(admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic)
                    .partitions().get(partition).leader().id());
        }
    }

    /** The node (its service name) that is the active KRaft controller now. */
    String activeController() throws Exception {
        try (Admin admin = admin()) {
            return broker(admin.describeMetadataQuorum().quorumInfo().get(10, TimeUnit.SECONDS).leaderId());
        }
    }

    /** What a fault found worth recording (which node it hit, and what that node also was); taken by {@link #takeNotes()}. */
    private final List<String> notes = Collections.synchronizedList(new ArrayList<>());

    void note(String note) {
        notes.add(note);
    }

    List<String> takeNotes() {
        synchronized (notes) {
            List<String> taken = List.copyOf(notes);
            notes.clear();
            return taken;
        }
    }

    /** The broker that coordinates the filter group now. */
    String groupCoordinator() throws Exception {
        try (Admin admin = admin()) {
            return broker(admin.describeConsumerGroups(List.of("danmaku-filter")).all().get(10, TimeUnit.SECONDS)
                    .get("danmaku-filter").coordinator().id());
        }
    }

    /**
     * The broker that coordinates the transactions of the filter that writes this raw partition: the
     * group member it is assigned to writes under {@code danmaku-filter.<member id>}.
     */
    String transactionCoordinator(int rawPartition) throws Exception {
        TopicPartition partition = new TopicPartition("danmaku.raw.v1", rawPartition);
        try (Admin admin = admin()) {
            String memberId = admin.describeConsumerGroups(List.of("danmaku-filter")).all().get(10, TimeUnit.SECONDS)
                    .get("danmaku-filter").members().stream()
                    .filter(member -> member.assignment().topicPartitions().contains(partition))
                    .findFirst().orElseThrow(() -> new IllegalStateException(partition + " is assigned to no filter"))
                    .consumerId();
            String transactionalId = "danmaku-filter." + memberId;
            return broker(admin.describeTransactions(List.of(transactionalId)).description(transactionalId)
                    .get(10, TimeUnit.SECONDS).coordinatorId());
        }
    }

    /** The processes running now, by service name; a killed one is absent until it is started again. */
    Map<String, Long> livePids() {
        Map<String, Long> pids = new LinkedHashMap<>();
        for (Service service : List.copyOf(services.values())) {
            Process process = service.process()[0];
            if (process != null && process.isAlive()) {
                pids.put(service.name(), process.pid());
            }
        }
        return pids;
    }

    /** A service's Prometheus endpoint; null for a broker, which has none. */
    String metricsUrl(String name) {
        Service service = services.get(name);
        return service == null || service.readyUrl() == null ? null : service.readyUrl().replace("/readyz", "/metrics");
    }

    /** Records behind the end of their topic: the filter group on the raw topic, the archiver's on the filtered one. */
    Map<String, Long> consumerLag() throws Exception {
        Map<String, Long> lag = new LinkedHashMap<>();
        try (Admin admin = admin()) {
            lag.put("danmaku-filter", lag(admin, "danmaku-filter", "danmaku.raw.v1"));
            lag.put("danmaku-archiver", lag(admin, "danmaku-archiver", "danmaku.filtered.v1"));
        }
        return lag;
    }

    private static long lag(Admin admin, String group, String topic) throws Exception {
        var committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
        committed.keySet().stream().filter(tp -> tp.topic().equals(topic)).forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        var ends = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
        return latest.keySet().stream().mapToLong(tp -> ends.get(tp).offset() - committed.get(tp).offset()).sum();
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    private String broker(int nodeId) {
        return brokers == 1 ? KAFKA : KAFKA + "-" + nodeId;
    }

    String victim() {
        return victim;
    }

    void aimAt(String filter) {
        this.victim = filter;
    }

    /**
     * The filter instance (its service name) that is assigned this raw partition now, read from the
     * group's description as an operator's tools would; null while the group is rebalancing or no member has it.
     */
    String ownerOf(int rawPartition) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of("danmaku-filter")).all()
                    .get(10, TimeUnit.SECONDS).get("danmaku-filter");
            if (group.groupState() != GroupState.STABLE) {
                return null;
            }
            for (MemberDescription member : group.members()) {
                boolean owns = member.assignment().topicPartitions().stream()
                        .anyMatch(tp -> tp.topic().equals("danmaku.raw.v1") && tp.partition() == rawPartition);
                if (owns) {
                    // client ids are danmaku-filter-<instance id>; our instance ids are the service names
                    return member.clientId().substring("danmaku-filter-".length());
                }
            }
            return null;
        }
    }

    /**
     * What the broker says after a scenario, for finding the cause of a stall: per partition of the raw
     * and filtered topics the log end, the last stable offset (what read_committed readers may read up
     * to) and the filter group's committed offset; and every transaction still open.
     */
    Map<String, Object> kafkaState() throws Exception {
        Map<String, Object> state = new LinkedHashMap<>();
        Map<String, Object> admin = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin client = Admin.create(admin)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of("danmaku.raw.v1", "danmaku.filtered.v1")) {
                for (int p = 0; p < 6; p++) {
                    partitions.add(new TopicPartition(topic, p));
                }
            }
            Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
            partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            var ends = client.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
            var stable = client.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(10, TimeUnit.SECONDS);
            var committed = client.listConsumerGroupOffsets("danmaku-filter").partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS);
            Map<String, String> offsets = new LinkedHashMap<>();
            for (TopicPartition tp : partitions) {
                var group = committed.get(tp);
                offsets.put(tp.toString(), "end " + ends.get(tp).offset() + ", stable " + stable.get(tp).offset()
                        + (tp.topic().equals("danmaku.raw.v1") ? ", filter group at " + (group == null ? "-" : group.offset()) : ""));
            }
            state.put("offsets", offsets);
            // a partition whose last stable offset lags its end while no transaction is open hangs: name its producers
            Map<String, List<String>> producers = new LinkedHashMap<>();
            for (TopicPartition tp : partitions) {
                if (stable.get(tp).offset() < ends.get(tp).offset()) {
                    producers.put(tp.toString(), client.describeProducers(List.of(tp)).partitionResult(tp)
                            .get(10, TimeUnit.SECONDS).activeProducers().stream()
                            .filter(p -> p.currentTransactionStartOffset().isPresent())
                            .map(p -> "producer " + p.producerId() + " epoch " + p.producerEpoch() + " open since offset "
                                    + p.currentTransactionStartOffset().getAsLong() + ", last written at "
                                    + java.time.Instant.ofEpochMilli(p.lastTimestamp()))
                            .toList());
                }
            }
            state.put("producersWithOpenTransactions", producers);
            List<String> open = new ArrayList<>();
            for (TransactionListing listing : client.listTransactions().all().get(10, TimeUnit.SECONDS)) {
                if (listing.state() != TransactionState.COMPLETE_COMMIT && listing.state() != TransactionState.COMPLETE_ABORT
                        && listing.state() != TransactionState.EMPTY) {
                    TransactionDescription description = client.describeTransactions(List.of(listing.transactionalId()))
                            .description(listing.transactionalId()).get(10, TimeUnit.SECONDS);
                    open.add(listing.transactionalId() + " " + listing.state() + " epoch " + description.producerEpoch()
                            + " on " + description.topicPartitions());
                }
            }
            state.put("openTransactions", open);
        }
        return state;
    }

    String gatewayUrl(int index) {
        return "ws://127.0.0.1:" + gatewayPort(index) + "/ws";
    }

    String archiverUrl() {
        return "http://127.0.0.1:" + (kafkaPort + 30);
    }

    private int gatewayPort(int index) {
        return kafkaPort + 10 + index;
    }

    /** Stops what this platform started should the suite itself be stopped (Ctrl-C, SIGTERM). */
    private final Thread stopOnExit = new Thread(this::close, "stop-platform");

    /**
     * Starts the whole platform and waits until every service is ready; with {@code proxied}, each of the
     * first {@code filters} filters and each gateway reaches the (single) broker through a TCP proxy of its
     * own, to be cut or slowed down.
     */
    void start(int filters, int gateways, boolean proxied) throws IOException, InterruptedException {
        if (proxied && brokers != 1) {
            throw new IllegalArgumentException("proxied services need the single broker");
        }
        Runtime.getRuntime().addShutdownHook(stopOnExit);
        Files.createDirectories(work);
        proxiedFilters = proxied ? filters : 0;
        proxiedGateways = proxied ? gateways : 0;
        startBrokers();
        for (int i = 1; i <= proxiedFilters; i++) {
            proxies.put("filter-" + i, new TcpProxy("filter-" + i, proxyPort(i), proxiedListenerPort(i)));
        }
        for (int i = 1; i <= proxiedGateways; i++) {
            int listener = proxiedFilters + i;
            proxies.put("gateway-" + i, new TcpProxy("gateway-" + i, proxyPort(listener), proxiedListenerPort(listener)));
        }
        for (int i = 1; i <= filters; i++) {
            addFilter("filter-" + i);
        }
        add(ARCHIVER, List.of("archiver", "--port", Integer.toString(kafkaPort + 30)),
                Map.of("DANMAKU_ARCHIVE_JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/" + archiveDatabase,
                        "DANMAKU_ARCHIVE_JDBC_USER", "postgres"),
                archiverUrl() + "/readyz");
        for (int i = 0; i < gateways; i++) {
            Map<String, String> env = new HashMap<>();
            if (i < proxiedGateways) {
                env.put("DANMAKU_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + proxyPort(proxiedFilters + i + 1));
            }
            // each gateway asks the others whether they hear Kafka before handing its viewers over
            int self = i;
            env.put("DANMAKU_GATEWAY_PEERS", IntStream.range(0, gateways).filter(other -> other != self)
                    .mapToObj(other -> "http://127.0.0.1:" + gatewayPort(other)).collect(Collectors.joining(",")));
            add("gateway-" + (i + 1), List.of("gateway", "--port", Integer.toString(gatewayPort(i))), env,
                    "http://127.0.0.1:" + gatewayPort(i) + "/readyz");
        }
        for (String name : List.copyOf(services.keySet())) {
            if (!name.startsWith(KAFKA)) {
                startService(name);
            }
        }
    }

    /** One broker, or the nodes of a cluster side by side (each waits for a quorum of the others). */
    private void startBrokers() throws IOException, InterruptedException {
        if (brokers == 1) {
            add(KAFKA, List.of("kafka", "--kafka-port", Integer.toString(kafkaPort), "--data-dir", work.resolve("kafka").toString(),
                    "--proxied-listeners", Integer.toString(proxiedFilters + proxiedGateways)), Map.of(), null);
            startService(KAFKA);
            return;
        }
        List<Thread> starting = new ArrayList<>();
        List<Exception> failures = Collections.synchronizedList(new ArrayList<>());
        for (int node = 1; node <= brokers; node++) {
            String name = broker(node);
            add(name, List.of("kafka", "--brokers", Integer.toString(brokers), "--node", Integer.toString(node),
                    "--kafka-port", Integer.toString(kafkaPort), "--data-dir", work.resolve("kafka").toString()), Map.of(), null);
            Thread thread = new Thread(() -> {
                try {
                    startService(name);
                } catch (Exception e) {
                    failures.add(e);
                }
            }, "start-" + name);
            thread.start();
            starting.add(thread);
        }
        for (Thread thread : starting) {
            thread.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("the Kafka cluster did not start: " + failures);
        }
    }

    /** A filter instance under a new name, as a Deployment would start a replacement pod. */
    void addFilter(String name) {
        int index = (int) List.copyOf(services.keySet()).stream().filter(n -> n.startsWith("filter-")).count() + 1;
        int port = kafkaPort + 20 + index - 1;
        Map<String, String> env = index <= proxiedFilters
                ? Map.of("DANMAKU_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + proxyPort(index)) : Map.of();
        add(name, List.of("filter", "--port", Integer.toString(port), "--filter-instance-id", name), env,
                "http://127.0.0.1:" + port + "/readyz");
    }

    /** Where the broker's proxied listener i listens (`danmaku kafka --proxied-listeners`). */
    private int proxiedListenerPort(int listener) {
        return kafkaPort + 200 + listener;
    }

    /** Where the broker tells clients of its proxied listener i to connect: the proxy in between. */
    private int proxyPort(int listener) {
        return kafkaPort + 300 + listener;
    }

    /** Black-holes the network between a proxied service and the broker: nothing moves, nothing closes. */
    void cut(String service) {
        proxy(service).cut();
    }

    void heal(String service) {
        proxy(service).heal();
    }

    /** Slows the network between a proxied service and the broker down by this much each way (zero: back to normal). */
    void delay(String service, Duration oneWay) {
        proxy(service).delay(oneWay);
    }

    private TcpProxy proxy(String service) {
        TcpProxy proxy = proxies.get(service);
        if (proxy == null) {
            throw new IllegalArgumentException(service + " does not reach the broker through a proxy");
        }
        return proxy;
    }

    /** Each live filter's own counts after a run: partitions it owns, fenced and aborted. */
    Map<String, Map<String, Double>> filterCounts() {
        Map<String, Map<String, Double>> counts = new LinkedHashMap<>();
        for (String name : livePids().keySet()) {
            String url = name.startsWith("filter-") ? metricsUrl(name) : null;
            if (url == null) {
                continue;
            }
            try {
                String body = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                Map<String, Double> filter = new LinkedHashMap<>();
                body.lines().filter(line -> line.startsWith("danmaku_filter_partitions_owned")
                                || line.startsWith("danmaku_filter_writer_fenced_total")
                                || line.startsWith("danmaku_filter_departed_fenced_total")
                                || line.startsWith("danmaku_filter_transactions_aborted_total"))
                        .forEach(line -> filter.merge(line.substring(0, line.indexOf('{') < 0 ? line.indexOf(' ') : line.indexOf('{')),
                                Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum));
                counts.put(name, filter);
            } catch (IOException | RuntimeException e) {
                counts.put(name, Map.of());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return counts;
    }

    private void add(String name, List<String> args, Map<String, String> extraEnv, String readyUrl) {
        services.put(name, new Service(name, args, extraEnv, readyUrl, work.resolve(name + ".log"), new Process[1]));
    }

    /** Starts (or starts again, on its data) one service and waits until it is ready. */
    void startService(String name) throws IOException, InterruptedException {
        Service service = services.get(name);
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xms128m", "-Xmx768m", "-jar", jar.toString()));
        command.addAll(service.args());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(service.log().toFile()));
        builder.environment().putAll(env);
        builder.environment().putAll(service.env());
        long logStart = Files.exists(service.log()) ? Files.size(service.log()) : 0;
        service.process()[0] = builder.start();
        awaitReady(service, logStart);
    }

    /** Ready on its probe, or for the broker on the line it logs; only this start's part of the log counts. */
    private void awaitReady(Service service, long logStart) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!service.process()[0].isAlive()) {
                throw new IllegalStateException(service.name() + " exited at start; see " + service.log());
            }
            if (service.readyUrl() == null ? logSince(service.log(), logStart).contains("Kafka broker ready")
                    : ready(service.readyUrl())) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(service.name() + " was not ready within 90 s; see " + service.log());
    }

    private static String logSince(Path log, long offset) throws IOException {
        byte[] all = Files.readAllBytes(log);
        return new String(all, (int) Math.min(offset, all.length), (int) Math.max(0, all.length - offset),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    private boolean ready(String url) {
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2))
                    .build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** SIGKILL: no shutdown hook, nothing flushed, connections left for the other side to notice. */
    void kill(String name) throws InterruptedException {
        Process process = process(name);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGSTOP, as a paused VM or a long GC: the process holds its sockets and says nothing. */
    void pause(String name) throws IOException, InterruptedException {
        signal(name, "STOP");
    }

    void resume(String name) throws IOException, InterruptedException {
        signal(name, "CONT");
    }

    private void signal(String name, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process(name).pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + name + " failed");
        }
    }

    private Process process(String name) {
        Service service = services.get(name);
        if (service == null || service.process()[0] == null) {
            throw new IllegalArgumentException("no service " + name);
        }
        return service.process()[0];
    }

    Path work() {
        return work;
    }

    /**
     * Stops every process started here, the broker last: SIGCONT first (a paused process cannot stop),
     * then SIGTERM, then SIGKILL.
     */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException | IllegalArgumentException ignored) {
            // the JVM is already exiting (this is the hook), or the platform never started
        }
        proxies.values().forEach(TcpProxy::close);
        List<Service> newestFirst = new ArrayList<>(List.copyOf(services.values()));
        Collections.reverse(newestFirst);
        for (Service service : newestFirst) {
            Process process = service.process()[0];
            if (process == null || !process.isAlive()) {
                continue;
            }
            try {
                signal(service.name(), "CONT");
            } catch (IOException | IllegalStateException ignored) {
                // it is stopped below either way
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process.destroy();
            try {
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
