package dev.danmaku.testkit;

/** A private, empty PostgreSQL schema for one test class; dropped when the class ends. */
public record PostgresDatabase(String jdbcUrl, String user, String password, String schema) {
}
