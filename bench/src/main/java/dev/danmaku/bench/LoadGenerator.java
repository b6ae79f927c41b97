package dev.danmaku.bench;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import dev.danmaku.common.auth.Identity;
import dev.danmaku.common.auth.Tokens;
import dev.danmaku.proto.v1.Batch;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.ServerFrame;

/**
 * Open-loop load generator for danmaku gateways, built to line up with the Socket.IO peer's
 * {@code loadgen.js}: same parameters (also read from the same environment variables), same plan,
 * same counted window, same JSON result fields. Ramps connections in batches, then every sender
 * sends at its fixed rate whatever happens downstream; every connection of a room receives.
 * Prints a table on stderr and one JSON line on stdout. Exit 0 when the measurement completed,
 * 2 when connections could not be established, 1 on other failures.
 */
@Command(name = "danmaku-bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Load generator for danmaku gateways; prints a table on stderr and one JSON line on stdout.",
                "Every option also reads the peer load generator's environment variable named in brackets."})
public final class LoadGenerator implements Callable<Integer> {

    @Option(names = "--profile", defaultValue = "${env:PROFILE:-custom}", description = "Label of the run [PROFILE]. Default: ${DEFAULT-VALUE}.")
    String profile;

    @Option(names = "--servers", split = ",", defaultValue = "${env:SERVERS:-ws://127.0.0.1:8080/ws}",
            description = "Gateway WebSocket URLs, comma-separated; connections go round-robin [SERVERS]. Default: ${DEFAULT-VALUE}.")
    List<URI> servers;

    @Option(names = "--rooms", defaultValue = "${env:ROOMS:-1}", description = "Rooms [ROOMS]. Default: ${DEFAULT-VALUE}.")
    int rooms;

    @Option(names = "--viewers-per-room", defaultValue = "${env:VIEWERS_PER_ROOM:-1000}", description = "Viewers per room [VIEWERS_PER_ROOM]. Default: ${DEFAULT-VALUE}.")
    int viewersPerRoom;

    @Option(names = "--senders-per-room", defaultValue = "${env:SENDERS_PER_ROOM:-10}",
            description = "Senders per room; 0 holds idle connections only [SENDERS_PER_ROOM]. Default: ${DEFAULT-VALUE}.")
    int sendersPerRoom;

    @Option(names = "--rate-per-sender", defaultValue = "${env:RATE_PER_SENDER:-20}", description = "Danmaku per second per sender [RATE_PER_SENDER]. Default: ${DEFAULT-VALUE}.")
    double ratePerSender;

    @Option(names = "--duration-s", defaultValue = "${env:DURATION_S:-25}", description = "Seconds of sending (idle: of holding) [DURATION_S]. Default: ${DEFAULT-VALUE}.")
    int durationSeconds;

    @Option(names = "--warmup-s", defaultValue = "${env:WARMUP_S:-5}", description = "Seconds of sending before the counted window [WARMUP_S]. Default: ${DEFAULT-VALUE}.")
    int warmupSeconds;

    @Option(names = "--tail-exclude-s", defaultValue = "${env:TAIL_EXCLUDE_S:-2}", description = "Last seconds of sending left out of the window [TAIL_EXCLUDE_S]. Default: ${DEFAULT-VALUE}.")
    int tailExcludeSeconds;

    @Option(names = "--drain-s", defaultValue = "${env:DRAIN_S:-3}", description = "Seconds after sending stops that deliveries still count [DRAIN_S]. Default: ${DEFAULT-VALUE}.")
    int drainSeconds;

    @Option(names = "--ramp-batch", defaultValue = "${env:RAMP_BATCH:-200}", description = "Connections opened and joined at once [RAMP_BATCH]. Default: ${DEFAULT-VALUE}.")
    int rampBatch;

    @Option(names = "--connect-timeout-ms", defaultValue = "${env:CONNECT_TIMEOUT_MS:-15000}", description = "Time a batch may take to join [CONNECT_TIMEOUT_MS]. Default: ${DEFAULT-VALUE}.")
    long connectTimeoutMillis;

