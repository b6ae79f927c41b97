package dev.danmaku.bench.faults;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import dev.danmaku.common.auth.Identity;
import dev.danmaku.common.auth.Tokens;
import dev.danmaku.common.kafka.Topics;

/**
 * The fault suite: for each scenario, starts the platform as separate processes, sends danmaku into
 * one room at a steady rate while viewers on every gateway watch, applies the scenario's faults on
 * schedule, then checks the recorded history (every send answered, nothing lost, nothing shown twice,
 * each sender's order kept, the archive exactly once) and measures the longest live stall.
 */
@Command(name = "danmaku-faults", mixinStandardHelpOptions = true,
        description = "Runs fault scenarios against the platform as separate processes and reports failover figures.")
public final class FaultSuite implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String BUSY_ROOM = "faults";
    private static final int QUIET_SENDERS = 2;
    private static final int PARTITIONS = 6;

    @Option(names = "--scenario", split = ",", description = "Scenarios to run (default: all): ${COMPLETION-CANDIDATES}",
            completionCandidates = ScenarioNames.class)
    List<String> scenarios = new ArrayList<>();

    @Option(names = "--jar", description = "The danmaku launcher jar (default: ${DEFAULT-VALUE})")
    Path jar = Path.of("launcher/target/danmaku.jar");

    @Option(names = "--senders", description = "Senders in the room (default: ${DEFAULT-VALUE})")
    int senders = 10;

    @Option(names = "--rate", description = "Danmaku per second from all senders together (default: ${DEFAULT-VALUE})")
    int rate = 100;

    @Option(names = "--seconds", description = "How long the senders send (default: ${DEFAULT-VALUE})")
    int seconds = 45;

    @Option(names = "--warmup", description = "Seconds of sending before the faults' clock starts and stalls count (default: ${DEFAULT-VALUE})")
    int warmup = 10;

    @Option(names = "--drain", description = "Seconds to wait for answers and deliveries after the last send (default: ${DEFAULT-VALUE})")
    int drain = 15;

    @Option(names = "--base-port", description = "First of the ports the platform listens on, 127.0.0.1 only (default: ${DEFAULT-VALUE})")
    int basePort = 19300;

    @Option(names = "--results", description = "Where each run's findings (JSON) and process logs go (default: ${DEFAULT-VALUE})")
    Path results = Path.of("bench/results/faults");

    @Option(names = "--report", description = "The page whose fault-suite section is rewritten with the figures (default: ${DEFAULT-VALUE})")
    Path report = Path.of("docs/reliability.md");

    @Option(names = "--soak", description = "Instead of the scenarios: a soak of this many minutes under the same load,"
            + " a fault every --fault-every seconds, each process's live heap, threads and open files sampled (default: 0, no soak)")
    int soakMinutes;

    @Option(names = "--fault-every", description = "Seconds between the soak's faults, which take turns: filter kill and"
            + " replacement, gateway kill and restart, filter pause, archiver kill and restart (default: ${DEFAULT-VALUE})")
    int faultEvery = 300;

    public static void main(String[] args) {
        System.exit(new CommandLine(new FaultSuite()).execute(args));
    }

    /** Scenario names for --help. */
    static final class ScenarioNames extends ArrayList<String> {
        ScenarioNames() {
            super(Scenario.all().stream().map(Scenario::name).toList());
        }
    }

    @Override
    public Integer call() throws Exception {
        if (soakMinutes > 0) {
            return soak();
        }
        List<Scenario> chosen = Scenario.all().stream()
                .filter(s -> scenarios.isEmpty() || scenarios.contains(s.name())).toList();
        List<String> unknown = scenarios.stream().filter(n -> Scenario.all().stream().noneMatch(s -> s.name().equals(n))).toList();
        if (!unknown.isEmpty()) {
            System.err.println("danmaku-faults: unknown scenario " + unknown + "; known: " + new ScenarioNames());
            return 2;
        }
        if (!Files.isRegularFile(jar)) {
            System.err.println("danmaku-faults: " + jar + " is missing; build it with ./mvnw -DskipTests package");
            return 2;
        }
        Files.createDirectories(results);
        List<Result> all = new ArrayList<>();
        for (Scenario scenario : chosen) {
            System.out.printf("faults: %s — %s%n", scenario.name(), scenario.description());
            Result result = run(scenario);
            all.add(result);
            Files.writeString(results.resolve(LocalDate.now() + "-" + scenario.name() + ".json"), JSON.writeValueAsString(result));
            for (Findings findings : List.of(result.busy(), result.quiet())) {
                System.out.printf("faults: %s: longest stall %d ms (%s), answered %d/%d within 5 s, %d late, %d never,"
                                + " lost %d, duplicates %d, out of order %d, archive missing %d / duplicated %d%n",
                        findings.scenario(), findings.longestStallMs(), findings.longestStallAt(), findings.answeredWithin5s(),
                        findings.sends(), findings.answeredLate(), findings.unanswered(), findings.lost(),
                        findings.duplicates(), findings.outOfOrder(), findings.archiveMissing(), findings.archiveDuplicates());
            }
        }
        ReliabilityReport.write(report, all, senders, rate, seconds);
        System.out.println("faults: figures written to " + report);
        return all.stream().allMatch(r -> r.busy().exact() && r.quiet().exact()) ? 0 : 1;
    }

    /** The busy room's figures, and those of a quiet room whose partition another filter owns. */
    record Result(Findings busy, Findings quiet, Map<String, Object> kafka) {
    }

    /** A platform of our processes with a busy room and a quiet one whose partition another filter owns. */
    private record Stage(Platform platform, Tokens tokens, String quietRoom, List<String> gateways, LiveRoom busy,
            LiveRoom quiet, History busyHistory, History quietHistory) implements AutoCloseable {
        @Override
        public void close() {
            busy.close();
            quiet.close();
            platform.close();
        }
    }

    /** @param quietOnFirstGateway every viewer and sender of the quiet room on the first gateway */
    private Stage stage(String name, int brokers, boolean proxied, boolean quietOnFirstGateway) throws Exception {
        String secret = HexFormat.of().formatHex(new SecureRandom().generateSeed(32));
        Tokens tokens = new Tokens(secret);
        String database = "danmaku_faults";
        psql("DROP DATABASE IF EXISTS " + database);
        psql("CREATE DATABASE " + database);
        Path work = results.resolve("logs").resolve(name);
        deleteRecursively(work);
        History busyHistory = new History();
        History quietHistory = new History();
        Platform platform = new Platform(jar.toAbsolutePath(), work, basePort, brokers, secret, database);
        try {
            platform.start(2, 2, proxied);
            platform.aimAtPartition(partitionOf(BUSY_ROOM));
            String victim = awaitOwner(platform, partitionOf(BUSY_ROOM));
            platform.aimAt(victim);
            String quietRoom = roomOwnedByAnother(platform, victim);
            List<String> gateways = List.of(platform.gatewayUrl(0), platform.gatewayUrl(1));
            LiveRoom busy = new LiveRoom(BUSY_ROOM, gateways, busyHistory, tokens);
            LiveRoom quiet = new LiveRoom(quietRoom, gateways, quietHistory, tokens);
            Stage stage = new Stage(platform, tokens, quietRoom, gateways, busy, quiet, busyHistory, quietHistory);
            for (int v = 0; v < gateways.size(); v++) {
                busy.addViewer(v, v);
                quiet.addViewer(v, quietOnFirstGateway ? 0 : v);
            }
            for (int s = 0; s < senders; s++) {
                busy.addSender(s, s % gateways.size());
            }
            for (int s = 0; s < QUIET_SENDERS; s++) {
                quiet.addSender(s, quietOnFirstGateway ? 0 : s % gateways.size());
            }
            long joinDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!(busy.allJoined() && quiet.allJoined()) && System.nanoTime() < joinDeadline) {
                Thread.sleep(100);
            }
            if (!(busy.allJoined() && quiet.allJoined())) {
                stage.close();
                throw new IllegalStateException("senders and viewers did not all join within 30 s");
            }
            busyHistory.mark("busy room on " + victim + ", quiet room " + quietRoom + " on another filter");
            return stage;
        } catch (Exception e) {
            platform.close();
            throw e;
        }
    }

    private Result run(Scenario scenario) throws Exception {
        try (Stage stage = stage(scenario.name(), scenario.brokers(), scenario.proxied(), scenario.quietOnFirstGateway())) {
            Thread faults = new Thread(() -> applyFaults(scenario, stage.platform(),
                    List.of(stage.busyHistory(), stage.quietHistory())), "faults");
            return measure(stage, scenario.name(), seconds, new Faults() {
                @Override
                public void start() {
                    faults.start();
                }

                @Override
                public void finish() throws InterruptedException {
                    faults.join(TimeUnit.SECONDS.toMillis(120));
                }
            });
        }
    }

    /**
     * The soak: the scenarios' load for {@link #soakMinutes}, a fault every {@link #faultEvery} seconds
     * in turn from {@link Scenario#soakFaults()}, every process sampled each 30 s; the same checks at the end.
     */
    private int soak() throws Exception {
        if (!Files.isRegularFile(jar)) {
            System.err.println("danmaku-faults: " + jar + " is missing; build it with ./mvnw -DskipTests package");
            return 2;
        }
        Files.createDirectories(results);
        List<ProcessSample> samples = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Map<String, Object>> lags = java.util.Collections.synchronizedList(new ArrayList<>());
        System.out.printf("faults: soak of %d min, a fault every %d s%n", soakMinutes, faultEvery);
        Result result;
        try (Stage stage = stage("soak", 1, false, false)) {
            Platform platform = stage.platform();
            List<History> histories = List.of(stage.busyHistory(), stage.quietHistory());
            ScheduledExecutorService background = Executors.newScheduledThreadPool(2);
            long startedNanos = System.nanoTime();
            List<Scenario> turns = Scenario.soakFaults();
            int[] next = {0};
            result = measure(stage, "soak", soakMinutes * 60, new Faults() {
                @Override
                public void start() {
                    background.scheduleAtFixedRate(() -> sample(platform, samples, lags, startedNanos), 0, 30, TimeUnit.SECONDS);
                    background.scheduleWithFixedDelay(() -> {
                        Scenario turn = turns.get(next[0]++ % turns.size());
                        histories.forEach(h -> h.mark(turn.description()));
                        applyFaults(turn, platform, histories);
                    }, faultEvery, faultEvery, TimeUnit.SECONDS);
                }

                @Override
                public void finish() {
                    background.shutdownNow();
                }
            });
            sample(platform, samples, lags, startedNanos);
        }
        Files.writeString(results.resolve(LocalDate.now() + "-soak.json"), JSON.writeValueAsString(Map.of(
                "minutes", soakMinutes, "faultEverySeconds", faultEvery, "busy", result.busy(), "quiet", result.quiet(),
                "samples", samples, "consumerLag", lags, "kafka", result.kafka())));
        ReliabilityReport.writeSoak(report, result, List.copyOf(samples), List.copyOf(lags), soakMinutes, faultEvery);
        System.out.printf("faults: soak: longest stall %d ms, lost %d, duplicates %d, out of order %d, never answered %d;"
                        + " figures written to %s%n", result.busy().longestStallMs(), result.busy().lost(),
                result.busy().duplicates(), result.busy().outOfOrder(), result.busy().unanswered(), report);
        return result.busy().exact() && result.quiet().exact() ? 0 : 1;
    }

    private static void sample(Platform platform, List<ProcessSample> samples, List<Map<String, Object>> lags,
            long startedNanos) {
        long at = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedNanos);
        platform.livePids().forEach((service, pid) -> {
            ProcessSample sample = ProcessSample.of(at, service, pid);
            if (sample != null) {
                samples.add(sample);
            }
        });
        try {
            Map<String, Object> lag = new java.util.LinkedHashMap<>(platform.consumerLag());
            lag.put("atSeconds", at);
            lags.add(lag);
        } catch (Exception e) {
            lags.add(Map.of("atSeconds", at, "error", String.valueOf(e.getMessage())));
        }
    }

    /** What a run does to the platform while its senders send. */
    private interface Faults {
        void start() throws Exception;

        /** The senders are done: wait for (or stop) what is still being done to the platform. */
        void finish() throws Exception;
    }

    /**
     * Sends for the warm-up, then for {@code forSeconds} with the faults started; waits for the last
     * answers and deliveries, then checks both rooms' histories and the archive.
     */
    private Result measure(Stage stage, String name, int forSeconds, Faults faults) throws Exception {
        History busyHistory = stage.busyHistory();
        History quietHistory = stage.quietHistory();
        long offset = quietHistory.nowMs() - busyHistory.nowMs();
        Sending sending = new Sending(stage.busy(), stage.quiet());
        sending.run(warmup);
        long measuredFromMs = busyHistory.nowMs();
        faults.start();
        sending.run(forSeconds);
        long sendingEndsMs = busyHistory.nowMs();
        faults.finish();
        Thread.sleep(TimeUnit.SECONDS.toMillis(drain));
        int chartSeconds = forSeconds + drain;
        int viewers = stage.gateways().size();
        Findings busyFindings = Findings.of(name, busyHistory, viewers,
                archivedMsgIds(stage.platform(), stage.tokens(), BUSY_ROOM), measuredFromMs, sendingEndsMs, chartSeconds);
        Findings quietFindings = Findings.of(name + " (quiet room)", quietHistory, viewers,
                archivedMsgIds(stage.platform(), stage.tokens(), stage.quietRoom()), measuredFromMs + offset,
                sendingEndsMs + offset, chartSeconds);
        Map<String, Object> kafka;
        try {
            kafka = new java.util.LinkedHashMap<>(stage.platform().kafkaState());
        } catch (Exception e) {
            kafka = new java.util.LinkedHashMap<>(Map.of("error", String.valueOf(e.getMessage())));
        }
        kafka.put("filters", stage.platform().filterCounts());
        return new Result(busyFindings, quietFindings, kafka);
    }

    private static int partitionOf(String room) {
        return Topics.partitionOf(room, PARTITIONS);
    }

    private static String awaitOwner(Platform platform, int partition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String owner = platform.ownerOf(partition);
            if (owner != null) {
                return owner;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no filter owns raw partition " + partition + " after 30 s");
    }

    /** A room name whose partition a filter other than {@code victim} owns. */
    private static String roomOwnedByAnother(Platform platform, String victim) throws Exception {
        for (int i = 0; i < 100; i++) {
            String room = "quiet-" + i;
            String owner = awaitOwner(platform, partitionOf(room));
            if (!owner.equals(victim)) {
                return room;
            }
        }
        throw new IllegalStateException("every partition is owned by " + victim);
    }

    /**
     * Applies each step at its time on a thread of its own, so a slow start (a JVM on a busy machine)
     * never delays the faults that follow it; returns once every step has run.
     */
    private void applyFaults(Scenario scenario, Platform platform, List<History> histories) {
        ScheduledExecutorService steps = Executors.newScheduledThreadPool(scenario.steps().size());
        try {
            List<ScheduledFuture<?>> scheduled = new ArrayList<>();
            for (Scenario.Step step : scenario.steps()) {
                scheduled.add(steps.schedule(() -> {
                    histories.forEach(h -> h.mark(step.label()));
                    try {
                        step.fault().apply(platform);
                        platform.takeNotes().forEach(note -> histories.forEach(h -> h.mark(note)));
                        histories.forEach(h -> h.mark(step.label() + ": done"));
                    } catch (Exception e) {
                        histories.forEach(h -> h.mark(step.label() + " FAILED: " + e.getMessage()));
                    }
                }, (long) (step.atSeconds() * 1000), TimeUnit.MILLISECONDS));
            }
            for (ScheduledFuture<?> step : scheduled) {
                step.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            histories.forEach(h -> h.mark("a step failed: " + e.getCause()));
        } finally {
            steps.shutdownNow();
        }
    }

    /** Every sender of both rooms in turn, each at rate / senders per second; each sender's sequence goes on across calls. */
    private final class Sending {
        private final LiveRoom busy;
        private final LiveRoom quiet;
        private final int everyone = senders + QUIET_SENDERS;
        private final int[] seq = new int[everyone];
        private long turn;

        Sending(LiveRoom busy, LiveRoom quiet) {
            this.busy = busy;
            this.quiet = quiet;
        }

        void run(int forSeconds) throws InterruptedException {
            long intervalNanos = 1_000_000_000L * senders / ((long) rate * everyone);
            long start = System.nanoTime();
            long turns = (long) rate * forSeconds * everyone / senders;
            for (long i = 0; i < turns; i++, turn++) {
                long wait = start + i * intervalNanos - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                int sender = (int) (turn % everyone);
                boolean sent = sender < senders ? busy.send(sender, seq[sender]) : quiet.send(sender - senders, seq[sender]);
                if (sent) {
                    seq[sender]++;
                }
            }
        }
    }

    /** Every msgId the archive holds for the room, repeats included; waits until two reads agree. */
    private static List<String> archivedMsgIds(Platform platform, Tokens tokens, String room)
            throws IOException, InterruptedException {
        String token = tokens.issue("fault-suite", "fault suite", Set.of(Identity.ANALYST), Duration.ofMinutes(10));
        HttpClient http = HttpClient.newHttpClient();
        List<String> previous = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            HttpResponse<Stream<String>> response = http.send(HttpRequest.newBuilder(
                            URI.create(platform.archiverUrl() + "/api/v1/archive/rooms/" + room + "/export?format=ndjson"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofLines());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("archive export answered " + response.statusCode());
            }
            List<String> ids = new ArrayList<>();
            for (String line : (Iterable<String>) response.body()::iterator) {
                if (!line.isBlank()) {
                    JsonNode row = JSON.readTree(line);
                    ids.add(row.path("msgId").asText());
                }
            }
            if (previous != null && previous.size() == ids.size()) {
                return ids;
            }
            previous = ids;
            Thread.sleep(1000);
        }
        return previous;
    }

    private static void psql(String sql) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-qc", sql)
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IllegalStateException("psql " + sql + " failed: " + output.strip());
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
