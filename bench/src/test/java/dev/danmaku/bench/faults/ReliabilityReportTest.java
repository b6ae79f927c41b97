package dev.danmaku.bench.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ReliabilityReportTest {

    private static final List<String> ORDER = Scenario.all().stream().map(Scenario::name).toList();

    private static String row(String scenario, String date) {
        return "| `" + scenario + "` | " + date + " | 3.0 s / 0.5 s | 5500 / 0 / 0 | ACCEPTED 5500 | 1 / 2 / 3 ms | 0 | 0 | 0 | 0 / 0 |";
    }

    private static String note(String scenario, String stall) {
        return "**`" + scenario + "`** — longest stall " + stall + " ms (viewer 1 at 10 s). Events: kill @ 10.0 s\n\n!["
                + scenario + "](reliability/" + scenario + ".png)\n";
    }

    @Test
    void aRunReplacesItsScenariosRowsAndNotesAndKeepsTheOthersInTheSuitesOrder() {
        String previous = ReliabilityReport.merged("", "Old header.",
                Map.of("broker-restart", row("broker-restart", "2026-11-30"), "filter-kill", row("filter-kill", "2026-11-30"),
                        "filter-pause", row("filter-pause", "2026-11-29")),
                Map.of("broker-restart", note("broker-restart", "21607"), "filter-kill", note("filter-kill", "3011"),
                        "filter-pause", note("filter-pause", "3445")), ORDER);

        String merged = ReliabilityReport.merged(previous, "Header.", Map.of("filter-kill", row("filter-kill", "2026-12-24")),
                Map.of("filter-kill", note("filter-kill", "1000")), ORDER);

        assertThat(merged).startsWith(ReliabilityReport.BEGIN + "\nHeader.\n").endsWith(ReliabilityReport.END);
        assertThat(merged).contains(row("filter-kill", "2026-12-24")).doesNotContain("| `filter-kill` | 2026-11-30");
        assertThat(merged).contains(note("filter-kill", "1000")).containsOnlyOnce("**`filter-kill`**");
        assertThat(merged).containsOnlyOnce(row("filter-pause", "2026-11-29")).containsOnlyOnce(note("filter-pause", "3445"))
                .containsOnlyOnce(row("broker-restart", "2026-11-30")).containsOnlyOnce(note("broker-restart", "21607"));
        assertThat(merged.indexOf("| `filter-kill` |")).isLessThan(merged.indexOf("| `filter-pause` |"));
        assertThat(merged.indexOf("| `filter-pause` |")).isLessThan(merged.indexOf("| `broker-restart` |"));
        assertThat(merged.indexOf("**`filter-pause`**")).isLessThan(merged.indexOf("**`broker-restart`**"));
        assertThat(ReliabilityReport.merged(merged, "Header.", Map.of(), Map.of(), ORDER)).as("merging again changes nothing")
                .isEqualTo(merged);
    }
}
