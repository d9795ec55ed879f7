package io.tvkraken.kraken;

import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;
import org.apache.camel.Body;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kraken's rate limits, kept on our side so that they are never knowingly exceeded (docs/kraken.md, "Rate limits";
 * https://docs.kraken.com/api/docs/guides/spot-rest-ratelimits and
 * https://docs.kraken.com/api/docs/guides/spot-ratelimits):
 *
 * <ul>
 *   <li>the REST call counter, per API key: every private call but AddOrder/CancelOrder adds 1 (ledger and trade
 *       history calls 2), the counter decays continuously, and a call that would pass the tier's maximum is refused
 *       with {@code EAPI:Rate limit exceeded} — failed calls count too. One counter per key of the pool: the call
 *       counts on the key it was assigned ({@link KrakenCall#keyIndex()});</li>
 *   <li>the trading counter, per pair: each AddOrder adds 1 on arrival, decaying per second, refused above the tier's
 *       threshold with {@code EOrder:Rate limit exceeded}. Kraken does not say that it is per key, so it is kept per
 *       pair for the whole account, whichever key places the order (docs/kraken.md#rate-limits).</li>
 * </ul>
 *
 * <p>Each call takes its cost here first (route {@code kraken}); a caller waits a little for room, then gives up
 * without sending. When Kraken says a limit was exceeded anyway (another client on the same key, a restart that forgot
 * the counter), the counter is taken as full, so that calls back off until it has decayed.
 *
 * <p>Where the counters live is {@link RateCounters}'s business: this process's memory for one instance, the journal
 * database for replicas sharing one PostgreSQL and one account, so that together they stay inside Kraken's limits
 * (docs/replicas.md#rate-counters). The rules here are the same either way.
 */
public class RateBudget {

    private static final Logger LOG = LoggerFactory.getLogger(RateBudget.class);

    /** Kraken's verification tiers: REST counter maximum and decay per second; trading threshold and decay. */
    public enum Tier {
        STARTER(15, 0.33, 60, 1.0),
        INTERMEDIATE(20, 0.5, 125, 2.34),
        PRO(20, 1.0, 180, 3.75);

        final double restMax;
        final double restDecay;
        final double tradingThreshold;
        final double tradingDecay;

        Tier(double restMax, double restDecay, double tradingThreshold, double tradingDecay) {
            this.restMax = restMax;
            this.restDecay = restDecay;
            this.tradingThreshold = tradingThreshold;
            this.tradingDecay = tradingDecay;
        }

        public static Tier of(String name) {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        }
    }

    private final Tier tier;
    private final Duration maxWait;
    private final RateCounters counters;
    /** The name of each API key's REST call counter, by the key's index in the pool. */
    private final String[] rest;
    /** The default account's keys, 0 to this - 1: the look-ups made without naming an account use them. */
    private volatile int defaultKeys = -1;
    /** The accounts configured, once known ({@link #accounts(Accounts)}): each one's keys. */
    private volatile Accounts accounts;

    private final boolean unlimited;

    /** One API key. @param maxWait how long a caller may wait for room before giving up (nothing is sent then) */
    public RateBudget(Tier tier, Clock clock, Duration maxWait) {
        this(tier, clock, maxWait, 1);
    }

    /** @param keys how many API keys the pool has: each has its own REST call counter */
    public RateBudget(Tier tier, Clock clock, Duration maxWait, int keys) {
        this(tier, maxWait, keys, RateCounters.inMemory(clock));
    }

    /** @param counters where the counters live: {@link RateCounters#inMemory} or shared by every replica */
    public RateBudget(Tier tier, Duration maxWait, int keys, RateCounters counters) {
        this(tier, maxWait, false, keys, counters);
    }

    private RateBudget(Tier tier, Duration maxWait, boolean unlimited, int keys, RateCounters counters) {
        if (keys < 1) {
            throw new IllegalArgumentException("at least one API key");
        }
        this.tier = tier;
        this.maxWait = maxWait;
        this.unlimited = unlimited;
        this.counters = counters;
        this.rest = new String[keys];
        for (int i = 0; i < keys; i++) {
            rest[i] = counters.restCounter(i);
        }
    }

    /**
     * No limits: only for paper mode when the paper exchange's own limits are switched off (the benchmark, which
     * measures this service rather than Kraken's tiers). Never for Kraken itself.
     */
    public static RateBudget unlimitedForPaper(Clock clock) {
        return unlimitedForPaper(clock, 1);
    }

    /** As {@link #unlimitedForPaper(Clock)}, for a pool of {@code keys} keys. */
    public static RateBudget unlimitedForPaper(Clock clock, int keys) {
        return new RateBudget(Tier.PRO, Duration.ZERO, true, keys, RateCounters.inMemory(clock));
    }

    public Tier tier() {
        return tier;
    }

    /**
     * The route step before a call leaves: takes its cost, waiting up to {@code maxWait} for room.
     *
     * @throws KrakenUnavailableException when there is no room in time: the call is not sent
     */
    public void take(@Body KrakenCall call) {
        if (unlimited || !call.privateCall()) {
            return;
        }
        int cost = cost(call.method());
        long waitMs = change(call, counter -> counter.reserve(cost, maxWait.toMillis()));
        if (waitMs < 0) {
            throw new KrakenUnavailableException(call.method(), "not sent: Kraken's " + counterName(call)
                    + " has no room (" + tier.name().toLowerCase(Locale.ROOT) + " tier)", false, null);
        }
        if (waitMs > 0) {
            LOG.info("waiting {} ms for room in Kraken's {}", waitMs, counterName(call));
            try {
                Thread.sleep(waitMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KrakenUnavailableException(call.method(), "interrupted while waiting for the rate limit",
                        false, e);
            }
        }
    }

    /** The accounts whose keys these counters count (docs/accounts.md): until told, every key is the default's. */
    public void accounts(Accounts accounts) {
        this.defaultKeys = accounts.defaultAccount().keys();
        this.accounts = accounts;
    }

    /**
     * Whether {@code cost} REST calls fit now on one key of the account named {@code account} (null or
     * {@link Accounts#DEFAULT}: the default account's), without waiting; false for an account not configured.
     */
    public boolean restRoomFor(String account, int cost) {
        if (Accounts.stored(account) == null || accounts == null) {
            return restRoomFor(cost);
        }
        return accounts.find(account).map(a -> restRoomFor(a, cost)).orElse(false);
    }

    /**
     * Whether {@code cost} REST calls fit now on one key of the default account, without waiting (the drift check and
     * the books ask before their look-ups; the pool sends a look-up to a key with room).
     */
    public boolean restRoomFor(int cost) {
        int keys = defaultKeys < 0 ? rest.length : defaultKeys;
        for (int key = 0; key < keys; key++) {
            if (restRoomFor(key, cost)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code cost} REST calls fit now on one key of {@code account}, without waiting. */
    public boolean restRoomFor(Accounts.Account account, int cost) {
        for (int key = account.firstKey(); key <= account.lastKey(); key++) {
            if (restRoomFor(key, cost)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code cost} REST calls fit now on key {@code key}'s counter, without waiting. */
    public boolean restRoomFor(int key, int cost) {
        return unlimited || counters.read(rest[key], tier.restMax, tier.restDecay).room() >= cost;
    }

    /**
     * Kraken said a limit was exceeded: that counter is full as far as we are concerned. {@code EOrder:} names the
     * pair's trading counter, anything else ({@code EAPI:Rate limit exceeded}) the REST call counter.
     */
    public void exceeded(KrakenCall call, String error) {
        boolean tradingCounter = error.startsWith("EOrder:") && trading(call);
        LOG.warn("Kraken says {}: backing off until its {} has decayed", error,
                tradingCounter ? counterName(call) : "REST call counter");
        Function<RateCounters.Counter, Void> fill = counter -> {
            counter.fill();
            return null;
        };
        if (tradingCounter) {
            change(call, fill);
        } else {
            counters.change(rest[keyOf(call)], tier.restMax, tier.restDecay, fill);
        }
    }

    /** The REST call counter's maximum at this tier: a call that would pass it is refused by Kraken. */
    public double restMax() {
        return tier.restMax;
    }

    /** How many API keys, each with its own REST call counter. */
    public int keys() {
        return rest.length;
    }

    /** The first key's REST counter level, as we count it (for tests and metrics). */
    public double restLevel() {
        return restLevel(0);
    }

    /** Key {@code key}'s REST counter level, as we count it. */
    public double restLevel(int key) {
        return counters.read(rest[key], tier.restMax, tier.restDecay).level();
    }

    /** What a call costs on its key's REST call counter: 0 for public calls and for AddOrder and CancelOrder. */
    static int restCost(KrakenCall call) {
        return !call.privateCall() || trading(call) ? 0 : cost(call.method());
    }

    static int cost(String method) {
        return switch (method) {
            case "Ledgers", "QueryLedgers", "TradesHistory", "QueryTrades" -> 2;
            default -> 1;
        };
    }

    private static boolean trading(KrakenCall call) {
        return "AddOrder".equals(call.method()) || "CancelOrder".equals(call.method())
                || KrakenCall.ADD_ORDER_BATCH.equals(call.method());
    }

    private String counterName(KrakenCall call) {
        return trading(call) ? "trading counter for " + call.params().get("pair")
                + (call.account() == null ? "" : " on account " + call.account()) : "REST call counter";
    }

    /** Changes the counter a call counts on: its key's REST call counter, or its pair's trading counter. */
    private <T> T change(KrakenCall call, Function<RateCounters.Counter, T> change) {
        if (!trading(call)) {
            return counters.change(rest[keyOf(call)], tier.restMax, tier.restDecay, change);
        }
        // Kraken counts per account and pair: a named account's pairs have counters of their own (docs/accounts.md)
        String pair = String.valueOf(call.params().get("pair")).toUpperCase(Locale.ROOT);
        String name = call.account() == null ? "trading/" + pair : "trading/" + call.account() + "/" + pair;
        return counters.change(name, tier.tradingThreshold, tier.tradingDecay, change);
    }

    /** The key a private call was assigned; the first one for a call that has none yet. */
    private int keyOf(KrakenCall call) {
        Integer key = call.keyIndex();
        if (key == null) {
            return 0;
        }
        if (key < 0 || key >= rest.length) {
            throw new IllegalArgumentException("no API key " + key + " in a pool of " + rest.length);
        }
        return key;
    }
}
