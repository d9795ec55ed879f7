package io.tvkraken.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IpAllowListTest {

    @Test
    void emptyAllowsEveryone() {
        assertThat(new IpAllowList("").allows("203.0.113.9")).isTrue();
        assertThat(new IpAllowList(" ").allowsEveryone()).isTrue();
    }

    @Test
    void allowsTradingViewsPublishedAddressesAndNothingElse() {
        IpAllowList list = new IpAllowList("52.89.214.238, 34.212.75.30,54.218.53.128,52.32.178.7");
        assertThat(list.allows("52.89.214.238")).isTrue();
        assertThat(list.allows("52.32.178.7")).isTrue();
        assertThat(list.allows("52.89.214.239")).isFalse();
        assertThat(list.allows(null)).isFalse();
        assertThat(list.allows("not-an-ip")).isFalse();
    }

    @Test
    void matchesCidrBlocksForIpv4AndIpv6AndMappedAddresses() {
        IpAllowList list = new IpAllowList("10.1.0.0/16,2001:db8::/32,127.0.0.1");
        assertThat(list.allows("10.1.255.3")).isTrue();
        assertThat(list.allows("10.2.0.1")).isFalse();
        assertThat(list.allows("2001:db8:1::5")).isTrue();
        assertThat(list.allows("2001:db9::5")).isFalse();
        assertThat(list.allows("::ffff:127.0.0.1")).isTrue();
    }

    @Test
    void refusesEntriesThatAreNotAddressesWithoutResolvingNames() {
        assertThatThrownBy(() -> new IpAllowList("tradingview.com")).hasMessageContaining("tradingview.com");
        assertThatThrownBy(() -> new IpAllowList("10.0.0.0/33")).hasMessageContaining("prefix");
    }
}
