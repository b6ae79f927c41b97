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
}
