package dev.danmaku.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

    @Test
    void keepsWhatFollowsTheMarkerAndNothingWithoutIt(@TempDir Path dir) throws Exception {
        Path markdown = dir.resolve("BENCHMARKS.md");
        assertThat(Report.keptPart(markdown)).isEmpty();

        Files.writeString(markdown, "# old figures\n" + Report.KEPT_MARKER + "\n## Moderation quality\nkept\n");
        assertThat(Report.keptPart(markdown)).isEqualTo("\n" + Report.KEPT_MARKER + "\n## Moderation quality\nkept\n");

        Files.writeString(markdown, "# old figures only\n");
        assertThat(Report.keptPart(markdown)).isEmpty();
    }
}
