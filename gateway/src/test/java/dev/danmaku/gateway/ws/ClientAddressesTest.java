package dev.danmaku.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

class ClientAddressesTest {

    private final ClientAddresses behindIngress = ClientAddresses.trusting(List.of("10.0.0.0/8", "fd00::/8", "192.168.1.7"));

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void aConnectionThroughTheIngressCountsAgainstTheClientItNames() throws Exception {
        assertThat(behindIngress.of(ip("10.1.2.3"), "203.0.113.9")).isEqualTo("203.0.113.9");
        // more proxies of ours in the chain are skipped; what the client wrote itself, left of them, is not believed
        assertThat(behindIngress.of(ip("10.1.2.3"), "6.6.6.6, 203.0.113.9, 192.168.1.7")).isEqualTo("203.0.113.9");
        assertThat(behindIngress.of(ip("fd00::5"), "198.51.100.4")).isEqualTo("198.51.100.4");
    }

    @Test
    void anyoneElsesForwardedForIsIgnored() throws Exception {
        assertThat(behindIngress.of(ip("203.0.113.9"), "1.2.3.4")).as("a client naming another").isEqualTo("203.0.113.9");
        assertThat(ClientAddresses.trusting(List.of()).of(ip("10.1.2.3"), "1.2.3.4")).as("no proxy trusted")
                .isEqualTo("10.1.2.3");
        assertThat(behindIngress.of(ip("10.1.2.3"), "evil.example.com")).as("not an address: the proxy is who we know")
                .isEqualTo("10.1.2.3");
        assertThat(behindIngress.of(ip("10.1.2.3"), null)).isEqualTo("10.1.2.3");
    }

    @Test
    void ipv6CountsByItsSlash64() throws Exception {
        String one = behindIngress.of(ip("2001:db8:1:2::1"), null);
        assertThat(behindIngress.of(ip("2001:db8:1:2:ffff::9"), null)).isEqualTo(one).isEqualTo("2001:db8:1:2::/64");
        assertThat(behindIngress.of(ip("2001:db8:1:3::1"), null)).isNotEqualTo(one);
        assertThat(behindIngress.of(ip("10.0.0.1"), "[2001:db8:1:2::77]")).isEqualTo(one);
    }

    @Test
    void aBadProxyIsRefusedWithWhatIsWrong() {
        assertThatThrownBy(() -> ClientAddresses.trusting(List.of("ingress.example.com"))).hasMessageContaining("not an address");
        assertThatThrownBy(() -> ClientAddresses.trusting(List.of("10.0.0.0/33"))).hasMessageContaining("prefix out of range");
        assertThatThrownBy(() -> ClientAddresses.trusting(List.of("10.0.0.0/x"))).hasMessageContaining("not an address");
    }
}
