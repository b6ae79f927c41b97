package dev.danmaku.bench.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SoakReportTest {

    @Test
    void aProcessIsSampledFromProc() {
        ProcessSample self = ProcessSample.of(7, "self", ProcessHandle.current().pid());
        assertThat(self.atSeconds()).isEqualTo(7);
        assertThat(self.threads()).isPositive();
        assertThat(self.openFiles()).isPositive();
        assertThat(self.residentMb()).isPositive();
        assertThat(self.liveHeapMb()).as("this JVM's heap after a full collection, from jcmd").isPositive();
        assertThat(ProcessSample.of(7, "gone", Long.MAX_VALUE)).isNull();
    }

    @Test
    void theSoakSectionShowsEachProcessFromFirstToLastAndIsRewrittenInPlace(@TempDir Path docs) throws Exception {
        Path page = docs.resolve("reliability.md");
        Files.writeString(page, "# Reliability\n\nkept above\n\n" + ReliabilityReport.SOAK_BEGIN + "\nold\n"
                + ReliabilityReport.SOAK_END + "\n\nkept below\n");
        History history = new History(() -> 0);
        Findings clean = Findings.of("soak", history, 1, List.of(), 0, 0, 1);
        List<ProcessSample> samples = List.of(new ProcessSample(0, "filter-1", 40, 50, 120, 300),
                new ProcessSample(30, "filter-1", 60, 52, 121, 320), new ProcessSample(60, "filter-1", 41, 50, 120, 310),
                new ProcessSample(0, "kafka", -1, 90, 400, 700));
        List<Map<String, Object>> lags = List.of(Map.of("atSeconds", 0, "danmaku-filter", 5L, "danmaku-archiver", 0L),
                Map.of("atSeconds", 30, "danmaku-filter", 120L, "danmaku-archiver", 3L));

        ReliabilityReport.writeSoak(page, new FaultSuite.Result(clean, clean, Map.of()), samples, lags, 60, 300);

        String text = Files.readString(page);
        assertThat(text).contains("kept above", "kept below").doesNotContain("\nold\n")
                .contains("| filter-1 | 40 / 41 / 60 | 50 / 50 / 52 | 120 / 120 / 121 | 300 / 310 / 320 |")
                .contains("| kafka | – | 90 / 90 / 90 |")
                .contains("`danmaku-filter`: largest lag 120 records, 120 at the end");
        assertThat(docs.resolve("reliability/soak-heap.png")).exists();
        assertThat(docs.resolve("reliability/soak-threads.png")).exists();
    }
}
