package io.tvkraken.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ClientAddressTest {

    private final ClientAddress behindProxies = new ClientAddress("10.0.0.0/8, 192.0.2.1");

    @Test
    void withoutTrustedProxiesThePeerIsTheClient() {
        assertThat(new ClientAddress("").of("198.51.100.4", "203.0.113.7")).isEqualTo("198.51.100.4");
    }

    @Test
    void aPeerThatIsNotATrustedProxyIsTheClientWhateverItForwards() {
        assertThat(behindProxies.of("198.51.100.4", "203.0.113.7")).isEqualTo("198.51.100.4");
    }

    @Test
    void theRightMostAddressThatIsNotATrustedProxyIsTheClient() {
        assertThat(behindProxies.of("10.1.1.1", "203.0.113.7")).isEqualTo("203.0.113.7");
        assertThat(behindProxies.of("10.1.1.1", "6.6.6.6, 203.0.113.7, 192.0.2.1")).isEqualTo("203.0.113.7");
        assertThat(behindProxies.of("10.1.1.1", "203.0.113.7,10.2.2.2")).isEqualTo("203.0.113.7");
    }

    @Test
    void aForwardedEntryThatIsNotAnAddressEndsTheWalk() {
        assertThat(behindProxies.of("10.1.1.1", "203.0.113.7, unknown")).isEqualTo("10.1.1.1");
        assertThat(behindProxies.of("10.1.1.1", "evil.example, 10.2.2.2")).isEqualTo("10.2.2.2");
        assertThat(behindProxies.of("10.1.1.1", null)).isEqualTo("10.1.1.1");
    }

    @Test
    void ipv6ForwardedAddressesAreRead() {
        assertThat(behindProxies.of("10.1.1.1", "[2001:db8::7]")).isEqualTo("2001:db8:0:0:0:0:0:7");
    }

    @Test
    void anInvalidTrustedProxyEntryIsNamed() {
        assertThatThrownBy(() -> new ClientAddress("proxy.internal"))
                .hasMessageContaining("TRUSTED_PROXIES").hasMessageContaining("proxy.internal");
    }

    @Test
    void ipv6SourcesCountByTheirSlash64() {
        assertThat(SourceRateLimit.key("2001:db8:1:2:aaaa::1")).isEqualTo(SourceRateLimit.key("2001:db8:1:2:bbbb::9"));
        assertThat(SourceRateLimit.key("2001:db8:1:3::1")).isNotEqualTo(SourceRateLimit.key("2001:db8:1:2::1"));
        assertThat(SourceRateLimit.key("::ffff:203.0.113.7")).isEqualTo("203.0.113.7");
        assertThat(SourceRateLimit.key("203.0.113.7")).isEqualTo("203.0.113.7");
    }
}
