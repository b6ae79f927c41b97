package dev.danmaku.archiver;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.config.Setting;
import dev.danmaku.common.config.SettingValues;

/** The archiver's settings (DESIGN §7). */
public record ArchiverConfig(CommonConfig common, int port, String jdbcUrl, String jdbcUser, String jdbcPassword,
        int maxPoolSize) {

    public static final Setting PORT = new Setting("DANMAKU_ARCHIVE_PORT", "--port", "8091",
            "Port of the analyst API and the probes");
    public static final Setting DATA_DIR = Setting.of("DANMAKU_DATA_DIR", "./data",
            "Where embedded data lives (the H2 archive when no JDBC URL is set)");
    public static final Setting JDBC_URL = Setting.of("DANMAKU_ARCHIVE_JDBC_URL", "",
            "PostgreSQL JDBC URL of the archive; empty = embedded H2 under the data directory");
    public static final Setting JDBC_USER = Setting.of("DANMAKU_ARCHIVE_JDBC_USER", "",
            "Database user of the archive");
    public static final Setting JDBC_PASSWORD = Setting.of("DANMAKU_ARCHIVE_JDBC_PASSWORD", "",
            "Database password of the archive");
    public static final Setting POOL_SIZE = Setting.of("DANMAKU_ARCHIVE_POOL_SIZE", "8",
            "Database connections the archiver may hold");

    public static final List<Setting> SETTINGS = Stream.concat(CommonConfig.SETTINGS.stream(),
            Stream.of(PORT, DATA_DIR, JDBC_URL, JDBC_USER, JDBC_PASSWORD, POOL_SIZE)).toList();

    public ArchiverConfig {
        if (port < 0 || port > 65535) {
            throw SettingValues.invalid(PORT, Integer.toString(port), "a port number 0-65535");
        }
        if (!jdbcUrl.startsWith("jdbc:postgresql:") && !jdbcUrl.startsWith("jdbc:h2:")) {
            throw SettingValues.invalid(JDBC_URL, jdbcUrl, "a jdbc:postgresql: or jdbc:h2: URL");
        }
        if (maxPoolSize < 1) {
            throw SettingValues.invalid(POOL_SIZE, Integer.toString(maxPoolSize), "at least 1");
        }
    }

    public static ArchiverConfig from(SettingValues values) {
        String url = values.string(JDBC_URL);
        if (url.isBlank()) {
            url = embeddedUrl(Path.of(values.string(DATA_DIR)));
        }
        return new ArchiverConfig(CommonConfig.from(values), values.integer(PORT), url,
                values.string(JDBC_USER), values.string(JDBC_PASSWORD), values.integer(POOL_SIZE));
    }

    /** H2 in PostgreSQL mode, so the archive's SQL is the same on both. */
    public static String embeddedUrl(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().normalize().resolve("archive").resolve("danmaku")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
    }

    @Override
    public String toString() {
        return "ArchiverConfig[" + common + ", port=" + port + ", jdbcUrl=" + jdbcUrl + ", jdbcUser=" + jdbcUser
                + ", jdbcPassword=******, maxPoolSize=" + maxPoolSize + "]";
    }
}
