package dev.danmaku.filter.admin;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

import dev.danmaku.common.csv.SpreadsheetCells;
import dev.danmaku.proto.v1.KeywordRule;
import dev.danmaku.proto.v1.RuleKind;

/**
 * Bulk import and export of keyword rules: one pattern per line (the defaults given once for all),
 * or CSV with a header naming the columns pattern, action, kind, roomId, wholeWord, note, category,
 * alternatives (separated by "|").
 * An import is all or nothing: any bad line refuses the whole import, every bad line listed. The
 * CSV export defuses formula-like cells for spreadsheets ({@link SpreadsheetCells}); the import
 * restores them, so an export imports back unchanged.
 */
final class BulkRules {

    static final int MAX_RULES_PER_IMPORT = 50_000;
    static final String[] CSV_COLUMNS = {"pattern", "action", "kind", "roomId", "wholeWord", "note", "category", "alternatives"};

    private BulkRules() {
    }

    /** One pattern per line, each with the same {@code defaults}. */
    static List<KeywordRule.Builder> parseLines(String body, RuleJson.Fields defaults) throws ApiException {
        List<KeywordRule.Builder> rules = new ArrayList<>();
        List<Map<String, Object>> errors = new ArrayList<>();
        String[] lines = body.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                rules.add(RuleJson.rule(line, defaults));
            } catch (ApiException e) {
                errors.add(error(i + 1, e.getMessage()));
            }
        }
        return checked(rules, errors);
    }

    static List<KeywordRule.Builder> parseCsv(String body) throws ApiException {
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true)
                .setIgnoreEmptyLines(true).setTrim(true).get();
        List<KeywordRule.Builder> rules = new ArrayList<>();
        List<Map<String, Object>> errors = new ArrayList<>();
        try (CSVParser parser = CSVParser.parse(new StringReader(body), format)) {
            Map<String, Integer> header = new LinkedHashMap<>();
            parser.getHeaderMap().forEach((name, index) -> header.put(name.toLowerCase(Locale.ROOT), index));
            if (!header.containsKey("pattern")) {
                throw ApiException.badRequest("CSV: the first line must be a header with at least a \"pattern\" column;"
                        + " known columns: " + String.join(", ", CSV_COLUMNS));
            }
            for (String name : header.keySet()) {
                if (List.of(CSV_COLUMNS).stream().noneMatch(column -> column.equalsIgnoreCase(name))) {
                    throw ApiException.badRequest("CSV: unknown column \"" + name + "\"; known columns: "
                            + String.join(", ", CSV_COLUMNS));
                }
            }
            for (CSVRecord record : parser) {
                long line = parser.getCurrentLineNumber();
                try {
                    String wholeWord = cell(record, header, "wholeword");
                    if (wholeWord != null && !wholeWord.isEmpty() && !wholeWord.equalsIgnoreCase("true")
                            && !wholeWord.equalsIgnoreCase("false")) {
                        throw ApiException.badRequest("wholeWord: true or false, got \"" + wholeWord + "\"");
                    }
                    String pattern = cell(record, header, "pattern");
                    rules.add(RuleJson.rule(pattern == null ? "" : pattern, new RuleJson.Fields(
                            cell(record, header, "action"), cell(record, header, "kind"), cell(record, header, "roomid"),
                            wholeWord == null ? null : Boolean.parseBoolean(wholeWord), cell(record, header, "note"),
                            cell(record, header, "category"), RuleJson.split(cell(record, header, "alternatives")))));
                } catch (ApiException e) {
                    errors.add(error(line, e.getMessage()));
                }
            }
        } catch (IOException | UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
            throw ApiException.badRequest("CSV: " + e.getMessage());
        }
        return checked(rules, errors);
    }

    /** One cell, with the quote our export puts before formula-like text taken off. */
    private static String cell(CSVRecord record, Map<String, Integer> header, String column) {
        Integer index = header.get(column);
        return index == null || index >= record.size() ? null : SpreadsheetCells.restore(record.get(index));
    }

    private static List<KeywordRule.Builder> checked(List<KeywordRule.Builder> rules, List<Map<String, Object>> errors)
            throws ApiException {
        if (!errors.isEmpty()) {
            throw new ApiException(400, errors.size() + " line(s) are not valid rules; nothing was imported",
                    errors.subList(0, Math.min(errors.size(), 100)));
        }
        if (rules.isEmpty()) {
            throw ApiException.badRequest("no rules in the body");
        }
        if (rules.size() > MAX_RULES_PER_IMPORT) {
            throw ApiException.badRequest("at most " + MAX_RULES_PER_IMPORT + " rules per import, got " + rules.size());
        }
        return rules;
    }

    private static Map<String, Object> error(long line, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("line", line);
        error.put("message", message);
        return error;
    }

    static String toCsv(Collection<KeywordRule> rules) {
        StringWriter out = new StringWriter();
        try (CSVPrinter printer = new CSVPrinter(out, CSVFormat.DEFAULT.builder().setHeader(CSV_COLUMNS).get())) {
            for (KeywordRule rule : rules) {
                printer.printRecord(SpreadsheetCells.defuse(rule.getPattern()), RuleJson.toJson(rule, false).get("action"),
                        rule.getKind() == RuleKind.REGEX ? "REGEX" : "LITERAL", rule.getRoomId(), rule.getWholeWord(),
                        SpreadsheetCells.defuse(rule.getNote()), RuleJson.category(rule),
                        SpreadsheetCells.defuse(String.join(RuleJson.ALTERNATIVES_SEPARATOR, rule.getAlternativesList())));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    static String toLines(Collection<KeywordRule> rules) {
        StringBuilder out = new StringBuilder();
        rules.forEach(rule -> out.append(rule.getPattern()).append('\n'));
        return out.toString();
    }
}
