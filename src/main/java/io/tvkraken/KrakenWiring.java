package io.tvkraken;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.tvkraken.alert.RefusedException;
import io.tvkraken.journal.AdvisoryKeyTurns;
import io.tvkraken.journal.JournalUnavailableException;
import io.tvkraken.journal.NonceHighWater;
import io.tvkraken.journal.SharedRateCounters;
import io.tvkraken.kraken.BalanceRefresh;
import io.tvkraken.kraken.Deadlines;
import io.tvkraken.kraken.KeyPool;
import io.tvkraken.kraken.KeyTurns;
import io.tvkraken.kraken.KrakenApi;
import io.tvkraken.kraken.KrakenBreakers;
import io.tvkraken.kraken.KrakenKey;
import io.tvkraken.kraken.KrakenRequests;
import io.tvkraken.kraken.KrakenSigner;
import io.tvkraken.kraken.MarketData;
import io.tvkraken.kraken.NonceGenerator;
import io.tvkraken.kraken.RateBudget;
import io.tvkraken.kraken.RateCounters;
import io.tvkraken.paper.RateLimitTier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Kraken: the circuit breakers, market data, rate counters, and the key pool that signs and sends the calls. */
final class KrakenWiring {

    private static final Logger LOG = LoggerFactory.getLogger(KrakenWiring.class);
    /**
     * The longest a call waits for its key's turn among instances: several calls of other instances, each at most a
     * connect and a response timeout, fit in it; the caller gives up after 30 s (routes/kraken.camel.yaml).
     */
    static final int KEY_TURN_MAX_WAIT_MS = 10_000;

    private KrakenWiring() {
    }

    /**
     * One breaker for the calls that place orders, one for market data and look-ups: Kraken's trading engine can fail
     * while its queries answer (KrakenBreakers).
     */
    static void breakers(Wiring w) {
        w.breakers = CircuitBreakerRegistry.of(breakerConfig(w.settings.kraken().breaker()));
        CircuitBreaker tradingBreaker = w.breakers.circuitBreaker("kraken-trading");
        CircuitBreaker queryBreaker = w.breakers.circuitBreaker("kraken-query");
        List<CircuitBreaker> all = new ArrayList<>(List.of(tradingBreaker, queryBreaker));
        // each named account its own pair (docs/accounts.md), bound as krakenTradingBreaker-<account> for its routes
        java.util.Map<String, List<CircuitBreaker>> named = new java.util.LinkedHashMap<>();
        for (Settings.NamedAccount account : w.settings.accounts()) {
            CircuitBreaker trading = w.breakers.circuitBreaker(KrakenBreakers.breakerName("trading", account.name()));
            CircuitBreaker query = w.breakers.circuitBreaker(KrakenBreakers.breakerName("query", account.name()));
            named.put(account.name(), List.of(trading, query));
            w.registry.bind("krakenTradingBreaker-" + account.name(), trading);
            w.registry.bind("krakenQueryBreaker-" + account.name(), query);
            all.addAll(List.of(trading, query));
        }
        for (CircuitBreaker breaker : all) {
            breaker.getEventPublisher().onStateTransition(e -> LOG.warn("Kraken circuit breaker {}: {}",
                    e.getCircuitBreakerName(), e.getStateTransition()));
        }
        w.krakenBreakers = new KrakenBreakers(tradingBreaker, queryBreaker, named);
        w.registry.bind("krakenTradingBreaker", tradingBreaker);
        w.registry.bind("krakenQueryBreaker", queryBreaker);
        w.registry.bind("krakenBreakers", w.krakenBreakers);
    }

    /**
     * Resilience4j's defaults never open below 100 calls and stay open 60 s
     * (docs/reliability.md#circuit-breaker-defaults); at webhook volumes the breaker must judge a handful of calls.
     */
    static CircuitBreakerConfig breakerConfig(Settings.Breaker b) {
        return CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(b.slidingWindowSize())
                .minimumNumberOfCalls(b.minimumNumberOfCalls())
                .failureRateThreshold(b.failureRateThreshold())
                .waitDurationInOpenState(Duration.ofSeconds(b.waitInOpenSeconds()))
                .permittedNumberOfCallsInHalfOpenState(b.halfOpenCalls())
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                // A refusal of ours inside the breaker (kill switch, an order too late to leave) says nothing about
                // Kraken's health, nor does our journal failing to mark an order sending (a full disk): nothing left,
                // and the breaker open would dead-letter the next alerts circuit_open once the disk is fine again.
                .ignoreExceptions(RefusedException.class, io.tvkraken.order.TooLateException.class,
                        JournalUnavailableException.class)
                .build();
    }

