package dev.danmaku.bench.faults;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Writes the fault suite's figures into docs/reliability.md (between its fault-suite markers, the rest
 * of the page untouched) and one chart per scenario: deliveries per second on each viewer, with the
 * faults marked.
 */
final class ReliabilityReport {

    static final String BEGIN = "<!-- fault-suite:begin -->";
    static final String END = "<!-- fault-suite:end -->";

    private ReliabilityReport() {
    }

    private static final Pattern ROW = Pattern.compile("(?m)^\\| `([a-z0-9-]+)` \\|.*$");
    private static final Pattern DETAIL = Pattern.compile("(?s)\\*\\*`([a-z0-9-]+)`\\*\\* — .*?\\n\\n!\\[[^\\]]*]\\([^)]*\\)\\n");

    /**
     * Rewrites the fault-suite section: the scenarios of this run replace their rows and notes, the
     * others keep those of their latest run (each row says its date), in the suite's order.
     */
    static void write(Path page, List<FaultSuite.Result> all, int senders, int rate, int seconds) throws IOException {
        Path charts = page.resolveSibling("reliability");
        Files.createDirectories(charts);
        Map<String, String> rows = new LinkedHashMap<>();
        Map<String, String> details = new LinkedHashMap<>();
        String today = LocalDate.now().toString();
        for (FaultSuite.Result result : all) {
            Findings f = result.busy();
            rows.put(f.scenario(), row(result, today));
            chart(f, charts.resolve(f.scenario() + ".png"));
            details.put(f.scenario(), "**`" + f.scenario() + "`** — longest stall " + f.longestStallMs() + " ms ("
                    + f.longestStallAt() + "). Events: " + f.marks().stream().map(m -> m.label() + " @ " + m.atMs() / 1000.0 + " s")
                    .collect(Collectors.joining("; ")) + "\n\n![" + f.scenario() + "](reliability/" + f.scenario() + ".png)\n");
        }
        String header = "Each row is its scenario's latest run, of the date in its second column. A run: " + senders
                + " senders, " + rate + " danmaku/s into a busy room for " + seconds + " s, and 2 senders at the same pace each"
                + " into a quiet room whose partition another filter owns; a viewer of each room on each of two gateways. Kafka"
                + " (one broker; three nodes for the cluster-* scenarios), two filters, the archiver on PostgreSQL and two"
                + " gateways run as separate processes on this machine. `bench/run.sh faults` writes this section.";
        String section = merged(section(page, BEGIN, END), header, rows, details,
                Scenario.all().stream().map(Scenario::name).toList());
        replaceSection(page, BEGIN, END, "Fault suite", section);
    }

    private static String row(FaultSuite.Result result, String date) {
        Findings f = result.busy();
        return "| `" + f.scenario() + "` | " + date + " | "
                + String.format("%.1f s / %.1f s", f.longestStallMs() / 1000.0, result.quiet().longestStallMs() / 1000.0)
                + " | " + f.answeredWithin5s() + " / " + f.answeredLate() + " / " + f.unanswered()
                + " | " + f.answers().entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "))
                + " | " + f.ackP50Ms() + " / " + f.ackP99Ms() + " / " + f.ackMaxMs()
                + " ms | " + f.lost() + " | " + f.duplicates() + " | " + f.outOfOrder()
                + (f.retriedShownLater() > 0 ? " (+" + f.retriedShownLater() + " retried)" : "")
                + " | " + f.archiveMissing() + " / " + f.archiveDuplicates() + " |";
    }

