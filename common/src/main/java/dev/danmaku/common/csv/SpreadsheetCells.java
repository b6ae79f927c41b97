package dev.danmaku.common.csv;

/**
 * CSV cells safe to open in a spreadsheet (OWASP "CSV injection"): a text a spreadsheet would take
 * for a formula (starting with = + - @, tab or carriage return, or a full-width = + - @) gets a
 * leading single quote, which spreadsheets show as text; {@link #restore} takes it off again for
 * files read back by us.
 */
public final class SpreadsheetCells {

    private SpreadsheetCells() {
    }

    public static String defuse(String value) {
        return startsFormula(value, 0) ? "'" + value : value;
    }

    /** The text {@link #defuse} was given. */
    public static String restore(String cell) {
        return cell.length() > 1 && cell.charAt(0) == '\'' && startsFormula(cell, 1) ? cell.substring(1) : cell;
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
