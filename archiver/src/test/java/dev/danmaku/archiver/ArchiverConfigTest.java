package dev.danmaku.archiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.config.SettingValues;
import dev.danmaku.testkit.TestSecrets;

class ArchiverConfigTest {

    private static ArchiverConfig withUrl(String url) {
        return ArchiverConfig.from(SettingValues.of(ArchiverConfig.SETTINGS, Map.of(CommonConfig.JWT_SECRET.env(),
                TestSecrets.JWT, ArchiverConfig.JDBC_URL.env(), url)));
    }

    @Test
    void neverShowsTheParametersOfAJdbcUrlWhichMayHoldAPassword() {
        String url = "jdbc:postgresql://db:5432/danmaku?user=archiver&password=hunter2hunter2";

        assertThat(withUrl(url).toString()).contains("jdbcUrl=jdbc:postgresql://db:5432/danmaku?******")
                .doesNotContain("hunter2");
        assertThatThrownBy(() -> withUrl("jdbc:mysql://db/danmaku?password=hunter2hunter2"))
                .hasMessageContaining("jdbc:mysql://db/danmaku?******").hasMessageNotContaining("hunter2");
        assertThat(ArchiverConfig.redacted("jdbc:h2:mem:x;PASSWORD=secret")).isEqualTo("jdbc:h2:mem:x;******");
        assertThat(ArchiverConfig.redacted("jdbc:postgresql://db/danmaku")).isEqualTo("jdbc:postgresql://db/danmaku");
    }

    @Test
    void withoutATokenSecretTheSenderKeyIsRequiredAndNeverShown() {
        Map<String, String> verifyingOnly = Map.of(CommonConfig.JWT_JWKS_URL.env(), "https://id.example.com/jwks.json",
                ArchiverConfig.JDBC_URL.env(), "jdbc:h2:mem:x");
        assertThatThrownBy(() -> ArchiverConfig.from(SettingValues.of(ArchiverConfig.SETTINGS, verifyingOnly)))
                .hasMessageStartingWith("DANMAKU_ARCHIVE_SENDER_KEY is not set");

        Map<String, String> withKey = new java.util.HashMap<>(verifyingOnly);
        withKey.put(ArchiverConfig.SENDER_KEY.env(), "k".repeat(40));
        ArchiverConfig config = ArchiverConfig.from(SettingValues.of(ArchiverConfig.SETTINGS, withKey));
        assertThat(config.senderKeyBytes()).hasSize(40);
        assertThat(config.toString()).doesNotContain("kkkk");
        withKey.put(ArchiverConfig.SENDER_KEY.env(), "short");
        assertThatThrownBy(() -> ArchiverConfig.from(SettingValues.of(ArchiverConfig.SETTINGS, withKey)))
                .hasMessageContaining("at least 32 bytes");
        assertThat(withUrl("jdbc:h2:mem:y").senderKeyBytes()).as("derived from the token secret")
                .isEqualTo(TestSecrets.JWT.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
