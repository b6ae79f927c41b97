package dev.danmaku.archiver;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import dev.danmaku.archiver.store.ArchiveStore;
import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.config.InvalidSettingException;
import dev.danmaku.common.config.Setting;
import dev.danmaku.common.config.SettingValues;

/** The archiver's settings (DESIGN §7). */
public record ArchiverConfig(CommonConfig common, int port, String jdbcUrl, String jdbcUser, String jdbcPassword,
        int maxPoolSize, int batchSize, long retryMaxMs, int partitionDaysAhead, int retentionDays,
        int refusedTextDays, int maintenanceMinutes, int maxReplays, String senderKey, boolean playerApi) {

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
            "Database connections of the archive API (queries, exports, replays); ingest, imports and maintenance"
                    + " hold " + ArchiveStore.WRITE_POOL_SIZE + " more of their own");
    public static final Setting BATCH_SIZE = Setting.of("DANMAKU_ARCHIVE_BATCH_SIZE", "2000",
            "Most verdicts stored in one database transaction (Kafka max.poll.records)");
    public static final Setting RETRY_MAX_MS = Setting.of("DANMAKU_ARCHIVE_RETRY_MAX_MS", "30000",
            "Longest pause between retries while the database is unavailable, in milliseconds");
    public static final Setting PARTITION_DAYS_AHEAD = Setting.of("DANMAKU_ARCHIVE_PARTITION_DAYS_AHEAD", "7",
            "Daily PostgreSQL partitions created ahead of time");
    public static final Setting RETENTION_DAYS = Setting.of("DANMAKU_ARCHIVE_RETENTION_DAYS", "365",
            "Drop archived danmaku older than this many days (whole daily partitions); 0 = keep forever");
    public static final Setting REFUSED_TEXT_DAYS = Setting.of("DANMAKU_ARCHIVE_REFUSED_TEXT_DAYS", "30",
            "Clear the text of rejected and shadowed danmaku and the original of masked ones after this many days"
                    + " (the rows stay for statistics); 0 = keep");
    public static final Setting MAINTENANCE_MINUTES = Setting.of("DANMAKU_ARCHIVE_MAINTENANCE_MINUTES", "60",
            "How often partitions are created ahead and retention runs, in minutes");
    public static final Setting MAX_REPLAYS = Setting.of("DANMAKU_ARCHIVE_MAX_REPLAYS", "32",
            "Replay WebSockets open at once; more are refused");
    public static final Setting SENDER_KEY = Setting.of("DANMAKU_ARCHIVE_SENDER_KEY", "",
            "Keys the sender hash of Bilibili XML exports, the same on every archiver (32 bytes or more); empty ="
                    + " derived from DANMAKU_JWT_SECRET, so required without one");
    public static final Setting PLAYER_API = Setting.of("DANMAKU_ARCHIVE_PLAYER_API", "false",
            "Serve what viewers saw of each room without a token, in DPlayer's danmaku API"
                    + " (GET /api/v1/archive/player/dplayer/v3/?id=ROOM), for players that read danmaku themselves");

    public static final List<Setting> SETTINGS = Stream.concat(CommonConfig.SETTINGS.stream(),
            Stream.of(PORT, DATA_DIR, JDBC_URL, JDBC_USER, JDBC_PASSWORD, POOL_SIZE, BATCH_SIZE, RETRY_MAX_MS,
                    PARTITION_DAYS_AHEAD, RETENTION_DAYS, REFUSED_TEXT_DAYS, MAINTENANCE_MINUTES, MAX_REPLAYS,
                    SENDER_KEY, PLAYER_API)).toList();

    public ArchiverConfig {
        if (port < 0 || port > 65535) {
            throw SettingValues.invalid(PORT, Integer.toString(port), "a port number 0-65535");
        }
        if (!jdbcUrl.startsWith("jdbc:postgresql:") && !jdbcUrl.startsWith("jdbc:h2:")) {
            throw SettingValues.invalid(JDBC_URL, redacted(jdbcUrl), "a jdbc:postgresql: or jdbc:h2: URL");
        }
        if (maxPoolSize < 1) {
            throw SettingValues.invalid(POOL_SIZE, Integer.toString(maxPoolSize), "at least 1");
        }
        if (batchSize < 1 || batchSize > 50_000) {
            throw SettingValues.invalid(BATCH_SIZE, Integer.toString(batchSize), "1-50000");
        }
        if (retryMaxMs < 100) {
            throw SettingValues.invalid(RETRY_MAX_MS, Long.toString(retryMaxMs), "at least 100");
        }
        if (partitionDaysAhead < 0 || partitionDaysAhead > 366) {
            throw SettingValues.invalid(PARTITION_DAYS_AHEAD, Integer.toString(partitionDaysAhead), "0-366");
        }
        if (retentionDays < 0) {
            throw SettingValues.invalid(RETENTION_DAYS, Integer.toString(retentionDays), "0 (keep forever) or more");
        }
        if (refusedTextDays < 0) {
            throw SettingValues.invalid(REFUSED_TEXT_DAYS, Integer.toString(refusedTextDays), "0 (keep) or more");
        }
        if (maintenanceMinutes < 1) {
            throw SettingValues.invalid(MAINTENANCE_MINUTES, Integer.toString(maintenanceMinutes), "at least 1");
        }
        if (maxReplays < 0) {
            throw SettingValues.invalid(MAX_REPLAYS, Integer.toString(maxReplays), "0 (no replays) or more");
        }
        if (senderKey.isBlank() && common.jwtSecret().isBlank()) {
            throw new InvalidSettingException(SENDER_KEY.env() + " is not set, and there is no " + CommonConfig.JWT_SECRET.env()
                    + " to derive it from: give every archiver the same random key (e.g. openssl rand -base64 48)");
        }
        if (!senderKey.isBlank() && senderKey.getBytes(StandardCharsets.UTF_8).length < CommonConfig.MIN_JWT_SECRET_BYTES) {
            throw SettingValues.invalid(SENDER_KEY, "******", "at least " + CommonConfig.MIN_JWT_SECRET_BYTES + " bytes");
        }
    }

    /** The defaults for everything beyond the database connection. */
    public ArchiverConfig(CommonConfig common, int port, String jdbcUrl, String jdbcUser, String jdbcPassword,
            int maxPoolSize) {
        this(common, port, jdbcUrl, jdbcUser, jdbcPassword, maxPoolSize,
                Integer.parseInt(BATCH_SIZE.defaultValue()), Long.parseLong(RETRY_MAX_MS.defaultValue()),
                Integer.parseInt(PARTITION_DAYS_AHEAD.defaultValue()), Integer.parseInt(RETENTION_DAYS.defaultValue()),
                Integer.parseInt(REFUSED_TEXT_DAYS.defaultValue()), Integer.parseInt(MAINTENANCE_MINUTES.defaultValue()),
                Integer.parseInt(MAX_REPLAYS.defaultValue()), "", false);
    }

    public static ArchiverConfig from(SettingValues values) {
        String url = values.string(JDBC_URL);
        if (url.isBlank()) {
            url = embeddedUrl(Path.of(values.string(DATA_DIR)));
        }
        return new ArchiverConfig(CommonConfig.from(values), values.integer(PORT), url,
                values.string(JDBC_USER), values.string(JDBC_PASSWORD), values.integer(POOL_SIZE),
                values.integer(BATCH_SIZE), values.longValue(RETRY_MAX_MS), values.integer(PARTITION_DAYS_AHEAD),
                values.integer(RETENTION_DAYS), values.integer(REFUSED_TEXT_DAYS), values.integer(MAINTENANCE_MINUTES),
                values.integer(MAX_REPLAYS), values.string(SENDER_KEY), values.bool(PLAYER_API));
    }

    /** The same settings on another port and database (the launcher's dev platform, tests). */
    public ArchiverConfig withPortAndCommon(int otherPort, CommonConfig otherCommon) {
        return new ArchiverConfig(otherCommon, otherPort, jdbcUrl, jdbcUser, jdbcPassword, maxPoolSize, batchSize,
                retryMaxMs, partitionDaysAhead, retentionDays, refusedTextDays, maintenanceMinutes, maxReplays, senderKey,
                playerApi);
    }

    public ArchiverConfig withBatchSize(int otherBatchSize) {
        return new ArchiverConfig(common, port, jdbcUrl, jdbcUser, jdbcPassword, maxPoolSize, otherBatchSize,
                retryMaxMs, partitionDaysAhead, retentionDays, refusedTextDays, maintenanceMinutes, maxReplays, senderKey,
                playerApi);
    }

    public ArchiverConfig withRetryMaxMs(long otherRetryMaxMs) {
        return new ArchiverConfig(common, port, jdbcUrl, jdbcUser, jdbcPassword, maxPoolSize, batchSize,
                otherRetryMaxMs, partitionDaysAhead, retentionDays, refusedTextDays, maintenanceMinutes, maxReplays, senderKey,
                playerApi);
    }

    /** What keys the sender hash of exports: the sender key, or else the token secret (derived from, never used as is). */
    public byte[] senderKeyBytes() {
        return (senderKey.isBlank() ? common.jwtSecret() : senderKey).getBytes(StandardCharsets.UTF_8);
    }

    /** H2 in PostgreSQL mode, so the archive's SQL is the same on both. */
    public static String embeddedUrl(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().normalize().resolve("archive").resolve("danmaku")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
    }

    /** A JDBC URL without its parameters, which may carry a password (?password=, ;PASSWORD=). */
    static String redacted(String jdbcUrl) {
        int parameters = jdbcUrl.startsWith("jdbc:h2:") ? jdbcUrl.indexOf(';') : jdbcUrl.indexOf('?');
        return parameters < 0 ? jdbcUrl : jdbcUrl.substring(0, parameters) + (jdbcUrl.charAt(parameters) + "******");
    }

    @Override
    public String toString() {
        return "ArchiverConfig[" + common + ", port=" + port + ", jdbcUrl=" + redacted(jdbcUrl) + ", jdbcUser=" + jdbcUser
                + ", jdbcPassword=******, maxPoolSize=" + maxPoolSize + ", batchSize=" + batchSize + ", retryMaxMs="
                + retryMaxMs + ", partitionDaysAhead=" + partitionDaysAhead + ", retentionDays=" + retentionDays
                + ", refusedTextDays=" + refusedTextDays + ", maintenanceMinutes=" + maintenanceMinutes + ", maxReplays=" + maxReplays
                + ", senderKey=" + (senderKey.isBlank() ? "(from the token secret)" : "******") + ", playerApi=" + playerApi + "]";
    }
}
