package io.tvkraken.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tvkraken.Settings;
import io.tvkraken.TestDatabase;
import io.tvkraken.kraken.KrakenCall;
import io.tvkraken.kraken.KrakenUnavailableException;
import io.tvkraken.kraken.RateBudget;
import io.tvkraken.kraken.RateCounters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replicas on one PostgreSQL count Kraken's rate counters together (docs/replicas.md#rate-counters): two
 * {@link RateBudget}s, each on its own connection pool to one real database as two instances would be, admit between
 * them no more calls than one of Kraken's counters allows, with their calls racing from several threads each.
 */
class SharedRateCountersTest {

    private static final String POSTGRES_ONLY = "the counters are shared on PostgreSQL; the embedded journal "
            + "serves one instance, whose counters stay in memory";
    private static final KrakenCall OPEN_ORDERS = KrakenCall.privateMethod("OpenOrders", Map.of());
    private static final KrakenCall ADD_ORDER = KrakenCall.privateMethod("AddOrder",
            Map.of("pair", "XBTUSD", "type", "buy", "ordertype", "market", "volume", "0.01"));

    @TempDir
    Path data;

    @Test
    void twoReplicasOnOneKeyAdmitNoMoreRestCallsThanTheKeysCounterAllows() throws Exception {
        assumeTrue(TestDatabase.backend().equals("postgres"), POSTGRES_ONLY);
        Settings settings = settings("rest_counter");
        try (Database one = Database.open(settings.database()); Database two = Database.open(settings.database())) {
            RateBudget a = budget(one, List.of("key-a"));
            RateBudget b = budget(two, List.of("key-a"));
            long started = System.nanoTime();
            int admitted = race(a, b, OPEN_ORDERS.withKey(0), 30);
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("rate-counters rest: 2 replicas x 30 calls on one key, %d admitted in %.2f s%n",
                    admitted, seconds);
            // Starter: a maximum of 15 with one call kept free, decaying by 0.33 a second while the race lasted
            int fits = 15 - (int) RateCounters.Counter.HEADROOM;
            assertThat(admitted).isGreaterThanOrEqualTo(fits)
                    .isLessThanOrEqualTo(fits + (int) Math.ceil(0.33 * seconds));
            // each replica sees the counter the other filled
            assertThat(a.restLevel()).isGreaterThan(fits - 1);
            assertThat(b.restRoomFor(0, 1)).isFalse();
        }
    }

    @Test
    void twoReplicasOnTwoKeysAdmitNoMoreOrdersOnAPairThanTheAccountsTradingCounterAllows() throws Exception {
        assumeTrue(TestDatabase.backend().equals("postgres"), POSTGRES_ONLY);
        Settings settings = settings("trading_counter");
        try (Database one = Database.open(settings.database()); Database two = Database.open(settings.database())) {
            RateBudget a = budget(one, List.of("key-a", "key-b"));
            RateBudget b = budget(two, List.of("key-a", "key-b"));
            long started = System.nanoTime();
            // each replica places with a key of its own: the trading counter is the account's, per pair
            int admitted = race(a, b, ADD_ORDER.withKey(0), ADD_ORDER.withKey(1), 50);
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("rate-counters trading: 2 replicas x 50 AddOrders on one pair, %d admitted in %.2f s%n",
                    admitted, seconds);
            // Starter: a threshold of 60 with one call kept free, decaying by 1 a second
            int fits = 60 - (int) RateCounters.Counter.HEADROOM;
            assertThat(admitted).isGreaterThanOrEqualTo(fits).isLessThanOrEqualTo(fits + (int) Math.ceil(seconds));
            // AddOrder does not count on the REST call counters
            assertThat(a.restLevel(0)).isZero();
            assertThat(b.restLevel(1)).isZero();
        }
    }

    @Test
    void aLimitKrakenReportedToOneReplicaHoldsBackTheOthersWhateverOrderTheyListTheKeysIn() {
        assumeTrue(TestDatabase.backend().equals("postgres"), POSTGRES_ONLY);
        Settings settings = settings("exceeded");
        try (Database one = Database.open(settings.database()); Database two = Database.open(settings.database())) {
            RateBudget a = budget(one, List.of("key-a", "key-b"));
            RateBudget b = budget(two, List.of("key-b", "key-a"));
            a.exceeded(OPEN_ORDERS.withKey(0), "EAPI:Rate limit exceeded");
            // key-a is b's second key
            assertThat(b.restRoomFor(1, 1)).isFalse();
            assertThat(b.restRoomFor(0, 1)).isTrue();
            a.exceeded(ADD_ORDER.withKey(1), "EOrder:Rate limit exceeded");
            assertThatThrownBy(() -> b.take(ADD_ORDER.withKey(0)))
                    .isInstanceOf(KrakenUnavailableException.class).hasMessageContaining("trading counter");
        }
    }

    private Settings settings(String name) {
        Map<String, String> p = new HashMap<>(TestDatabase.fresh(name));
        p.put("data.dir", data.toString());
        return Settings.from(p::get);
    }

    /** One replica's budget: Starter tier, no waiting (a call without room is refused at once). */
    private static RateBudget budget(Database db, List<String> apiKeys) {
        return new RateBudget(RateBudget.Tier.STARTER, Duration.ZERO, apiKeys.size(),
                new SharedRateCounters(db.dataSource(), apiKeys));
    }

    private static int race(RateBudget a, RateBudget b, KrakenCall call, int perReplica) throws Exception {
        return race(a, b, call, call, perReplica);
    }

    /** Both replicas try {@code perReplica} calls each, from eight threads between them; how many were admitted in all. */
    private static int race(RateBudget a, RateBudget b, KrakenCall onA, KrakenCall onB, int perReplica)
            throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> tries = new ArrayList<>();
            for (int i = 0; i < perReplica; i++) {
                tries.add(threads.submit(admitted(a, onA)));
                tries.add(threads.submit(admitted(b, onB)));
            }
            int admitted = 0;
            for (Future<Boolean> t : tries) {
                admitted += t.get() ? 1 : 0;
            }
            return admitted;
        } finally {
            threads.shutdownNow();
        }
    }

    private static Callable<Boolean> admitted(RateBudget budget, KrakenCall call) {
        return () -> {
            try {
                budget.take(call);
                return true;
            } catch (KrakenUnavailableException refused) {
                return false;
            }
        };
    }
}
