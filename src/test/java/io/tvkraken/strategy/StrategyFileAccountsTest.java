package io.tvkraken.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The strategies file's {@code accounts} section (docs/accounts.md#sizing-and-limits): only accounts that are
 * configured, one sizing each, and only the limits that are counted per named account.
 */
class StrategyFileAccountsTest {

    private static final List<String> ACCOUNTS = List.of("default", "partner");

    static String problem(String yaml) {
        return StrategyFile.problemIn(yaml.getBytes(StandardCharsets.UTF_8), ACCOUNTS).orElse("no problem");
    }

    @Test
    void aMisspeltAccountIsRefusedRatherThanLeavingTheRealOneUnsizedAndUnlimited() {
        assertThat(problem("accounts:\n  partnr: {max-order-cost: 100}\n"))
                .isEqualTo("accounts.partnr: not an account (accounts: default, partner)");
        assertThat(problem("accounts:\n  partner: {max-order-cost: 100, sizing: {multiplier: 0.5}}\n"))
                .isEqualTo("no problem");
    }

    @Test
    void aStrategysAccountsAreConfiguredOnesEachOnce() {
        assertThat(problem("strategies:\n  trend: {accounts: [default, partnr]}\n"))
                .isEqualTo("strategies.trend.accounts: partnr is not an account (accounts: default, partner)");
        assertThat(problem("strategies:\n  trend: {accounts: [partner, partner]}\n"))
                .contains("accounts: each account once");
        assertThat(problem("strategies:\n  trend: {accounts: [default, partner]}\n")).isEqualTo("no problem");
        // an alert names 16 accounts at most, and so does a strategy
        assertThat(problem("strategies:\n  trend: {accounts: [" + String.join(", ", java.util.Collections.nCopies(17,
                "partner")) + "]}\n")).contains("accounts: at most 16");
    }

    @Test
    void aSizingIsOneOfThreeAndEveryLimitCountsOnANamedAccountToo() {
        assertThat(problem("accounts:\n  partner: {sizing: {multiplier: 0.5, cost: 10}}\n"))
                .contains("sizing: one of multiplier, cost or percent");
        assertThat(problem("accounts:\n  partner: {sizing: {percent: 101}}\n")).contains("percent at most 100");
        // counted on the account's own books
        assertThat(problem("accounts:\n  partner: {max-loss-per-day: 100, max-position: 0.5}\n"))
                .isEqualTo("no problem");
        assertThat(problem("accounts:\n  default: {max-order-cost: 100}\n"))
                .contains("the default account's limits are under 'account'");
    }
}
