package dev.danmaku.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Turns result lines of bench/run.sh into what people read: P3 step summaries, P4 capacity,
 * P5/P6 figures, the smoke check, and the side-by-side comparison (JSON, BENCHMARKS.md, PNG chart).
 */
public final class Report {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.awt.Color BLUE = new java.awt.Color(0x1f4e99);
    private static final java.awt.Color LIGHT_BLUE = new java.awt.Color(0x6fa8dc);
    private static final java.awt.Color RED = new java.awt.Color(0xb03a2e);
    private static final java.awt.Color LIGHT_RED = new java.awt.Color(0xf0a08a);
    private static final Pattern RATE = Pattern.compile("([0-9][0-9,]*) (danmaku|rows)/s");

    private Report() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help")) {
            System.err.println("""
                    usage: Report steps SYSTEM PROFILE STEP.json...     P3 summary of stepped runs
                           Report capacity ...                           P4 summary (bench/run.sh p4)
                           Report lines PROFILE FILE                     P5/P6 figures from a benchmark's output
                           Report check RESULT.json                      smoke: exit 1 unless the accounting adds up
                           Report compare OUT.json OUT.md OUT.png [PROFILE OURS.json PEER.json|-]...""");
            System.exit(64);
        }
        switch (args[0]) {
            case "steps" -> System.out.println(JSON.writeValueAsString(steps(args[1], args[2], List.of(args).subList(3, args.length))));
            case "capacity" -> System.out.println(JSON.writeValueAsString(capacity(args)));
            case "lines" -> System.out.println(JSON.writeValueAsString(lines(args[1], Path.of(args[2]))));
            case "check" -> {
                List<String> problems = accountingProblems(read(Path.of(args[1])));
                problems.forEach(p -> System.err.println("smoke: " + p));
                System.err.println(problems.isEmpty() ? "smoke: accounting adds up" : "smoke: FAILED");
                System.exit(problems.isEmpty() ? 0 : 1);
            }
            case "compare" -> compare(Path.of(args[1]), Path.of(args[2]), Path.of(args[3]), List.of(args).subList(4, args.length));
            default -> {
                System.err.println("Report: unknown mode " + args[0]);
                System.exit(64);
            }
        }
    }

    static ObjectNode steps(String system, String profile, List<String> files) throws IOException {
        ArrayNode steps = JSON.createArrayNode();
        Double sustained = null;
        boolean stillPassing = true;
        for (String file : files) {
            JsonNode step = read(Path.of(file));
            steps.add(step);
            if (stillPassing && step.path("ok").asBoolean() && step.path("pass_p99_lt_250ms_and_no_loss").asBoolean()) {
                sustained = step.path("params").path("rate_per_sender").asDouble();
            } else {
                stillPassing = false;
            }
        }
        ObjectNode out = JSON.createObjectNode().put("peer", system).put("profile", profile).put("date", Instant.now().toString());
        if (sustained == null) {
            out.putNull("max_sustained_rate_per_sender");
        } else {
            out.put("max_sustained_rate_per_sender", sustained);
        }
        out.set("steps", steps);
        return out;
    }

    /** args: capacity ONE RSS0 RSS1 HEAP0 HEAP1 ONE.json TOTAL SESSIONS GATEWAYS RSS_TOTAL (KiB). */
    static ObjectNode capacity(String[] args) throws IOException {
        long one = Long.parseLong(args[1]);
        long rss0 = Long.parseLong(args[2]);
        long rss1 = Long.parseLong(args[3]);
        long heap0 = Long.parseLong(args[4]);
        long heap1 = Long.parseLong(args[5]);
        JsonNode oneRun = read(Path.of(args[6]));
        long established = oneRun.path("connections").path("established").asLong();
        ObjectNode out = JSON.createObjectNode().put("peer", "danmaku").put("profile", "P4-capacity")
                .put("ok", established == one && Long.parseLong(args[8]) == Long.parseLong(args[7]))
                .put("date", Instant.now().toString());
        out.putObject("one_gateway").put("connections", established)
                .put("rss_kb_per_connection", established == 0 ? 0 : ProcessCpu.round1((double) (rss1 - rss0) / established))
                .put("heap_kb_per_connection", established == 0 ? 0 : ProcessCpu.round1((double) (heap1 - heap0) / established))
                .put("rss_mb_before", rss0 / 1024).put("rss_mb_after", rss1 / 1024)
                .put("ramp_s", oneRun.path("connections").path("ramp_s").asDouble());
        out.putObject("many_gateways").put("planned", Long.parseLong(args[7])).put("sessions", Long.parseLong(args[8]))
                .put("gateway_processes", Long.parseLong(args[9])).put("gateways_rss_mb", Long.parseLong(args[10]) / 1024);
        return out;
    }

    static ObjectNode lines(String profile, Path file) throws IOException {
        ObjectNode out = JSON.createObjectNode().put("peer", "danmaku").put("profile", profile).put("date", Instant.now().toString());
        ArrayNode lines = out.putArray("lines");
        ObjectNode figures = out.putObject("per_second");
        for (String line : Files.readAllLines(file)) {
            Matcher m = RATE.matcher(line);
            String last = null;
            while (m.find()) {
                last = m.group(1);
            }
            if (last != null) {
                lines.add(line.trim());
                String key = (line.indexOf(':') > 0 ? line.substring(0, line.indexOf(':')) : line).trim();
                figures.put(key, Long.parseLong(last.replace(",", "")));
            }
        }
        out.put("ok", !lines.isEmpty());
        return out;
    }

    /** What does not add up in a result line: the run failed, or some expected delivery is unaccounted for. */
    public static List<String> accountingProblems(JsonNode result) {
        List<String> problems = new ArrayList<>();
        JsonNode d = result.path("deliveries");
        if (!result.path("ok").asBoolean()) {
            problems.add("run failed: " + result.path("error").asText());
        }
        if (result.path("connections").path("established").asLong() != result.path("connections").path("planned").asLong()) {
            problems.add("not every connection was established");
        }
        if (result.path("input").path("sent_counted").asLong() == 0) {
            problems.add("nothing was sent in the counted window");
        }
        if (d.path("expected").asLong() != d.path("received").asLong() || d.path("loss").asLong() != 0) {
            problems.add("expected " + d.path("expected") + " deliveries, received " + d.path("received"));
        }
        if (d.path("out_of_order_or_dup").asLong() != 0 || d.path("wrong_room").asLong() != 0) {
            problems.add("out of order/duplicate " + d.path("out_of_order_or_dup") + ", wrong room " + d.path("wrong_room"));
        }
        if (result.path("latency_ms").path("count").asLong() != d.path("received").asLong()) {
            problems.add("latency samples do not match deliveries");
        }
        return problems;
    }

    /**
     * Adds this run's profiles to the day's results file (a profile run again replaces the earlier
     * run of it; each keeps its own run time) and writes BENCHMARKS.md and the chart from the whole.
     */
    static void compare(Path jsonOut, Path markdownOut, Path chartOut, List<String> rows) throws IOException {
        String now = Instant.now().toString();
        ObjectNode all = JSON.createObjectNode().put("date", now);
        all.set("machine", machine());
        ObjectNode profiles = all.putObject("profiles");
        if (Files.exists(jsonOut) && read(jsonOut).path("profiles").isObject()) {
            profiles.setAll((ObjectNode) read(jsonOut).path("profiles"));
        }
        for (int i = 0; i + 2 < rows.size() + 1; i += 3) {
            ObjectNode entry = profiles.putObject(rows.get(i)).put("run_at", now);
            entry.set("danmaku", read(Path.of(rows.get(i + 1))));
            if (!rows.get(i + 2).equals("-")) {
                entry.set("socketio_redis", read(Path.of(rows.get(i + 2))));
            }
        }
        Files.createDirectories(jsonOut.toAbsolutePath().getParent());
        Files.writeString(jsonOut, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(all));
        Files.writeString(markdownOut, Markdown.of(all, jsonOut.getFileName().toString(), chartOut.getFileName().toString())
                + keptPart(markdownOut));
        chart(all, chartOut);
        System.err.println("wrote " + jsonOut + ", " + markdownOut + ", " + chartOut);
    }

    /** What BENCHMARKS.md holds from {@link #KEPT_MARKER} on: figures measured by other means, kept as written. */
    static String keptPart(Path markdown) throws IOException {
        if (!Files.exists(markdown)) {
            return "";
        }
        String text = Files.readString(markdown);
        int kept = text.indexOf(KEPT_MARKER);
        return kept < 0 ? "" : "\n" + text.substring(kept);
    }

    static final String KEPT_MARKER = "<!-- from here on not written by bench/run.sh compare -->";

    /** P3: latency percentiles against input rate, both systems. */
    static void chart(JsonNode all, Path chartOut) throws IOException {
        XYChart chart = new XYChartBuilder().width(1000).height(600)
                .title("P3: end-to-end latency vs input rate (1 room, 1 000 viewers, 10 senders)")
                .xAxisTitle("input danmaku/s (deliveries/s ≈ × 1 010)").yAxisTitle("latency ms (log)").build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        for (String system : List.of("danmaku", "socketio_redis")) {
            JsonNode steps = all.path("profiles").path("p3").path(system).path("steps");
            for (String percentile : List.of("p50", "p99")) {
                List<Double> x = new ArrayList<>();
                List<Double> y = new ArrayList<>();
                for (JsonNode step : steps) {
                    if (step.path("ok").asBoolean() && step.path("latency_ms").path(percentile).isNumber()) {
                        x.add(step.path("input").path("target_msgs_per_s").asDouble());
                        y.add(Math.max(0.1, step.path("latency_ms").path(percentile).asDouble()));
                    }
                }
                if (!x.isEmpty()) {
                    XYSeries series = chart.addSeries((system.equals("danmaku") ? "danmaku " : "Socket.IO+Redis ") + percentile, x, y);
                    series.setMarker(percentile.equals("p50") ? SeriesMarkers.CIRCLE : SeriesMarkers.DIAMOND);
                    boolean ours = system.equals("danmaku");
                    series.setLineColor(percentile.equals("p50") ? (ours ? LIGHT_BLUE : LIGHT_RED) : (ours ? BLUE : RED));
                    series.setMarkerColor(series.getLineColor());
                }
            }
        }
        if (chart.getSeriesMap().isEmpty()) {
            chart.addSeries("no P3 data", List.of(1.0), List.of(1.0));
        } else {
            double low = chart.getSeriesMap().values().stream().mapToDouble(XYSeries::getXMin).min().orElse(1);
            double high = chart.getSeriesMap().values().stream().mapToDouble(XYSeries::getXMax).max().orElse(1);
            XYSeries limit = chart.addSeries("pass limit: p99 250 ms", List.of(low, high), List.of(250.0, 250.0));
            limit.setMarker(SeriesMarkers.NONE);
            limit.setLineColor(java.awt.Color.GRAY);
        }
        Files.createDirectories(chartOut.toAbsolutePath().getParent());
        BitmapEncoder.saveBitmap(chart, chartOut.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    static ObjectNode machine() {
        ObjectNode machine = JSON.createObjectNode().put("cores", Runtime.getRuntime().availableProcessors())
                .put("java", Runtime.version().toString());
        try {
            Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name")).findFirst()
                    .ifPresent(l -> machine.put("cpu", l.substring(l.indexOf(':') + 1).trim()));
            Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal")).findFirst()
                    .ifPresent(l -> machine.put("memory_gib", Math.round(Long.parseLong(l.replaceAll("[^0-9]", "")) / 1048576.0)));
        } catch (IOException e) {
            machine.put("cpu", "unknown");
        }
        machine.put("kernel", System.getProperty("os.version"));
        return machine;
    }

    static JsonNode read(Path file) throws IOException {
        String text = Files.exists(file) ? Files.readString(file).trim() : "";
        if (text.isEmpty()) {
            return JSON.createObjectNode().put("ok", false).put("error", "no result in " + file);
        }
        String last = text.substring(text.lastIndexOf('\n') + 1);
        try {
            return JSON.readTree(text.startsWith("{") && !text.contains("\n{") ? text : last);
        } catch (IOException e) {
            return JSON.createObjectNode().put("ok", false).put("error", "unreadable result in " + file);
        }
    }

    static String number(double value) {
        return String.format(Locale.ROOT, value >= 100 ? "%,.0f" : "%,.1f", value);
    }
}
