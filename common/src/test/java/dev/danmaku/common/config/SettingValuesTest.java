package dev.danmaku.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    void tooShortJwtSecretIsRefused() {
        assertThatThrownBy(() -> CommonConfig.from(SettingValues.resolve(CommonConfig.SETTINGS,
                Map.of("DANMAKU_JWT_SECRET", "short"), Map.of())))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("DANMAKU_JWT_SECRET");
    }
}
