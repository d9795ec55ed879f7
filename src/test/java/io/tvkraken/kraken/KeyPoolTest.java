package io.tvkraken.kraken;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which key of the pool a private call goes out with (docs/kraken.md#key-pool): the one with the fewest calls queued or
 * in flight, ties round robin; a look-up prefers a key whose REST counter has room. Real {@link RateBudget} on a fixed
 * clock, so no counter decays.
 */
class KeyPoolTest {

    private static final Clock FIXED = Clock.fixed(Instant.parse("2030-01-02T03:04:05Z"), ZoneOffset.UTC);
    private static final KrakenCall ADD_ORDER = KrakenCall.privateMethod("AddOrder",
            Map.of("pair", "XBTUSD", "type", "buy", "ordertype", "market", "volume", "0.01"));
    private static final KrakenCall OPEN_ORDERS = KrakenCall.privateMethod("OpenOrders", Map.of());

    static KeyPool pool(int size, RateBudget budget) {
        List<KrakenKey> keys = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            keys.add(new KrakenKey(i, "key-" + i, new KrakenSigner("AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="),
                    new NonceGenerator()));
        }
        return new KeyPool(keys, budget);
    }

    static RateBudget budget(int keys) {
        return new RateBudget(RateBudget.Tier.STARTER, FIXED, Duration.ZERO, keys);
    }

    @Test
    void idleKeysAreTakenRoundRobin() {
        KeyPool pool = pool(3, budget(3));
        List<Integer> keys = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            KrakenCall call = pool.assign(ADD_ORDER);
            keys.add(call.keyIndex());
            pool.release(call.keyIndex());
        }
        assertThat(keys).containsExactly(0, 1, 2, 0, 1, 2);
    }

    @Test
    void aCallGoesToTheKeyWithTheFewestCallsQueuedOrInFlight() {
        KeyPool pool = pool(3, budget(3));
        assertThat(pool.assign(ADD_ORDER).keyIndex()).isEqualTo(0);
        assertThat(pool.assign(ADD_ORDER).keyIndex()).isEqualTo(1);
        assertThat(pool.assign(ADD_ORDER).keyIndex()).isEqualTo(2);
        assertThat(pool.assign(ADD_ORDER).keyIndex()).isEqualTo(0);
        // key 1 is done with its call: it has the fewest
        pool.release(1);
        assertThat(pool.assign(ADD_ORDER).keyIndex()).isEqualTo(1);
        assertThat(List.of(pool.busy(0), pool.busy(1), pool.busy(2))).containsExactly(2, 1, 1);
        assertThat(pool.assign(ADD_ORDER).keyIndex()).isEqualTo(2);
    }

    @Test
    void aKeyIsIdleUntilACallIsAssignedToItAndAgainOnceItIsReleased() {
        KeyPool pool = pool(2, budget(2));
        assertThat(pool.anyIdle()).isTrue();
        KrakenCall first = pool.assign(ADD_ORDER);
        assertThat(pool.anyIdle()).as("one key still has nothing to send").isTrue();
        pool.assign(ADD_ORDER);
        assertThat(pool.anyIdle()).as("both keys busy").isFalse();
        pool.release(first.keyIndex());
        assertThat(pool.anyIdle()).isTrue();
    }

    @Test
    void aLookUpPrefersAKeyWhoseRestCounterHasRoom() {
        RateBudget budget = budget(2);
        KeyPool pool = pool(2, budget);
        // key 0's REST counter is full (Starter: 15, one call kept free)
        for (int i = 0; i < 15 - RateCounters.Counter.HEADROOM; i++) {
            budget.take(OPEN_ORDERS.withKey(0));
        }
        assertThat(budget.restRoomFor(0, 1)).isFalse();
        assertThat(budget.restRoomFor(1)).as("the pool still has room").isTrue();
        for (int i = 0; i < 3; i++) {
            KrakenCall call = pool.assign(OPEN_ORDERS);
            assertThat(call.keyIndex()).as("look-up %d", i).isEqualTo(1);
            pool.release(call.keyIndex());
        }
        // an AddOrder does not count on the REST counter: the full key takes it
        assertThat(pool.assign(ADD_ORDER).keyIndex()).isEqualTo(0);
    }

    @Test
    void eachKeyHasItsOwnRestCounterAndTheTradingCounterIsPerPair() {
        RateBudget budget = budget(2);
        budget.take(OPEN_ORDERS.withKey(1));
        budget.take(OPEN_ORDERS.withKey(1));
        assertThat(budget.restLevel(0)).isZero();
        assertThat(budget.restLevel(1)).isEqualTo(2.0);
        budget.exceeded(OPEN_ORDERS.withKey(0), "EAPI:Rate limit exceeded");
        assertThat(budget.restLevel(0)).isEqualTo(15.0);
        assertThat(budget.restLevel(1)).isEqualTo(2.0);
        // 60 AddOrders on one pair (Starter), one kept free, whichever key: the next does not fit, on either key
        for (int i = 0; i < 60 - RateCounters.Counter.HEADROOM; i++) {
            budget.take(ADD_ORDER.withKey(i % 2));
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> budget.take(ADD_ORDER.withKey(1)))
                .isInstanceOf(KrakenUnavailableException.class).hasMessageContaining("trading counter for XBTUSD");
    }

    @Test
    void publicCallsGetNoKeyAndReleasingThemChangesNothing() {
        KeyPool pool = pool(2, budget(2));
        KrakenCall ticker = pool.assign(KrakenCall.publicMethod("Ticker", Map.of("pair", "XBTUSD")));
        assertThat(ticker.keyIndex()).isNull();
        pool.release(null);
        assertThat(pool.busy(0) + pool.busy(1)).isZero();
        assertThat(pool.key(1).toString()).doesNotContain("key-1");
    }
}