    /** Market data: asset pairs, prices and balances, cached (docs/kraken.md#cached-prices-and-balances). */
    static void marketData(Wiring w) {
        Settings.Kraken kraken = w.settings.kraken();
        w.kraken = new KrakenApi(w.context.createProducerTemplate());
        w.market = new MarketData(w.kraken, Duration.ofSeconds(kraken.pairsRefreshSeconds()), w.clock,
                Duration.ofMillis(kraken.pricesMaxAgeMs()), Duration.ofMillis(kraken.balancesMaxAgeMs()),
                w.metrics::exchangeBalances);
        w.metrics.lowBalanceThresholds(w.settings.lowBalanceThresholds());
        w.registry.bind("krakenApi", w.kraken);
        w.registry.bind("marketData", w.market);
    }

    /**
     * Kraken counts per API key and per account, so instances sharing a PostgreSQL journal (and the account) keep the
     * counters there, together; the embedded journal's one instance keeps them in memory
     * (docs/replicas.md#rate-counters).
     */
    static void rateBudget(Wiring w) {
        Settings settings = w.settings;
        boolean unlimited = settings.mode() == Settings.Mode.PAPER
                && settings.paper().rateLimitTier() == RateLimitTier.OFF;
        RateBudget budget = unlimited
                ? RateBudget.unlimitedForPaper(w.clock, w.apiKeys.size())
                : new RateBudget(settings.krakenTier(), Duration.ofMillis(settings.kraken().rateLimitMaxWaitMs()),
                        w.apiKeys.size(), w.database.sharedByInstances()
                                ? new SharedRateCounters(w.database.dataSource(), w.apiKeys)
                                : RateCounters.inMemory(w.clock));
        budget.accounts(w.accounts);
        w.budget = budget;
        w.registry.bind("rateBudget", budget);
        for (int i = 0; i < budget.keys(); i++) {
            int key = i;
            w.metrics.krakenRestCounter(key, () -> budget.restLevel(key), budget.restMax());
        }
    }

    /**
     * One signer and one nonce stream per key, its high-water mark in its own row (keyed by the key's hash), and one
     * serial sender route per key (KrakenKeySenders, from the routeTemplate in routes/kraken.camel.yaml). On PostgreSQL
     * several instances may share the keys: each call takes its key's turn (an advisory lock) and its nonce from the
     * database inside it, so nonces reach Kraken in order across instances (docs/replicas.md#nonces). The embedded
     * journal serves one process, whose sender routes are the whole turn; its nonce generator reads its mark on its
     * first nonce, once the journal is open: nothing here waits for it.
     */
    static void keyPool(Wiring w) {
        boolean shared = w.database.sharedByInstances();
        List<KrakenKey> keys = new ArrayList<>();
        for (int i = 0; i < w.apiKeys.size(); i++) {
            String apiKey = w.apiKeys.get(i);
            keys.add(new KrakenKey(i, apiKey, new KrakenSigner(w.apiSecrets.get(i)),
                    new NonceGenerator(shared ? NonceHighWater.shared(w.database.dataSource(), apiKey)
                            : new NonceHighWater(w.database.dataSource(), apiKey))));
        }
        w.registry.bind("keyTurns", shared
                ? new AdvisoryKeyTurns(w.database, w.apiKeys, Duration.ofMillis(KEY_TURN_MAX_WAIT_MS))
                : KeyTurns.WITHIN_ONE_PROCESS);
        // a nonce window at Kraken lets a key's calls overtake each other; instances sharing keys on PostgreSQL take
        // each nonce inside the key's turn, one call at a time, whatever the window (docs/kraken.md#bursts-on-one-key)
        long window = shared ? 0 : w.settings.kraken().nonceWindow();
        if (shared && w.settings.kraken().nonceWindow() > 0) {
            LOG.warn("kraken.nonce-window is ignored with a journal shared by instances: each key sends one call at a"
                    + " time");
        }
        KeyPool keyPool = new KeyPool(keys, w.accounts, w.budget,
                window > 0 ? (int) Math.min(window, KeyPool.IN_FLIGHT_WITH_WINDOW) : 1);
        w.registry.bind("keyPool", keyPool);
        w.registry.bind("balanceRefresh", new BalanceRefresh(w.market, w.budget, keyPool, w.clock,
                Duration.ofMillis(w.settings.kraken().balancesRefreshMs())));
        w.deadlines = new Deadlines(w.clock, Duration.ofSeconds(w.settings.orders().deadlineSeconds()));
        w.keyPool = keyPool;
        w.registry.bind("krakenRequests", new KrakenRequests(keyPool, w.json, w.metrics, w.deadlines, w.budget,
                window));
    }
}
