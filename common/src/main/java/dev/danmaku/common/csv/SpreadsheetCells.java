package dev.danmaku.common.csv;

/**
 * CSV cells safe to open in a spreadsheet (OWASP "CSV injection"): a text a spreadsheet would take
 * for a formula (starting with = + - @, tab or carriage return, or a full-width = + - @) gets a
 * leading single quote, which spreadsheets show as text (so does a text of quotes and then a
 * formula); {@link #restore} takes it off again for files read back by us.
 */
public final class SpreadsheetCells {

    private SpreadsheetCells() {
    }

    public static String defuse(String value) {
        return startsFormula(value, leadingQuotes(value)) ? "'" + value : value;
    }

    /** The text {@link #defuse} was given: quotes before a formula lose one, so any text comes back exactly. */
    public static String restore(String cell) {
        int quotes = leadingQuotes(cell);
        return quotes > 0 && startsFormula(cell, quotes) ? cell.substring(1) : cell;
    }

    private static int leadingQuotes(String value) {
        int quotes = 0;
        while (quotes < value.length() && value.charAt(quotes) == '\'') {
            quotes++;
        }
        return quotes;
    }

    private static boolean startsFormula(String value, int at) {
        if (value.length() <= at) {
            return false;
        }
        char first = value.charAt(at);
        return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r'
                || first == '＝' || first == '＋' || first == '－' || first == '＠';
    }
}
