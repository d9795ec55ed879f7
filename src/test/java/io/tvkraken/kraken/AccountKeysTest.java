package io.tvkraken.kraken;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Several accounts in one key pool (docs/accounts.md): a call goes out only with a key of its own account, whatever
 * the other accounts' keys are doing, and each account's pairs have trading counters of their own. Real
 * {@link RateBudget} on a fixed clock, so no counter decays.
 */
class AccountKeysTest {

    private static final Clock FIXED = Clock.fixed(Instant.parse("2030-01-02T03:04:05Z"), ZoneOffset.UTC);
    private static final Map<String, String> ORDER = Map.of("pair", "XBTUSD", "type", "buy", "ordertype", "market",
            "volume", "0.01");
    /** default: keys 0 and 1; partner: key 2; test: keys 3 and 4. */
    private static final Accounts ACCOUNTS = new Accounts(List.of(
            new Accounts.Account(Accounts.DEFAULT, 0, 2, "http://default"),
            new Accounts.Account("partner", 2, 1, "http://partner"),
            new Accounts.Account("test", 3, 2, "http://test")));

    static KeyPool pool(RateBudget budget) {
        List<KrakenKey> keys = new ArrayList<>();
        for (int i = 0; i < ACCOUNTS.keys(); i++) {
            keys.add(new KrakenKey(i, "key-" + i, new KrakenSigner("AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="),
                    new NonceGenerator()));
        }
        return new KeyPool(keys, ACCOUNTS, budget, 1);
    }

    static RateBudget budget() {
        RateBudget budget = new RateBudget(RateBudget.Tier.STARTER, FIXED, Duration.ZERO, ACCOUNTS.keys());
        budget.accounts(ACCOUNTS);
        return budget;
    }

    @Test
    void aCallIsAssignedOnlyKeysOfItsOwnAccountEvenWhenTheyAreTheBusiest() {
        KeyPool pool = pool(budget());
        List<Integer> partner = new ArrayList<>();
        List<Integer> test = new ArrayList<>();
        List<Integer> main = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            // never released: the other accounts' keys stay idle, and are never taken
            partner.add(pool.assign(KrakenCall.privateMethod("AddOrder", ORDER).onAccount("partner")).keyIndex());
            test.add(pool.assign(KrakenCall.privateMethod("AddOrder", ORDER).onAccount("test")).keyIndex());
            main.add(pool.assign(KrakenCall.privateMethod("AddOrder", ORDER)).keyIndex());
        }
        assertThat(partner).containsOnly(2);
        assertThat(test).containsExactly(3, 4, 3, 4);
        assertThat(main).containsExactly(0, 1, 0, 1);
        assertThat(pool.anyIdle(ACCOUNTS.get("partner"))).isFalse();
    }

    @Test
    void theDefaultAccountIsTheOneOfAnUnnamedCallAndDefaultIsNeverStoredAsAName() {
        KrakenCall named = KrakenCall.privateMethod("Balance", Map.of()).onAccount(Accounts.DEFAULT);
        assertThat(named.account()).isNull();
        assertThat(named.accountName()).isEqualTo(Accounts.DEFAULT);
        assertThat(ACCOUNTS.ofKey(4).name()).isEqualTo("test");
        assertThat(ACCOUNTS.find("nobody")).isEmpty();
        assertThatThrownBy(() -> pool(budget()).assign(KrakenCall.privateMethod("Balance", Map.of())
                .onAccount("nobody"))).hasMessageContaining("not configured: nobody");
    }

    @Test
    void eachAccountHasItsOwnTradingCounterPerPairAndItsOwnRestCounters() {
        RateBudget budget = budget();
        KeyPool pool = pool(budget);
        // the starter tier's trading counter on one pair takes about 60 AddOrders before it is full: fill partner's
        int taken = 0;
        try {
            for (; taken < 1000; taken++) {
                budget.take(pool.assign(KrakenCall.privateMethod("AddOrder", ORDER).onAccount("partner")));
            }
        } catch (KrakenUnavailableException full) {
            assertThat(full.getMessage()).contains("trading counter for XBTUSD on account partner");
        }
        assertThat(taken).isBetween(10, 999);
        // the default account's XBTUSD counter is untouched by the partner's orders
        budget.take(pool.assign(KrakenCall.privateMethod("AddOrder", ORDER)));
        budget.take(pool.assign(KrakenCall.privateMethod("AddOrder", ORDER).onAccount("test")));

        // the default account's look-ups ask for room on its own keys only
        int lookUps = 0;
        while (budget.restRoomFor(ACCOUNTS.get("partner"), 1)) {
            budget.take(KrakenCall.privateMethod("OpenOrders", Map.of()).withKey(2));
            lookUps++;
        }
        assertThat(lookUps).isGreaterThan(10);
        assertThat(budget.restRoomFor(ACCOUNTS.get("partner"), 1)).isFalse();
        assertThat(budget.restRoomFor(1)).isTrue();
        assertThat(budget.restRoomFor(ACCOUNTS.get("test"), 1)).isTrue();
    }
}
