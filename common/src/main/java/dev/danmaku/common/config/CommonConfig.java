package dev.danmaku.common.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import dev.danmaku.common.auth.IssuerKeys;
import dev.danmaku.common.auth.Tokens;

/** Settings every service shares: Kafka, topics, tokens, where to listen. */
public record CommonConfig(
        String kafkaBootstrapServers,
        Map<String, String> kafkaProperties,
        String topicPrefix,
        int topicPartitions,
        short topicReplicationFactor,
        String jwtSecret,
        String jwtJwksUrl,
        String jwtPublicKeyFile,
        String jwtIssuer,
        String jwtAudience,
        int staffTokenMinutes,
        String bindHost,
        int managementPort) {

    /** Shipped as the default by earlier versions, so public: refused everywhere. */
    static final String PUBLISHED_DEV_SECRET = "danmaku-dev-secret-change-me-in-production";
    public static final int MIN_JWT_SECRET_BYTES = 32;
    private static final String KAFKA_PREFIX = "DANMAKU_KAFKA_";

    public static final Setting KAFKA_BOOTSTRAP_SERVERS = Setting.of("DANMAKU_KAFKA_BOOTSTRAP_SERVERS",
            "localhost:9092", "Kafka bootstrap servers. Any other DANMAKU_KAFKA_* variable is passed to the Kafka"
                    + " clients as a property (DANMAKU_KAFKA_SECURITY_PROTOCOL → security.protocol)");
    public static final Setting TOPIC_PREFIX = Setting.of("DANMAKU_TOPIC_PREFIX", "",
            "Prefix of every topic name, so several installations can share one cluster");
    public static final Setting TOPIC_PARTITIONS = Setting.of("DANMAKU_TOPIC_PARTITIONS", "6",
            "Partitions of topics this service creates when they are missing");
    public static final Setting TOPIC_REPLICATION_FACTOR = Setting.of("DANMAKU_TOPIC_REPLICATION_FACTOR", "-1",
            "Replication factor of topics this service creates; -1 = the broker's default");
    public static final Setting JWT_SECRET = Setting.of("DANMAKU_JWT_SECRET", "",
            "HS256 secret that signs viewer, moderator and analyst tokens: the same random " + MIN_JWT_SECRET_BYTES
                    + " bytes or more for every service (openssl rand -base64 48); required, except that dev"
                    + " keeps a random one in its data directory, and that with DANMAKU_JWT_JWKS_URL or"
                    + " DANMAKU_JWT_PUBLIC_KEY_FILE a service without it accepts only the identity provider's tokens"
                    + " and can mint none");
    public static final Setting JWT_JWKS_URL = Setting.of("DANMAKU_JWT_JWKS_URL", "",
            "JWKS URL of an identity provider whose RS256/ES256/EdDSA tokens are accepted too (https, or http on this"
                    + " machine), each checked with the key its kid names");
    public static final Setting JWT_PUBLIC_KEY_FILE = Setting.of("DANMAKU_JWT_PUBLIC_KEY_FILE", "",
            "PEM file with the public key (RSA, EC or Ed25519) of an identity provider whose RS256/ES256/EdDSA tokens are"
                    + " accepted too; instead of DANMAKU_JWT_JWKS_URL");
    public static final Setting JWT_ISSUER = Setting.of("DANMAKU_JWT_ISSUER", Tokens.ISSUER,
            "The iss claim that the identity provider's tokens must carry");
    public static final Setting JWT_AUDIENCE = Setting.of("DANMAKU_JWT_AUDIENCE", Tokens.AUDIENCE,
            "The aud claim that the identity provider's tokens must carry");
    public static final Setting STAFF_TOKEN_MINUTES = Setting.of("DANMAKU_JWT_STAFF_LIFETIME_MINUTES", "60",
            "Longest life, in minutes, of a token with the moderator, analyst or admin role (1-1440); viewer"
                    + " tokens live at most 24 h");
    public static final Setting BIND_HOST = Setting.of("DANMAKU_BIND_HOST", "0.0.0.0",
            "Address the HTTP/WebSocket listener binds to");

    public static final Setting MANAGEMENT_PORT = Setting.of("DANMAKU_MANAGEMENT_PORT", "-1",
            "Port of /healthz, /readyz and /metrics alone, so an ingress that routes the service port never"
                    + " exposes them; -1 = on the service's own port");
    public static final List<Setting> SETTINGS = List.of(
            KAFKA_BOOTSTRAP_SERVERS, TOPIC_PREFIX, TOPIC_PARTITIONS, TOPIC_REPLICATION_FACTOR, JWT_SECRET, JWT_JWKS_URL,
            JWT_PUBLIC_KEY_FILE, JWT_ISSUER, JWT_AUDIENCE, STAFF_TOKEN_MINUTES, BIND_HOST, MANAGEMENT_PORT);

    public CommonConfig {
        if (kafkaBootstrapServers.isBlank()) {
            throw new InvalidSettingException(KAFKA_BOOTSTRAP_SERVERS.env() + " must not be empty");
        }
        if (topicPartitions < 1) {
            throw SettingValues.invalid(TOPIC_PARTITIONS, Integer.toString(topicPartitions), "at least 1");
        }
        if (topicReplicationFactor == 0 || topicReplicationFactor < -1) {
            throw SettingValues.invalid(TOPIC_REPLICATION_FACTOR, Short.toString(topicReplicationFactor),
                    "-1 or at least 1");
        }
        if (!jwtJwksUrl.isBlank() && !jwtPublicKeyFile.isBlank()) {
            throw new InvalidSettingException("set one of " + JWT_JWKS_URL.env() + " and " + JWT_PUBLIC_KEY_FILE.env()
                    + ", not both");
        }
        issuerKeys(jwtJwksUrl, jwtPublicKeyFile); // a bad URL or key file fails at start, with one line
        boolean providerKeys = !jwtJwksUrl.isBlank() || !jwtPublicKeyFile.isBlank();
        if (jwtSecret.isBlank() && !providerKeys) {
            throw new InvalidSettingException(JWT_SECRET.env() + " is not set: give every service the same random secret of"
                    + " at least " + MIN_JWT_SECRET_BYTES + " bytes (e.g. openssl rand -base64 48), or your identity"
                    + " provider's keys (" + JWT_JWKS_URL.env() + ")");
        }
        if (!jwtSecret.isBlank()) {
            checkJwtSecret(jwtSecret);
        }
        if (jwtIssuer.isBlank() || jwtAudience.isBlank()) {
            throw new InvalidSettingException(JWT_ISSUER.env() + " and " + JWT_AUDIENCE.env() + " must not be empty");
        }
        if (staffTokenMinutes < 1 || staffTokenMinutes > Tokens.MAX_LIFETIME.toMinutes()) {
            throw SettingValues.invalid(STAFF_TOKEN_MINUTES, Integer.toString(staffTokenMinutes), "1 to 1440 minutes");
        }
        if (managementPort < -1 || managementPort > 65535) {
            throw SettingValues.invalid(MANAGEMENT_PORT, Integer.toString(managementPort), "-1 or a port number 0-65535");
        }
        kafkaProperties = Map.copyOf(kafkaProperties);
    }

    public static CommonConfig from(SettingValues values) {
        Map<String, String> kafka = new TreeMap<>();
        values.environmentWithPrefix(KAFKA_PREFIX).forEach((key, value) ->
                kafka.put(key.toLowerCase(Locale.ROOT).replace('_', '.'), value));
        kafka.remove("bootstrap.servers");
        return new CommonConfig(
                values.string(KAFKA_BOOTSTRAP_SERVERS),
                kafka,
                values.string(TOPIC_PREFIX),
                values.integer(TOPIC_PARTITIONS),
                (short) values.integer(TOPIC_REPLICATION_FACTOR),
                values.string(JWT_SECRET),
                values.string(JWT_JWKS_URL),
                values.string(JWT_PUBLIC_KEY_FILE),
                values.string(JWT_ISSUER),
                values.string(JWT_AUDIENCE),
                values.integer(STAFF_TOKEN_MINUTES),
                values.string(BIND_HOST),
                values.integer(MANAGEMENT_PORT));
    }

    /**
     * Verifies and signs tokens with this installation's secret and staff lifetime; verifies the
     * identity provider's too when its keys are set. Without a secret it mints nothing.
     */
    public Tokens tokens() {
        return new Tokens(jwtSecret.isBlank() ? null : jwtSecret, Duration.ofMinutes(staffTokenMinutes),
                issuerKeys(jwtJwksUrl, jwtPublicKeyFile), jwtIssuer, jwtAudience);
    }

    private static IssuerKeys issuerKeys(String jwksUrl, String publicKeyFile) {
        try {
            if (!jwksUrl.isBlank()) {
                return IssuerKeys.fromJwksUrl(jwksUrl.strip());
            }
            return publicKeyFile.isBlank() ? null : IssuerKeys.fromPemFile(Path.of(publicKeyFile.strip()));
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException((jwksUrl.isBlank() ? JWT_PUBLIC_KEY_FILE : JWT_JWKS_URL).env() + ": "
                    + e.getMessage());
        }
    }

    /** Refuses a token secret anyone could know or guess, with one line that says what to do. */
    public static String checkJwtSecret(String secret) {
        if (secret.isBlank()) {
            throw new InvalidSettingException(JWT_SECRET.env() + " is not set: give every service the same random secret of"
                    + " at least " + MIN_JWT_SECRET_BYTES + " bytes (e.g. openssl rand -base64 48)");
        }
        if (secret.equals(PUBLISHED_DEV_SECRET)) {
            throw new InvalidSettingException(JWT_SECRET.env() + " is the published development secret, with which anyone"
                    + " can sign admin tokens: set a random one (e.g. openssl rand -base64 48)");
        }
        int bytes = secret.getBytes(StandardCharsets.UTF_8).length;
        if (bytes < MIN_JWT_SECRET_BYTES) {
            throw new InvalidSettingException(JWT_SECRET.env() + " has " + bytes + " bytes; it needs at least "
                    + MIN_JWT_SECRET_BYTES + " (e.g. openssl rand -base64 48)");
        }
        return secret;
    }

    public CommonConfig withManagementPort(int otherManagementPort) {
        return new CommonConfig(kafkaBootstrapServers, kafkaProperties, topicPrefix, topicPartitions,
                topicReplicationFactor, jwtSecret, jwtJwksUrl, jwtPublicKeyFile, jwtIssuer, jwtAudience, staffTokenMinutes,
                bindHost, otherManagementPort);
    }

    public CommonConfig withKafkaBootstrapServers(String bootstrapServers) {
        return new CommonConfig(bootstrapServers, kafkaProperties, topicPrefix, topicPartitions,
                topicReplicationFactor, jwtSecret, jwtJwksUrl, jwtPublicKeyFile, jwtIssuer, jwtAudience, staffTokenMinutes,
                bindHost, managementPort);
    }

    @Override
    public String toString() {
        return "CommonConfig[kafka=" + kafkaBootstrapServers + ", kafkaProperties=" + kafkaProperties.keySet()
                + ", topicPrefix='" + topicPrefix + "', partitions=" + topicPartitions
                + ", replication=" + topicReplicationFactor + ", jwtSecret=******, jwtJwksUrl=" + jwtJwksUrl + ", jwtPublicKeyFile="
                + jwtPublicKeyFile + ", staffTokenMinutes=" + staffTokenMinutes + ", bindHost=" + bindHost + ", managementPort=" + managementPort + "]";
    }
}
