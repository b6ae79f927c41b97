package dev.danmaku.archiver.api;

import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.time.Instant;

import dev.danmaku.archiver.store.ArchivedDanmaku;
import dev.danmaku.common.csv.SpreadsheetCells;

/**
 * Archived danmaku as RFC 4180 CSV, safe to open in a spreadsheet: a text cell that a spreadsheet
 * would take for a formula is prefixed with a single quote ({@link SpreadsheetCells}).
 */
final class CsvRows {

    static final String HEADER = "msgId,roomId,userId,userName,text,color,mode,fontSize,sentAtMs,sentAt,videoOffsetMs,"
            + "verdict,reason,ruleSetVersion,originalText,recalledAtMs\r\n";

    private CsvRows() {
    }

    static void write(Writer out, ArchivedDanmaku row) throws IOException {
        text(out, row.msgId());
        out.write(',');
        text(out, row.roomId());
        out.write(',');
        text(out, row.userId());
        out.write(',');
        text(out, row.userName());
        out.write(',');
        text(out, row.text());
        out.write(',');
        out.write(hexColor(row.color()));
        out.write(',');
        out.write(row.mode());
        out.write(',');
        out.write(Integer.toString(row.fontSize()));
        out.write(',');
        out.write(Long.toString(row.sentAtMs()));
        out.write(',');
        out.write(Instant.ofEpochMilli(row.sentAtMs()).toString());
        out.write(',');
        out.write(Long.toString(row.videoOffsetMs()));
        out.write(',');
        out.write(row.verdict());
        out.write(',');
        if (row.reason() != null) {
            out.write(row.reason());
        }
        out.write(',');
        out.write(Long.toString(row.ruleSetVersion()));
        out.write(',');
        if (row.originalText() != null) {
            text(out, row.originalText());
        }
        out.write(',');
        if (row.recalledAtMs() != null) {
            out.write(Long.toString(row.recalledAtMs()));
        }
        out.write("\r\n");
    }

    /** One text cell: defused if it could start a formula, quoted if it holds a separator, quote or line break. */
    static void text(Writer out, String value) throws IOException {
        String cell = SpreadsheetCells.defuse(value);
        if (needsQuotes(cell)) {
            out.write('"');
            out.write(cell.replace("\"", "\"\""));
            out.write('"');
        } else {
            out.write(cell);
        }
    }

    private static String hexColor(int color) {
        String hex = Integer.toHexString(color & 0xFFFFFF).toUpperCase();
        return "#" + "0".repeat(6 - hex.length()) + hex;
    }

    static String cell(String value) {
        StringWriter out = new StringWriter();
        try {
            text(out, value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    private static boolean needsQuotes(String cell) {
        for (int i = 0; i < cell.length(); i++) {
            char c = cell.charAt(i);
            if (c == ',' || c == '"' || c == '\n' || c == '\r') {
                return true;
            }
        }
        return !cell.isEmpty() && (cell.charAt(0) == ' ' || cell.charAt(cell.length() - 1) == ' ');
    }
}
