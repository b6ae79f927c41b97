package dev.danmaku.filter.moderation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

import dev.danmaku.filter.FilterConfig;
import dev.danmaku.filter.matching.KeywordMatcher;
import dev.danmaku.filter.ratelimit.SendLimiter;
import dev.danmaku.filter.rules.RuleSet;
import dev.danmaku.proto.v1.KeywordRule;
import dev.danmaku.proto.v1.RuleAction;
import dev.danmaku.proto.v1.RuleKind;
import dev.danmaku.proto.v1.Verdict;

/**
 * Scores keyword moderation on the labelled corpus in {@code moderation-corpus/} (rules.csv is in
 * the API's import format): per class, how many lines are caught. Fails when any class does worse
 * than its recorded score, or when fewer than 95 % of all evasions are caught (the goal; the other
 * half of it, at most 1 % of innocent lines caught, is not met yet). A better score is recorded here
 * and in BENCHMARKS.md by hand.
 */
class ModerationCorpusTest {

    /** Lines caught per class, as measured; evasion classes must not catch fewer, innocent ones not more. */
    private static final Map<String, Integer> RECORDED = Map.of(
            "evasion-latin", 70, "evasion-cjk", 44, "evasion-pinyin", 30,
            "innocent-latin", 0, "innocent-cjk", 0, "innocent-cross", 2, "chat", 0);

    private record Line(String kind, boolean shouldCatch, String text) {
    }

    private record Score(int lines, int caught, List<String> wrong) {
    }

    @Test
    void everyClassScoresAtLeastAsWellAsRecorded() throws IOException {
        RuleSet rules = new RuleSet(1, Map.of(), Map.of(), Map.of(), KeywordMatcher.build(rules()));
        Moderator moderator = new Moderator(() -> rules, new SendLimiter(FilterConfig.DEFAULT_LIMITS));
        Map<String, Score> scores = new TreeMap<>();
        for (Line line : corpus()) {
            boolean caught = moderator.explain(line.text(), "room").verdict() != Verdict.ACCEPTED;
            Score score = scores.getOrDefault(line.kind(), new Score(0, 0, new ArrayList<>()));
            if (caught != line.shouldCatch()) {
                score.wrong().add(line.text());
            }
            scores.put(line.kind(), new Score(score.lines() + 1, score.caught() + (caught ? 1 : 0), score.wrong()));
        }
        System.out.println(report(scores));
        int evasions = 0;
        int caughtEvasions = 0;
        int innocents = 0;
        int caughtInnocents = 0;
        for (Map.Entry<String, Score> entry : scores.entrySet()) {
            if (entry.getKey().startsWith("evasion")) {
                evasions += entry.getValue().lines();
                caughtEvasions += entry.getValue().caught();
            } else {
                innocents += entry.getValue().lines();
                caughtInnocents += entry.getValue().caught();
            }
        }
        assertThat(100.0 * caughtEvasions / evasions).as("evasions caught, %").isGreaterThanOrEqualTo(95.0);
        // the goal for innocent lines (at most 1 %) is not met yet: 2 of 194 (1.03 %), see BENCHMARKS.md
        assertThat(caughtInnocents).as("innocent lines caught").isLessThanOrEqualTo(2);

        assertThat(scores.keySet()).containsExactlyInAnyOrderElementsOf(RECORDED.keySet());
        scores.forEach((kind, score) -> {
            int recorded = RECORDED.get(kind);
            if (kind.startsWith("evasion")) {
                assertThat(score.caught()).as("%s caught (missed: %s)", kind, score.wrong()).isGreaterThanOrEqualTo(recorded);
            } else {
                assertThat(score.caught()).as("%s caught (wrongly: %s)", kind, score.wrong()).isLessThanOrEqualTo(recorded);
            }
        });
    }

    private static String report(Map<String, Score> scores) {
        StringBuilder out = new StringBuilder("| class | lines | caught | rate | wrong |\n|---|---|---|---|---|\n");
        int evasions = 0;
        int caughtEvasions = 0;
        int innocents = 0;
        int caughtInnocents = 0;
        for (Map.Entry<String, Score> entry : scores.entrySet()) {
            Score score = entry.getValue();
            out.append(String.format(Locale.ROOT, "| %s | %d | %d | %.1f %% | %s |%n", entry.getKey(), score.lines(),
                    score.caught(), 100.0 * score.caught() / score.lines(), String.join(" · ", score.wrong())));
            if (entry.getKey().startsWith("evasion")) {
                evasions += score.lines();
                caughtEvasions += score.caught();
            } else {
                innocents += score.lines();
                caughtInnocents += score.caught();
            }
        }
        out.append(String.format(Locale.ROOT, "recall %.1f %% (%d/%d evasions), false positives %.1f %% (%d/%d innocent),"
                        + " precision %.1f %%%n", 100.0 * caughtEvasions / evasions, caughtEvasions, evasions,
                100.0 * caughtInnocents / innocents, caughtInnocents, innocents,
                100.0 * caughtEvasions / Math.max(1, caughtEvasions + caughtInnocents)));
        return out.toString();
    }

    private static List<Line> corpus() throws IOException {
        List<Line> lines = new ArrayList<>();
        for (String row : resource("corpus.tsv").split("\n")) {
            if (row.isBlank() || row.startsWith("#")) {
                continue;
            }
            String[] columns = row.split("\t", 3);
            lines.add(new Line(columns[0], columns[1].equals("caught"), columns[2]));
        }
        return lines;
    }

    private static List<KeywordRule> rules() throws IOException {
        List<KeywordRule> rules = new ArrayList<>();
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get();
        for (CSVRecord record : format.parse(new java.io.StringReader(resource("rules.csv")))) {
            KeywordRule.Builder rule = KeywordRule.newBuilder().setId("r" + record.getRecordNumber())
                    .setPattern(record.get("pattern"))
                    .setAction(RuleAction.valueOf(record.get("action")))
                    .setKind(RuleKind.valueOf(record.get("kind")))
                    .setWholeWord(Boolean.parseBoolean(record.get("wholeWord")));
            if (!record.get("category").isEmpty()) {
                rule.setCategory(Categories.parse(record.get("category")).orElseThrow());
            }
            for (String alternative : record.get("alternatives").split("\\|")) {
                if (!alternative.isEmpty()) {
                    rule.addAlternatives(alternative);
                }
            }
            KeywordRule built = rule.build();
            try {
                KeywordMatcher.validate(built);
            } catch (Exception e) {
                throw new AssertionError("rules.csv line " + record.getRecordNumber() + ": " + e.getMessage(), e);
            }
            rules.add(built);
        }
        return rules;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = ModerationCorpusTest.class.getResourceAsStream("/moderation-corpus/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
