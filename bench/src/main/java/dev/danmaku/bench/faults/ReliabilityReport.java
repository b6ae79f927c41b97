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
                .append(" gateways. Kafka (one broker), two filters, the archiver on PostgreSQL and two gateways run as")
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
                    .append(" ms | ").append(f.lost()).append(" | ").append(f.duplicates()).append(" | ").append(f.outOfOrder())
                    .append(" | ").append(f.archiveMissing()).append(" / ").append(f.archiveDuplicates()).append(" |\n");
        }
        md.append("\nSends, answers and losses are the busy room's; the quiet room's are in the JSON of each run.\n\n");
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

        String text = Files.exists(page) ? Files.readString(page) : "# Reliability\n\n" + BEGIN + "\n" + END + "\n";
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            text = text.stripTrailing() + "\n\n## Fault suite\n\n" + md + "\n";
        } else {
            text = text.substring(0, begin) + md + text.substring(end + END.length());
        }
        Files.writeString(page, text);
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