    /**
     * The section from the previous one and this run's rows and notes by scenario: this run's win,
     * the previous ones stay for the scenarios it did not run; {@code order} first, then any others.
     */
    static String merged(String previous, String header, Map<String, String> rows, Map<String, String> details,
            List<String> order) {
        Map<String, String> allRows = new LinkedHashMap<>();
        Map<String, String> allDetails = new LinkedHashMap<>();
        Matcher row = ROW.matcher(previous);
        while (row.find()) {
            allRows.put(row.group(1), row.group());
        }
        Matcher detail = DETAIL.matcher(previous);
        while (detail.find()) {
            allDetails.put(detail.group(1), detail.group());
        }
        allRows.putAll(rows);
        allDetails.putAll(details);
        List<String> names = new ArrayList<>(order);
        allRows.keySet().stream().filter(name -> !names.contains(name)).forEach(names::add);

        StringBuilder md = new StringBuilder(BEGIN).append('\n').append(header).append("\n\n");
        md.append("| scenario | run | longest stall, busy room / quiet room | sends answered ≤ 5 s / later / never | answers |")
                .append(" ack p50 / p99 / max | lost | shown twice | out of order | archive missing / twice |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|\n");
        names.stream().filter(allRows::containsKey).forEach(name -> md.append(allRows.get(name)).append('\n'));
        md.append("\nSends, answers and losses are the busy room's; the quiet room's are in the JSON of each run. A send told")
                .append(" `unavailable` is sent again by its sender (as the viewer page does) and shown when it gets through,")
                .append(" after what was sent meanwhile: \"retried\", not out of order.\n\n");
        names.stream().filter(allDetails::containsKey).forEach(name -> md.append(allDetails.get(name)).append('\n'));
        return md.append(END).toString();
    }

    /** What the page holds between the markers, or nothing. */
    private static String section(Path page, String beginMarker, String endMarker) throws IOException {
        if (!Files.exists(page)) {
            return "";
        }
        String text = Files.readString(page);
        int begin = text.indexOf(beginMarker);
        int end = text.indexOf(endMarker);
        return begin < 0 || end < begin ? "" : text.substring(begin, end);
    }

    /** Puts {@code section} (its markers included) where the page has its markers, or at its end under a heading. */
    private static void replaceSection(Path page, String beginMarker, String endMarker, String heading, String section)
            throws IOException {
        String text = Files.exists(page) ? Files.readString(page) : "# Reliability\n";
        int begin = text.indexOf(beginMarker);
        int end = text.indexOf(endMarker);
        if (begin < 0 || end < begin) {
            text = text.stripTrailing() + "\n\n## " + heading + "\n\n" + section + "\n";
        } else {
            text = text.substring(0, begin) + section + text.substring(end + endMarker.length());
        }
        Files.writeString(page, text);
    }

    static final String SOAK_BEGIN = "<!-- soak:begin -->";
    static final String SOAK_END = "<!-- soak:end -->";

    /**
     * The soak's section: the run's correctness figures, and per process its live heap after GC,
     * threads, open files and resident memory at the first and last sample with the largest seen —
     * a leak grows from first to last — plus the consumer groups' largest lag; two charts over time.
     */
    static void writeSoak(Path page, FaultSuite.Result result, List<ProcessSample> samples, List<Map<String, Object>> lags,
            int minutes, int faultEvery) throws IOException {
        Path charts = page.resolveSibling("reliability");
        Files.createDirectories(charts);
        Findings f = result.busy();
        StringBuilder md = new StringBuilder(SOAK_BEGIN).append('\n');
        md.append("Soak of ").append(LocalDate.now()).append(": ").append(minutes).append(" min under the fault suite's load,")
                .append(" a fault every ").append(faultEvery).append(" s taking turns (filter kill and replacement, gateway")
                .append(" kill and restart, filter pause, archiver kill and restart). `bench/run.sh soak` writes this section.\n\n");
        md.append(String.format("Busy room: %d sends, answered %d within 5 s, %d later, %d never; lost %d, shown twice %d,"
                        + " out of order %d, archive missing %d / twice %d; longest stall %.1f s (%s). Quiet room: longest stall %.1f s,"
                        + " lost %d, shown twice %d.%n%n", f.sends(), f.answeredWithin5s(), f.answeredLate(), f.unanswered(), f.lost(),
                f.duplicates(), f.outOfOrder(), f.archiveMissing(), f.archiveDuplicates(), f.longestStallMs() / 1000.0,
                f.longestStallAt(), result.quiet().longestStallMs() / 1000.0, result.quiet().lost(), result.quiet().duplicates()));
        md.append("| process | live heap after GC, MB: first / last / max | threads: first / last / max |")
                .append(" open files: first / last / max | resident MB: first / last / max |\n|---|---|---|---|---|\n");
        Map<String, List<ProcessSample>> byService = samples.stream()
                .collect(Collectors.groupingBy(ProcessSample::service, java.util.TreeMap::new, Collectors.toList()));
        for (Map.Entry<String, List<ProcessSample>> service : byService.entrySet()) {
            List<ProcessSample> series = service.getValue();
            md.append("| ").append(service.getKey())
                    .append(" | ").append(trend(series, ProcessSample::liveHeapMb))
                    .append(" | ").append(trend(series, sample -> sample.threads()))
                    .append(" | ").append(trend(series, sample -> sample.openFiles()))
                    .append(" | ").append(trend(series, sample -> sample.residentMb())).append(" |\n");
        }
        for (String group : List.of("danmaku-filter", "danmaku-archiver")) {
            long max = lags.stream().map(l -> l.get(group)).filter(Number.class::isInstance)
                    .mapToLong(n -> ((Number) n).longValue()).max().orElse(-1);
            long last = lags.stream().map(l -> l.get(group)).filter(Number.class::isInstance)
                    .mapToLong(n -> ((Number) n).longValue()).reduce((a, b) -> b).orElse(-1);
            md.append("\nConsumer group `").append(group).append("`: largest lag ").append(max).append(" records, ")
                    .append(last).append(" at the end.");
        }
        md.append("\n\n![live heap](reliability/soak-heap.png)\n\n![threads](reliability/soak-threads.png)\n");
        md.append(SOAK_END);
        soakChart(byService, "live heap after GC (MB)", ProcessSample::liveHeapMb, charts.resolve("soak-heap.png"));
        soakChart(byService, "threads", sample -> sample.threads(), charts.resolve("soak-threads.png"));

        replaceSection(page, SOAK_BEGIN, SOAK_END, "Soak", md.toString());
    }

