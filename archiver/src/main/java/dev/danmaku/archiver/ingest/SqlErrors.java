package dev.danmaku.archiver.ingest;

import java.sql.SQLException;

/** Sorts database failures: bad data (retrying cannot help) from everything else (retrying will). */
final class SqlErrors {

    private SqlErrors() {
    }

    /**
     * SQLSTATE class 22 (data exception) or 23 (integrity violation): the rows, not the database,
     * are at fault. Anything else (connection lost, shut down, out of resources, timeouts) is
     * worth retrying.
     */
    static boolean isBadData(SQLException e) {
        for (SQLException cause = e; cause != null; cause = cause.getNextException()) {
            String state = cause.getSQLState();
            if (state != null && (state.startsWith("22") || state.startsWith("23"))) {
                return true;
            }
        }
        return false;
    }

    /** The message without the SQL a batch failure quotes in full: first line, then the underlying cause. */
    static String brief(SQLException e) {
        SQLException cause = e.getNextException() != null ? e.getNextException() : e;
        String message = String.valueOf(cause.getMessage());
        int newline = message.indexOf('\n');
        String firstLine = newline < 0 ? message : message.substring(0, newline);
        return firstLine.length() > 300 ? firstLine.substring(0, 300) + "…" : firstLine;
    }
}
