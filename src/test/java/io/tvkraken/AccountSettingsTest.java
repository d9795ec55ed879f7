package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code KRAKEN_ACCOUNTS} and each named account's keys (docs/accounts.md#configuring-accounts): names that cannot be
 * an account's, a live account without keys, and a key that two accounts list are refused at start-up, every message
 * naming the variable, never a key or secret.
 */
class AccountSettingsTest {

    static Map<String, String> live() {
        Map<String, String> p = ApiKeyPoolTest.live(TestSecrets.KRAKEN_API_KEY, TestSecrets.KRAKEN_API_SECRET);
        p.put("kraken.accounts", "partner, test-2");
        p.put("kraken.account.partner.api.key", TestSecrets.POOL_KEYS.get(0));
        p.put("kraken.account.partner.api.secret", TestSecrets.POOL_SECRETS.get(0));
        p.put("kraken.account.test-2.api.key", TestSecrets.POOL_KEYS.get(1) + "," + TestSecrets.POOL_KEYS.get(2));
        p.put("kraken.account.test-2.api.secret", TestSecrets.POOL_SECRETS.get(1) + "," + TestSecrets.POOL_SECRETS.get(2));
        return p;
    }

    static String refusal(Map<String, String> p) {
        InvalidConfigurationException refused = catchThrowableOfType(InvalidConfigurationException.class,
                () -> Settings.from(p::get));
        assertThat(refused).as("refused").isNotNull();
        assertThat(TestSecrets.ALL_WITH_POOL).noneMatch(refused.getMessage()::contains);
        return refused.getMessage();
    }

    @Test
    void namedAccountsAreReadWithTheirKeysAndTheStartupLineNamesThemWithoutAnyKey() {
        Settings settings = Settings.from(live()::get);
        assertThat(settings.accounts()).extracting(Settings.NamedAccount::name).containsExactly("partner", "test-2");
        assertThat(settings.accounts().get(1).apiKeys()).hasSize(2);
        assertThat(settings.startupLine()).contains("accounts=default,partner,test-2");
        assertThat(TestSecrets.ALL_WITH_POOL).noneMatch(settings.startupLine()::contains);
        assertThat(TestSecrets.ALL_WITH_POOL).noneMatch(settings.accounts().toString()::contains);
    }

    @Test
    void aNameThatCannotBeAnAccountsIsRefused() {
        Map<String, String> p = live();
        p.put("kraken.accounts", "partner,Default,default,partner");
        String message = refusal(p);
        assertThat(message).contains("KRAKEN_ACCOUNTS: 'Default' cannot name an account")
                .contains("KRAKEN_ACCOUNTS: 'default' cannot name an account")
                .contains("KRAKEN_ACCOUNTS names 'partner' twice");
    }

    @Test
    void liveModeNeedsEachAccountsKeysAndAKeyBelongsToOneAccountOnly() {
        Map<String, String> missing = live();
        missing.remove("kraken.account.partner.api.secret");
        assertThat(refusal(missing)).contains("KRAKEN_ACCOUNTS names 'partner': KRAKEN_MODE=live needs "
                + "KRAKEN_ACCOUNT_PARTNER_API_KEY and KRAKEN_ACCOUNT_PARTNER_API_SECRET");

        Map<String, String> shared = live();
        shared.put("kraken.account.partner.api.key", TestSecrets.KRAKEN_API_KEY);
        assertThat(refusal(shared)).contains("KRAKEN_ACCOUNT_PARTNER_API_KEY lists a key another account has");

        Map<String, String> uneven = live();
        uneven.put("kraken.account.test-2.api.secret", TestSecrets.POOL_SECRETS.get(1));
        assertThat(refusal(uneven)).contains("KRAKEN_ACCOUNT_TEST_2_API_KEY lists 2 key(s) but "
                + "KRAKEN_ACCOUNT_TEST_2_API_SECRET lists 1 secret(s)");
    }

    @Test
    void inPaperModeEachAccountStartsWithItsOwnBalancesElseTheDefaultOnes() {
        Map<String, String> p = Map.of("kraken.accounts", "partner,test", "paper.balances", "ZUSD=1000",
                "paper.account.partner.balances", "ZUSD=50,XXBT=1");
        Settings settings = Settings.from(p::get);
        assertThat(settings.accounts().get(0).paperBalances()).containsEntry("XXBT", new BigDecimal("1"))
                .containsEntry("ZUSD", new BigDecimal("50"));
        assertThat(settings.accounts().get(1).paperBalances()).containsEntry("ZUSD", new BigDecimal("1000"));
    }
}
