package dev.danmaku.bench.faults;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    static void write(Path page, List<FaultSuite.Result> all, int senders, int rate, int seconds) throws IOException {
        Path charts = page.resolveSibling("reliability");
        Files.createDirectories(charts);
        StringBuilder md = new StringBuilder(BEGIN).append('\n');
        md.append("Run of ").append(LocalDate.now()).append(": ").append(senders).append(" senders, ").append(rate)
                .append(" danmaku/s into a busy room for ").append(seconds).append(" s, and 2 senders at the same pace each")
                .append(" into a quiet room whose partition another filter owns; a viewer of each room on each of two")
                .append(" gateways. Kafka (one broker; three nodes for the cluster-* scenarios), two filters, the archiver on PostgreSQL and two gateways run as")
                .append(" separate processes on this machine. `bench/run.sh faults` writes this section.\n\n");
        md.append("| scenario | longest stall, busy room / quiet room | sends answered ≤ 5 s / later / never | answers |")
                .append(" ack p50 / p99 / max | lost | shown twice | out of order | archive missing / twice |\n");
        md.append("|---|---|---|---|---|---|---|---|---|\n");
        for (FaultSuite.Result result : all) {
            Findings f = result.busy();
            md.append("| `").append(f.scenario()).append("` | ")
                    .append(String.format("%.1f s / %.1f s", f.longestStallMs() / 1000.0, result.quiet().longestStallMs() / 1000.0))
                    .append(" | ")
                    .append(f.answeredWithin5s()).append(" / ").append(f.answeredLate()).append(" / ").append(f.unanswered())
                    .append(" | ").append(f.answers().entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                            .collect(Collectors.joining(", ")))
                    .append(" | ").append(f.ackP50Ms()).append(" / ").append(f.ackP99Ms()).append(" / ").append(f.ackMaxMs())
                    .append(" ms | ").append(f.lost()).append(" | ").append(f.duplicates()).append(" | ").append(f.outOfOrder()).append(f.retriedShownLater() > 0 ? " (+" + f.retriedShownLater() + " retried)" : "")
                    .append(" | ").append(f.archiveMissing()).append(" / ").append(f.archiveDuplicates()).append(" |\n");
        }
        md.append("\nSends, answers and losses are the busy room's; the quiet room's are in the JSON of each run. A send told")
                .append(" `unavailable` is sent again by its sender (as the viewer page does) and shown when it gets through,")
                .append(" after what was sent meanwhile: \"retried\", not out of order.\n\n");
        for (FaultSuite.Result result : all) {
            Findings f = result.busy();
            Path chart = charts.resolve(f.scenario() + ".png");
            chart(f, chart);
            md.append("**`").append(f.scenario()).append("`** — longest stall ").append(f.longestStallMs())
                    .append(" ms (").append(f.longestStallAt()).append("). Events: ")
                    .append(f.marks().stream().map(m -> m.label() + " @ " + m.atMs() / 1000.0 + " s")
                            .collect(Collectors.joining("; ")))
                    .append("\n\n![").append(f.scenario()).append("](reliability/").append(f.scenario()).append(".png)\n\n");
        }
        md.append(END);

        replaceSection(page, BEGIN, END, "Fault suite", md.toString());
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