    private static String trend(List<ProcessSample> series, java.util.function.ToDoubleFunction<ProcessSample> value) {
        double max = series.stream().mapToDouble(value).max().orElse(-1);
        if (max < 0) {
            return "–";
        }
        return String.format("%.0f / %.0f / %.0f", value.applyAsDouble(series.get(0)),
                value.applyAsDouble(series.get(series.size() - 1)), max);
    }

    private static void soakChart(Map<String, List<ProcessSample>> byService, String what,
            java.util.function.ToDoubleFunction<ProcessSample> value, Path out) throws IOException {
        XYChart chart = new XYChartBuilder().width(1000).height(420).title("soak: " + what + " per process")
                .xAxisTitle("seconds since the platform started").yAxisTitle(what).build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        for (Map.Entry<String, List<ProcessSample>> service : byService.entrySet()) {
            List<ProcessSample> shown = service.getValue().stream().filter(sample -> value.applyAsDouble(sample) >= 0).toList();
            if (shown.isEmpty()) {
                continue;
            }
            XYSeries series = chart.addSeries(service.getKey(), shown.stream().map(ProcessSample::atSeconds).toList(),
                    shown.stream().map(value::applyAsDouble).toList());
            series.setMarker(SeriesMarkers.NONE);
        }
        BitmapEncoder.saveBitmap(chart, out.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static void chart(Findings f, Path out) throws IOException {
        XYChart chart = new XYChartBuilder().width(1000).height(420)
                .title(f.scenario() + ": danmaku delivered per second on each viewer")
                .xAxisTitle("seconds since the senders started").yAxisTitle("deliveries/s").build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSW);
        chart.getStyler().setAnnotationLineColor(Color.RED);
        for (Map.Entry<Integer, int[]> viewer : f.deliveriesPerSecond().entrySet()) {
            List<Integer> x = new ArrayList<>();
            List<Integer> y = new ArrayList<>();
            for (int second = 0; second < viewer.getValue().length; second++) {
                x.add(second);
                y.add(viewer.getValue()[second]);
            }
            XYSeries series = chart.addSeries("viewer on gateway-" + (viewer.getKey() + 1), x, y);
            series.setMarker(SeriesMarkers.NONE);
        }
        double top = f.deliveriesPerSecond().values().stream().flatMapToInt(java.util.Arrays::stream).max().orElse(1);
        for (History.Mark mark : f.marks()) {
            if (mark.atMs() < 0 || mark.label().endsWith(": done") || mark.label().contains("viewer-")
                    || mark.label().contains("sender-")) {
                continue;
            }
            double x = mark.atMs() / 1000.0;
            chart.addAnnotation(new AnnotationLine(x, true, false));
            chart.addAnnotation(new AnnotationText(mark.label(), x, top * 1.02, false));
        }
        BitmapEncoder.saveBitmap(chart, out.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
