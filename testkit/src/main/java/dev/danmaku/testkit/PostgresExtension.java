package dev.danmaku.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Provides the machine's real PostgreSQL (DANMAKU_TEST_POSTGRES_URL, default the local server's
 * {@code test} database) to a test class as a fresh schema of its own. A server that cannot be
 * reached fails the test: CI starts one, so skipping would only hide a broken setup.
 */
public final class PostgresExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PostgresExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == PostgresDatabase.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ExtensionContext classContext = context.getTestClass().isPresent() && context.getTestMethod().isPresent()
                ? context.getParent().orElse(context) : context;
        return classContext.getStore(NAMESPACE)
                .getOrComputeIfAbsent("schema", key -> createSchema(), PrivateSchema.class).database();
    }

    private static PrivateSchema createSchema() {
        String baseUrl = System.getenv().getOrDefault("DANMAKU_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
        String user = System.getenv().getOrDefault("DANMAKU_TEST_POSTGRES_USER", "postgres");
        String password = System.getenv().getOrDefault("DANMAKU_TEST_POSTGRES_PASSWORD", "");
        String schema = "it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
        execute(baseUrl, user, password, "CREATE SCHEMA " + schema);
        String separator = baseUrl.contains("?") ? "&" : "?";
        return new PrivateSchema(new PostgresDatabase(baseUrl + separator + "currentSchema=" + schema, user, password, schema),
                baseUrl);
    }

    private static void execute(String url, String user, String password, String sql) {
        try (Connection connection = DriverManager.getConnection(url, user, password);
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + url + " as " + user + ": " + e.getMessage()
                    + " (start it, or point DANMAKU_TEST_POSTGRES_URL at one)", e);
        }
    }

    record PrivateSchema(PostgresDatabase database, String baseUrl) implements AutoCloseable {
        @Override
        public void close() {
            execute(baseUrl, database.user(), database.password(), "DROP SCHEMA " + database.schema() + " CASCADE");
        }
    }
}