    @Option(names = "--tick-ms", defaultValue = "${env:TICK_MS:-5}", description = "Sender clock tick [TICK_MS]. Default: ${DEFAULT-VALUE}.")
    long tickMillis;

    @Option(names = "--text", defaultValue = "${env:TEXT:-主播好强 666 danmaku}", description = "Danmaku text after the id and send time [TEXT]. Default: ${DEFAULT-VALUE}.")
    String text;

    @Option(names = "--monitor-pids", split = ",", defaultValue = "${env:MONITOR_PIDS:-}",
            description = "label:pid of processes whose CPU and peak RSS to report [MONITOR_PIDS].")
    List<String> monitorPids;

    @Option(names = "--subprotocol", defaultValue = "${env:SUBPROTOCOL:-PROTO}", description = "PROTO (binary) or JSON (text) [SUBPROTOCOL]. Default: ${DEFAULT-VALUE}.")
    ViewerConnections.Subprotocol subprotocol;

    @Option(names = "--source-addresses", split = ",", defaultValue = "${env:SOURCE_ADDRESSES:-}",
            description = "Local 127.0.0.x addresses to connect from, round-robin (≈28 k ports each) [SOURCE_ADDRESSES].")
    List<String> sourceAddresses;

    @Option(names = "--shard", defaultValue = "${env:SHARD:-0/1}",
            description = "i/n: open only connections whose number is i modulo n, to spread one plan over processes [SHARD]. Default: ${DEFAULT-VALUE}.")
    String shard;
    private int shardIndex;
    private int shardCount;

    @Option(names = "--jwt-secret", defaultValue = "${env:DANMAKU_JWT_SECRET:-}",
            description = "Secret the gateways verify tokens with (required); each sender gets its own user [DANMAKU_JWT_SECRET].")
    String jwtSecret;

    @Option(names = "--io-threads", defaultValue = "${env:IO_THREADS:-2}", description = "I/O threads [IO_THREADS]. Default: ${DEFAULT-VALUE}.")
    int ioThreads;

