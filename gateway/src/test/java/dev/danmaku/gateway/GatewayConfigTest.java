package dev.danmaku.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.config.InvalidSettingException;
import dev.danmaku.common.config.SettingValues;
import dev.danmaku.testkit.TestSecrets;

class GatewayConfigTest {

    private static GatewayConfig withFrameAncestors(String value) {
        return GatewayConfig.from(SettingValues.of(GatewayConfig.SETTINGS, Map.of(CommonConfig.JWT_SECRET.env(),
                TestSecrets.JWT, GatewayConfig.FRAME_ANCESTORS.env(), value, GatewayConfig.ALLOWED_ORIGINS.env(), "*")));
    }

    @org.junit.jupiter.api.Test
    void refusesToStartWithoutTheOriginsItServes() {
        assertThatThrownBy(() -> GatewayConfig.from(SettingValues.of(GatewayConfig.SETTINGS,
                Map.of(CommonConfig.JWT_SECRET.env(), TestSecrets.JWT))))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("DANMAKU_GATEWAY_ALLOWED_ORIGINS is not set: list the sites");
        assertThat(GatewayConfig.from(SettingValues.of(GatewayConfig.SETTINGS, Map.of(CommonConfig.JWT_SECRET.env(),
                TestSecrets.JWT, GatewayConfig.ALLOWED_ORIGINS.env(), "https://a.example,https://b.example")))
                .allowedOrigins()).containsExactly("https://a.example", "https://b.example");
    }

    @org.junit.jupiter.api.Test
    void refusesASlowViewerTimeoutTheListenersWriteTimeoutWouldPreempt() {
        assertThatThrownBy(() -> GatewayConfig.from(SettingValues.of(GatewayConfig.SETTINGS, Map.of(CommonConfig.JWT_SECRET.env(),
                TestSecrets.JWT, GatewayConfig.ALLOWED_ORIGINS.env(), "*", GatewayConfig.SLOW_VIEWER_TIMEOUT.env(), "60000"))))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("DANMAKU_GATEWAY_SLOW_VIEWER_TIMEOUT_MS").hasMessageContaining("less than 60000");
    }

    @org.junit.jupiter.api.Test
    void refusesTheProxyProtocolWhereTheProbesWouldNeedIt() {
        Map<String, String> proxied = Map.of(CommonConfig.JWT_SECRET.env(), TestSecrets.JWT,
                GatewayConfig.ALLOWED_ORIGINS.env(), "*", GatewayConfig.PROXY_PROTOCOL.env(), "true");
        assertThatThrownBy(() -> GatewayConfig.from(SettingValues.of(GatewayConfig.SETTINGS, proxied)))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("DANMAKU_GATEWAY_PROXY_PROTOCOL").hasMessageContaining("DANMAKU_MANAGEMENT_PORT");
        var withManagementPort = new java.util.HashMap<>(proxied);
        withManagementPort.put(CommonConfig.MANAGEMENT_PORT.env(), "9090");
        assertThat(GatewayConfig.from(SettingValues.of(GatewayConfig.SETTINGS, withManagementPort)).proxyProtocol()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"'self'", "'none'", "*", "https://example.com", "'self' https://*.example.com:8443 https:",
            "example.com"})
    void takesFrameAncestorsThatAreSources(String value) {
        assertThat(withFrameAncestors(value).viewerFrameAncestors()).isEqualTo(value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"'self'; script-src *", "https://a.com, https://b.com", "'unsafe-inline'", "'none' 'self'",
            "\"self\"", ""})
    void refusesFrameAncestorsThatCouldBreakOutOfTheDirective(String value) {
        assertThatThrownBy(() -> withFrameAncestors(value)).isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("DANMAKU_GATEWAY_FRAME_ANCESTORS");
    }
}
