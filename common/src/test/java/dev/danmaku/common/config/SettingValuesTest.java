package dev.danmaku.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SettingValuesTest {

    private static final Setting PORT = Setting.of("DANMAKU_TEST_PORT", "8080", "a port");
    private static final Setting WORDS = Setting.of("DANMAKU_TEST_WORDS", "", "words");
    private static final Setting SECRET = Setting.of("DANMAKU_TEST_SECRET", "s3cr3t", "a secret");

    @Test
    void flagWinsOverEnvironmentWhichWinsOverDefault() {
        List<Setting> settings = List.of(PORT, WORDS);
        assertThat(SettingValues.resolve(settings, Map.of(), Map.of()).integer(PORT)).isEqualTo(8080);
        assertThat(SettingValues.resolve(settings, Map.of("DANMAKU_TEST_PORT", "9000"), Map.of()).integer(PORT))
                .isEqualTo(9000);
        assertThat(SettingValues.resolve(settings, Map.of("DANMAKU_TEST_PORT", "9000"),
                Map.of("DANMAKU_TEST_PORT", "9100")).integer(PORT)).isEqualTo(9100);
    }

    @Test
    void flagIsDerivedFromTheVariable() {
        assertThat(PORT.flag()).isEqualTo("--test-port");
    }

    @Test
    void badNumberNamesTheVariableAndTheFlag() {
        SettingValues values = SettingValues.resolve(List.of(PORT), Map.of("DANMAKU_TEST_PORT", "eighty"), Map.of());
        assertThatThrownBy(() -> values.integer(PORT))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("DANMAKU_TEST_PORT")
                .hasMessageContaining("--test-port")
                .hasMessageContaining("eighty");
    }

    @Test
    void listsDropBlanks() {
        SettingValues values = SettingValues.resolve(List.of(WORDS), Map.of("DANMAKU_TEST_WORDS", " a, ,b ,"), Map.of());
        assertThat(values.list(WORDS)).containsExactly("a", "b");
    }

    @Test
    void secretsAreHiddenWhenPrinted() {
        SettingValues values = SettingValues.resolve(List.of(PORT, SECRET), Map.of(), Map.of());
        assertThat(values.toString()).contains("DANMAKU_TEST_PORT=8080").doesNotContain("s3cr3t");
    }

    @Test
    void undeclaredSettingIsAProgrammingError() {
        SettingValues values = SettingValues.resolve(List.of(PORT), Map.of(), Map.of());
        assertThatThrownBy(() -> values.string(WORDS)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void kafkaVariablesPassThroughAsClientProperties() {
        CommonConfig config = CommonConfig.from(SettingValues.resolve(CommonConfig.SETTINGS, Map.of(
                "DANMAKU_JWT_SECRET", "settings-test-secret-0123456789abcdef",
                "DANMAKU_KAFKA_BOOTSTRAP_SERVERS", "k1:9093",
                "DANMAKU_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "DANMAKU_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"), Map.of()));
        assertThat(config.kafkaBootstrapServers()).isEqualTo("k1:9093");
        assertThat(config.kafkaProperties())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .doesNotContainKey("bootstrap.servers");
    }

    @Test
    void aMissingPublishedOrShortJwtSecretIsRefusedWithWhatToDo() {
        assertThat(refusal(Map.of())).contains("DANMAKU_JWT_SECRET is not set").contains("openssl rand");
        assertThat(refusal(Map.of("DANMAKU_JWT_SECRET", "danmaku-dev-secret-change-me-in-production")))
                .contains("published development secret");
        // 31 bytes, whatever the characters
        assertThat(refusal(Map.of("DANMAKU_JWT_SECRET", "a".repeat(31)))).contains("has 31 bytes").contains("at least 32");
        assertThat(refusal(Map.of("DANMAKU_JWT_SECRET", "密".repeat(10)))).contains("has 30 bytes");
        assertThat(CommonConfig.from(SettingValues.resolve(CommonConfig.SETTINGS,
                Map.of("DANMAKU_JWT_SECRET", "密".repeat(11)), Map.of())).jwtSecret()).hasSize(11);
    }

    @Test
    void anIdentityProvidersKeysStandInForTheSecretWhichThenCannotMint() {
        CommonConfig verifying = CommonConfig.from(SettingValues.resolve(CommonConfig.SETTINGS,
                Map.of("DANMAKU_JWT_JWKS_URL", "https://id.example.com/.well-known/jwks.json"), Map.of()));
        assertThatThrownBy(() -> verifying.tokens().issue("a", "A", java.util.Set.of(), java.time.Duration.ofMinutes(1)))
                .isInstanceOf(IllegalStateException.class);
        assertThat(refusal(Map.of("DANMAKU_JWT_JWKS_URL", "http://id.example.com/jwks.json")))
                .startsWith("DANMAKU_JWT_JWKS_URL: keys must come over https");
        assertThat(refusal(Map.of("DANMAKU_JWT_PUBLIC_KEY_FILE", "/nonexistent/idp.pem")))
                .startsWith("DANMAKU_JWT_PUBLIC_KEY_FILE: cannot read /nonexistent/idp.pem");
        assertThat(refusal(Map.of("DANMAKU_JWT_JWKS_URL", "https://id.example.com/jwks.json",
                "DANMAKU_JWT_PUBLIC_KEY_FILE", "/idp.pem"))).contains("not both");
        assertThat(refusal(Map.of("DANMAKU_JWT_JWKS_URL", "https://id.example.com/jwks.json", "DANMAKU_JWT_SECRET", "short")))
                .as("a secret given is still checked").contains("has 5 bytes");
        assertThat(refusal(Map.of())).contains("DANMAKU_JWT_JWKS_URL");
    }

    private static String refusal(Map<String, String> environment) {
        Throwable thrown = catchThrowable(() -> CommonConfig.from(SettingValues.resolve(CommonConfig.SETTINGS, environment, Map.of())));
        assertThat(thrown).isInstanceOf(InvalidSettingException.class);
        return thrown.getMessage();
    }
}