    private final ObjectMapper json = new ObjectMapper();
    private ObjectNode result;
    /** Written by the sending thread only, read after it ends. */
    private long senderMaxLateMicros;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadGenerator()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }

    /** Runs with these arguments in this JVM and returns the result line (tests, the CI smoke). */
    public static ObjectNode run(String... args) {
        LoadGenerator generator = new LoadGenerator();
        int exit = new CommandLine(generator).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
        if (generator.result == null) {
            throw new IllegalStateException("the load generator ended with exit code " + exit + " and no result");
        }
        return generator.result;
    }

    @Override
    public Integer call() throws Exception {
        try {
            validate();
        } catch (IllegalArgumentException e) {
            System.err.println("danmaku-bench: " + e.getMessage());
            return 64;
        }
        Plan plan = new Plan(rooms, viewersPerRoom, sendersPerRoom, servers.size());
        List<Plan.Connection> mine = plan.connectionList().stream().filter(c -> c.global() % shardCount == shardIndex).toList();
        Accounting accounting = new Accounting(plan);
        Tokens tokens = new Tokens(jwtSecret);
        long started = System.nanoTime();
        System.err.printf("[bench] %s: %d connections (%d rooms x (%d viewers + %d senders)) over %d gateways; this process %d (shard %s); ramp batch %d%n",
                profile, plan.connections(), rooms, viewersPerRoom, sendersPerRoom, servers.size(), mine.size(), shard, rampBatch);

        try (ViewerConnections connections = new ViewerConnections(ioThreads, subprotocol, accounting)) {
            List<ViewerConnections.Connection> open = new ArrayList<>(mine.size());
            String failure = ramp(connections, mine, tokens, open);
            double rampSeconds = (System.nanoTime() - started) / 1e9;
            if (failure != null) {
                System.err.println("FATAL: could not establish connections: " + failure);
                ObjectNode out = json.createObjectNode().put("peer", "danmaku").put("profile", profile).put("ok", false)
                        .put("error", "could not establish connections: " + failure);
                result = out;
                System.out.println(json.writeValueAsString(out));
                return 2;
            }
            System.err.printf("[bench] %d/%d connections joined in %.1f s%n", open.size(), mine.size(), rampSeconds);
            ArrayNode perServer = perServerSessions();
            ObjectNode out = sendersPerRoom == 0
                    ? hold(plan, connections, open, rampSeconds, perServer)
                    : measure(plan, accounting, connections, open, rampSeconds, perServer);
            connections.stopping();
            open.forEach(ViewerConnections.Connection::close);
            System.err.println(Table.of(out));
            result = out;
            System.out.println(json.writeValueAsString(out));
            return 0;
        }
    }

    private void validate() {
        sourceAddresses = sourceAddresses.stream().filter(a -> !a.isBlank()).toList();
        monitorPids = monitorPids.stream().filter(a -> !a.isBlank()).toList();
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("--servers is empty");
        }
        if (jwtSecret.isBlank()) {
            throw new IllegalArgumentException("--jwt-secret (or DANMAKU_JWT_SECRET) is not set: give the gateways' token secret");
        }
        for (URI server : servers) {
            if (!"ws".equals(server.getScheme()) || server.getHost() == null || !server.getHost().matches("127\\.\\d+\\.\\d+\\.\\d+|localhost")) {
                throw new IllegalArgumentException("--servers takes ws:// URLs on the loopback interface, got " + server);
            }
        }
        if (rooms < 1 || viewersPerRoom < 0 || sendersPerRoom < 0 || ratePerSender <= 0 || rampBatch < 1) {
            throw new IllegalArgumentException("need --rooms >= 1, --viewers-per-room >= 0, --senders-per-room >= 0, --rate-per-sender > 0, --ramp-batch >= 1");
        }
        if (sendersPerRoom > 0 && durationSeconds - warmupSeconds - tailExcludeSeconds < 1) {
            throw new IllegalArgumentException("--duration-s must exceed --warmup-s + --tail-exclude-s by at least 1 s");
        }
        if (durationSeconds > 600) {
            throw new IllegalArgumentException("--duration-s is capped at 600");
        }
        if (!shard.matches("\\d{1,6}/[1-9]\\d{0,5}")) {
            throw new IllegalArgumentException("--shard takes i/n with 0 <= i < n, got " + shard);
        }
        shardIndex = Integer.parseInt(shard.substring(0, shard.indexOf('/')));
        shardCount = Integer.parseInt(shard.substring(shard.indexOf('/') + 1));
        if (shardIndex >= shardCount) {
            throw new IllegalArgumentException("--shard takes i/n with 0 <= i < n, got " + shard);
        }
        for (String address : sourceAddresses) {
            if (!address.matches("127\\.\\d+\\.\\d+\\.\\d+")) {
                throw new IllegalArgumentException("--source-addresses takes 127.x.y.z addresses, got " + address);
            }
        }
    }

    /** Opens and joins in batches, each awaited; returns null or what went wrong. */
    private String ramp(ViewerConnections connections, List<Plan.Connection> mine, Tokens tokens,
                        List<ViewerConnections.Connection> open) throws InterruptedException {
        int reported = 0;
        for (int from = 0; from < mine.size(); from += rampBatch) {
            List<ViewerConnections.Connection> batch = new ArrayList<>();
            for (Plan.Connection c : mine.subList(from, Math.min(mine.size(), from + rampBatch))) {
                String token = c.sender()
                        ? tokens.issue(c.user(), c.user(), Set.of(Identity.VIEWER), Duration.ofHours(2)) : "";
                InetSocketAddress bind = sourceAddresses.isEmpty() ? null
                        : new InetSocketAddress(sourceAddresses.get(c.global() % sourceAddresses.size()), 0);
                batch.add(connections.open(c, servers.get(c.server()), bind, token));
            }
            try {
                CompletableFuture.allOf(batch.stream().map(c -> c.joined).toArray(CompletableFuture[]::new))
                        .get(connectTimeoutMillis, TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                long failed = batch.stream().filter(c -> !c.joined.isDone() || c.joined.isCompletedExceptionally()).count();
                String first = batch.stream().filter(c -> c.joined.isCompletedExceptionally()).findFirst()
                        .map(c -> c.joined.handle((ok, error) -> String.valueOf(error)).join())
                        .orElse("no join within " + connectTimeoutMillis + " ms");
                String hint = first.contains("Too many open files") ? " -- out of file descriptors (ulimit -n)"
                        : first.contains("Connection refused") ? " -- is the gateway running on that port?"
                        : first.contains("Cannot assign requested address") ? " -- out of ephemeral ports: add --source-addresses" : "";
                batch.forEach(ViewerConnections.Connection::close);
                open.forEach(ViewerConnections.Connection::close);
                return failed + " of " + batch.size() + " connections failed in the batch starting at #" + from
                        + " (" + open.size() + " up so far): first error: " + first + hint;
            }
            open.addAll(batch);
            if (open.size() - reported >= 5000) {
                reported = open.size();
                System.err.printf("[bench] ramp: %d/%d joined%n", open.size(), mine.size());
            }
        }
        return null;
    }

    /** Senders 0: idle connections only, held for the duration (P4 capacity). */
    private ObjectNode hold(Plan plan, ViewerConnections connections, List<ViewerConnections.Connection> open,
                            double rampSeconds, ArrayNode perServer)
            throws InterruptedException {
        System.err.printf("[bench] holding %d idle connections for %d s%n", open.size(), durationSeconds);
        Thread.sleep(TimeUnit.SECONDS.toMillis(durationSeconds));
        ObjectNode out = header(plan);
        connectionsNode(out, plan, open.size(), rampSeconds, perServer, connections);
        return out;
    }

    private ObjectNode measure(Plan plan, Accounting accounting, ViewerConnections connections,
                               List<ViewerConnections.Connection> open, double rampSeconds, ArrayNode perServer)
            throws InterruptedException {
        long start = ViewerConnections.nowMicros() + 1_000_000;
        long countFrom = start + warmupSeconds * 1_000_000L;
        long countUntil = start + (durationSeconds - tailExcludeSeconds) * 1_000_000L;
        long sendEnd = start + durationSeconds * 1_000_000L;
        long drainEnd = sendEnd + drainSeconds * 1_000_000L;
        accounting.window(countFrom, countUntil, drainEnd);
        System.err.printf("[bench] sending for %d s (warmup %d s, counted window %d s), drain %d s%n",
                durationSeconds, warmupSeconds, durationSeconds - warmupSeconds - tailExcludeSeconds, drainSeconds);

        List<ViewerConnections.Connection> senders = open.stream().filter(c -> c.plan.sender()).toList();
        Thread sending = new Thread(() -> send(plan, accounting, senders, start, sendEnd), "senders");
        sending.setPriority(Thread.MAX_PRIORITY);
        sending.start();

        List<Monitored> monitored = monitored();
        sleepUntil(countFrom);
        ProcessCpu.Sample from = ProcessCpu.sample();
        sleepUntil(countUntil);
        ProcessCpu.Sample to = ProcessCpu.sample();
        Map<String, Long> peakRss = new LinkedHashMap<>();
        monitored.forEach(m -> peakRss.put(m.label(), ProcessCpu.peakRssKb(m.pid())));
        sleepUntil(drainEnd);
        sending.join();

        double windowSeconds = durationSeconds - warmupSeconds - tailExcludeSeconds;
        long expected = accounting.sentCounted.sum() * plan.perRoom();
        long received = accounting.receivedCounted.sum();
        long loss = expected - received;
        ObjectNode out = header(plan);
        connectionsNode(out, plan, open.size(), rampSeconds, perServer, connections);
        out.put("window_s", windowSeconds);
        out.putObject("input")
                .put("target_msgs_per_s", plan.senders() * ratePerSender)
                .put("achieved_msgs_per_s", round1(accounting.sentCounted.sum() / windowSeconds))
                .put("sent_total", accounting.sent.sum())
                .put("sent_counted", accounting.sentCounted.sum())
                .put("sender_max_late_ms", round1(senderMaxLateMicros / 1000.0));
        out.putObject("deliveries")
                .put("receivers_per_room", plan.perRoom())
                .put("expected_per_s", round1(expected / windowSeconds))
                .put("achieved_per_s", round1(received / windowSeconds))
                .put("received_in_window_per_s", round1(accounting.receivedInWindow.sum() / windowSeconds))
                .put("expected", expected)
                .put("received", received)
                .put("loss", loss)
                .put("loss_pct", expected == 0 ? 0 : Math.round(1e6 * loss / expected) / 1e4)
                .put("received_total_incl_uncounted", accounting.receivedAll.sum())
                .put("out_of_order_or_dup", accounting.outOfOrderOrDuplicate.sum())
                .put("wrong_room", accounting.wrongRoom.sum())
                .put("received_after_drain", accounting.afterDrain.sum());
        out.set("refused", counts(connections.refusals));
        out.set("errors", counts(connections.errors));
        Histogram all = accounting.latency.getIntervalHistogram();
        out.set("latency_ms", latency(all));
        out.set("latency_same_server_ms", latency(accounting.latencySameServer.getIntervalHistogram()));
        out.set("latency_cross_server_ms", latency(accounting.latencyCrossServer.getIntervalHistogram()));
        out.set("ack_latency_ms", latency(accounting.ackLatency.getIntervalHistogram()));
        cpu(out, from, to, monitored, peakRss);
        out.put("pass_p99_lt_250ms_and_no_loss", all.getTotalCount() > 0
                && all.getValueAtPercentile(99) < 250_000 && loss == 0 && open.size() == plan.connections());
        return out;
    }

    /**
     * Open loop: sender s sends its n-th danmaku at start + (n - phase) / rate, as in the peer.
     * A send goes out late when this thread was not scheduled in time; the latest is reported,
     * because sends late across a window edge move in or out of the counted window.
     */
    private void send(Plan plan, Accounting accounting, List<ViewerConnections.Connection> senders, long start, long sendEnd) {
        long[] sequence = new long[senders.size()];
        double[] phase = new double[senders.size()];
        for (int i = 0; i < senders.size(); i++) {
            phase[i] = (senders.get(i).plan.senderIndex() + 0.5) / plan.senders();
        }
        sleepUntil(start);
        while (true) {
            long now = ViewerConnections.nowMicros();
            if (now >= sendEnd) {
                return;
            }
            double elapsed = (now - start) / 1e6;
            for (int i = 0; i < senders.size(); i++) {
                long due = (long) Math.floor(elapsed * ratePerSender + phase[i]);
                while (sequence[i] < due) {
                    long sentAt = ViewerConnections.nowMicros();
                    if (sentAt >= sendEnd) {
                        break;
                    }
                    ViewerConnections.Connection sender = senders.get(i);
                    sender.send(sender.plan.senderIndex() * Plan.ID_MULTIPLIER + sequence[i], sentAt, text);
                    long dueAt = start + (long) Math.ceil((sequence[i] + 1 - phase[i]) / ratePerSender * 1e6);
                    senderMaxLateMicros = Math.max(senderMaxLateMicros, sentAt - dueAt);
                    accounting.recordSent(sentAt);
                    sequence[i]++;
                }
            }
            try {
                Thread.sleep(tickMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private ObjectNode header(Plan plan) {
        ObjectNode out = json.createObjectNode().put("peer", "danmaku").put("profile", profile).put("ok", true)
                .put("date", Instant.now().toString());
        out.putObject("host").put("cores", Runtime.getRuntime().availableProcessors())
                .put("java", Runtime.version().toString())
                .put("platform", System.getProperty("os.name") + " " + System.getProperty("os.version"))
                .put("cpu", cpuModel());
        ObjectNode params = out.putObject("params");
        ArrayNode urls = params.putArray("servers");
        servers.forEach(s -> urls.add(s.toString()));
        params.put("rooms", rooms).put("viewers_per_room", viewersPerRoom).put("senders_per_room", sendersPerRoom)
                .put("rate_per_sender", ratePerSender).put("duration_s", durationSeconds).put("warmup_s", warmupSeconds)
                .put("tail_exclude_s", tailExcludeSeconds).put("drain_s", drainSeconds).put("ramp_batch", rampBatch)
                .put("viewer_procs", 1).put("viewer_client", "java-undertow-" + subprotocol.name().toLowerCase())
                .put("shard", shard)
                .put("approx_broadcast_frame_bytes", sampleFrameBytes());
        return out;
    }

    private void connectionsNode(ObjectNode out, Plan plan, int established, double rampSeconds, ArrayNode perServer,
                                 ViewerConnections connections) {
        ObjectNode node = out.putObject("connections").put("planned", plan.connections()).put("established", established)
                .put("ramp_s", round1(rampSeconds)).put("disconnects_during_run", connections.disconnects.sum());
        node.set("disconnect_reasons", counts(connections.disconnectReasons));
        node.set("per_server", perServer);
    }

    /** Sessions each gateway reports in its metrics, to check the plan landed. */
    private ArrayNode perServerSessions() {
        ArrayNode list = json.createArrayNode();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        for (URI server : servers) {
            ObjectNode row = list.addObject().put("port", server.getPort());
            try {
                URI metricsUri = URI.create("http://" + server.getHost() + ":" + server.getPort() + "/metrics");
                String metrics = http.send(HttpRequest.newBuilder(metricsUri).timeout(Duration.ofSeconds(3)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                metrics.lines().filter(l -> l.startsWith("danmaku_gateway_sessions")).findFirst()
                        .ifPresent(l -> row.put("connections", (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))));
            } catch (Exception e) {
                row.put("error", String.valueOf(e.getMessage()));
            }
        }
        return list;
    }

    private record Monitored(String label, long pid, boolean loadgen) {
    }

    private List<Monitored> monitored() {
        List<Monitored> list = new ArrayList<>();
        for (String entry : monitorPids) {
            int colon = entry.lastIndexOf(':');
            if (colon > 0) {
                list.add(new Monitored(entry.substring(0, colon), Long.parseLong(entry.substring(colon + 1).trim()), false));
            }
        }
        list.add(new Monitored("loadgen", ProcessHandle.current().pid(), true));
        return list;
    }

    private void cpu(ObjectNode out, ProcessCpu.Sample from, ProcessCpu.Sample to, List<Monitored> monitored,
                     Map<String, Long> peakRss) {
        double seconds = ProcessCpu.seconds(from, to);
        int cores = Runtime.getRuntime().availableProcessors();
        long total = to.machine().total() - from.machine().total();
        long steal = to.machine().steal() - from.machine().steal();
        long idle = to.machine().idle() - from.machine().idle();
        java.util.function.LongFunction<Double> ofMachine = ticks -> total == 0 ? 0 : round1(100.0 * ticks * cores / total);
        ObjectNode cpu = out.putObject("cpu_window_pct_of_one_core")
                .put("note", String.format("sampled from /proc over the counted window (%.1f s); machine capacity = %d%%", seconds, cores * 100))
                .put("machine_busy", ofMachine.apply(total - idle - steal));
        double attributed = 0;
        double loadgen = 0;
        Set<Long> tracked = new java.util.HashSet<>();
        for (Monitored m : monitored) {
            double pct = ProcessCpu.percent(from, to, m.pid());
            cpu.put(m.label(), pct);
            attributed += Math.max(0, pct);
            loadgen += m.loadgen() ? Math.max(0, pct) : 0;
            tracked.add(m.pid());
        }
        cpu.put("loadgen_total", round1(loadgen));
        cpu.put("kernel_irq_softirq_overlaps_processes", ofMachine.apply(to.machine().irq() - from.machine().irq()));
        List<Map.Entry<String, Double>> others = new ArrayList<>();
        double otherTotal = 0;
        for (var entry : to.ticksByPid().entrySet()) {
            if (tracked.contains(entry.getKey())) {
                continue;
            }
            Long before = from.ticksByPid().get(entry.getKey());
            long ticks = before == null ? entry.getValue() : entry.getValue() - before;
            if (ticks > 0) {
                double pct = round1(100.0 * ticks / ProcessCpu.TICKS_PER_SECOND / seconds);
                otherTotal += pct;
                others.add(Map.entry(to.names().get(entry.getKey()) + "(" + entry.getKey() + ")", pct));
            }
        }
        others.sort(Map.Entry.<String, Double>comparingByValue().reversed());
        cpu.put("other_processes", round1(otherTotal));
        ArrayNode top = cpu.putArray("other_top");
        others.stream().limit(3).forEach(e -> top.add(e.getKey() + " " + e.getValue()));
        cpu.put("steal", ofMachine.apply(steal));
        cpu.put("remainder", round1(cpu.get("machine_busy").asDouble() - attributed - otherTotal));
        ArrayNode processes = out.putArray("loadgen_processes");
        processes.addObject().put("label", "loadgen").put("cpu_pct_window", cpu.get("loadgen").asDouble())
                .put("peak_rss_mb", round1(ProcessCpu.peakRssKb(ProcessHandle.current().pid()) / 1024.0));
        ObjectNode rss = out.putObject("monitored_peak_rss_mb_at_window_end");
        peakRss.forEach((label, kb) -> rss.put(label, kb < 0 ? null : round1(kb / 1024.0)));
        ObjectNode servers = out.putObject("server_processes");
        for (Monitored m : monitored) {
            Long ticks = to.ticksByPid().get(m.pid());
            servers.putObject(m.label()).put("pid", m.pid())
                    .put("cpu_s_total", ticks == null ? -1 : round1((double) ticks / ProcessCpu.TICKS_PER_SECOND))
                    .put("peak_rss_mb", round1(ProcessCpu.peakRssKb(m.pid()) / 1024.0));
        }
        out.put("loadgen_saturated_hint", loadgen >= 90 * Math.min(cores, ioThreads + 1));
    }

    private ObjectNode latency(Histogram h) {
        ObjectNode node = json.createObjectNode().put("count", h.getTotalCount());
        if (h.getTotalCount() == 0) {
            for (String key : List.of("p50", "p90", "p99", "p999", "max", "mean")) {
                node.putNull(key);
            }
            return node;
        }
        return node.put("p50", millis(h.getValueAtPercentile(50))).put("p90", millis(h.getValueAtPercentile(90)))
                .put("p99", millis(h.getValueAtPercentile(99))).put("p999", millis(h.getValueAtPercentile(99.9)))
                .put("max", millis(h.getMaxValue())).put("mean", Math.round(h.getMean()) / 1000.0);
    }

    private ObjectNode counts(Map<String, LongAdder> counts) {
        ObjectNode node = json.createObjectNode();
        counts.forEach((key, count) -> node.put(key, count.sum()));
        return node;
    }

    private int sampleFrameBytes() {
        long id = 123456789012L;
        return ServerFrame.newBuilder().setBatch(Batch.newBuilder().addDanmaku(Danmaku.newBuilder()
                .setMsgId("01JD0000000000000000000000").setRoomId("r123").setUserId("s1234").setUserName("s1234")
                .setText(Accounting.text(id, ViewerConnections.nowMicros(), text)).setSentAtMs(System.currentTimeMillis())))
                .build().getSerializedSize();
    }

    private static String cpuModel() {
        try {
            return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name")).findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .orElse("unknown");
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static void sleepUntil(long epochMicros) {
        long wait = epochMicros - ViewerConnections.nowMicros();
        if (wait > 0) {
            try {
                TimeUnit.MICROSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static double millis(long micros) {
        return micros / 1000.0;
    }

    private static double round1(double value) {
        return ProcessCpu.round1(value);
    }
}
