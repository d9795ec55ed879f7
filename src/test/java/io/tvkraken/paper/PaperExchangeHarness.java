package io.tvkraken.paper;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A {@link PaperExchange} as tests read and steer it from the same process: its orders, balances, prices and rate
 * counters, and, when the exchange's handler is wrapped by a {@link RecordingTap}, the requests it received and the
 * faults it plays. None of this is in the production exchange, which keeps no record of its traffic.
 *
 * <p>{@link #start} starts an exchange with a tap of its own; {@link #of} wraps one already running, e.g. the one an
 * application booted in paper mode binds as {@code paperExchange}. Closing the harness closes the exchange.
 */
public final class PaperExchangeHarness implements AutoCloseable {

    private final PaperExchange exchange;
    private final RecordingTap tap;

    private PaperExchangeHarness(PaperExchange exchange, RecordingTap tap) {
        this.exchange = exchange;
        this.tap = tap;
    }

    /** Starts an exchange, on the system clock, that this harness records from its first request. */
    public static PaperExchangeHarness start(PaperConfig config) {
        return start(config, Clock.systemUTC());
    }

    /** As {@link #start(PaperConfig)}, on {@code clock} ({@link PaperExchange#start(PaperConfig, Clock)}). */
    public static PaperExchangeHarness start(PaperConfig config, Clock clock) {
        RecordingTap tap = new RecordingTap();
        return new PaperExchangeHarness(PaperExchange.start(config, clock, tap), tap);
    }

    /**
     * The harness of a running exchange. Without a {@link RecordingTap} it reads the exchange's state only: the
     * methods about requests and faults then throw {@link IllegalStateException}.
     */
    public static PaperExchangeHarness of(PaperExchange exchange) {
        Objects.requireNonNull(exchange, "exchange");
        return new PaperExchangeHarness(exchange, exchange.wrapper() instanceof RecordingTap recording ? recording : null);
    }

    public PaperExchange exchange() {
        return exchange;
    }

    public URI baseUrl() {
        return exchange.baseUrl();
    }

    public PaperConfig config() {
        return exchange.config();
    }

    public RateLimitTier rateLimitTier() {
        return exchange.config().rateLimitTier();
    }

    @Override
    public void close() {
        exchange.close();
    }

    /** How long {@link Fault#HANG} and {@link Fault#ACCEPT_THEN_HANG} stall from now on; 10 s unless set. */
    public void setHangFor(Duration hangFor) {
        tap().hangFor(hangFor);
    }

    // ---------------------------------------------------------------- state

    /** The orders the exchange knows, open and the closed ones it keeps, in placement order, with their status. */
    public List<PaperOrder> orders() {
        return exchange.account().orders();
    }

    /** Current balances per asset. */
    public Map<String, BigDecimal> balances() {
        return exchange.account().balances();
    }

    /** The open margin positions (OpenPositions), oldest first: pair id, side and what is still open of each. */
    public List<String> positions() {
        return exchange.account().positions().stream()
                .map(p -> p.pairId() + " " + p.type() + " " + p.open().stripTrailingZeros().toPlainString()).toList();
    }

    /** Closes a pair's margin positions (by pair id) at its last price, as a close by hand or a liquidation would. */
    public void closePositions(String pairId) {
        PaperPair pair = exchange.pairs().find(pairId).filter(p -> p.id().equals(pairId))
                .orElseThrow(() -> new IllegalArgumentException("not a pair id of the paper exchange: " + pairId));
        exchange.account().closePositions(pair.id(), pair.quote());
    }

    /** Sets an asset's balance, as a deposit or a withdrawal outside the service would. */
    public void setBalance(String asset, BigDecimal amount) {
        exchange.account().setBalance(asset, Objects.requireNonNull(amount, "amount"));
    }

    /**
     * Somebody trades {@code volume} of a pair (by id) at {@code price}: the resting limit orders it crosses fill at
     * their limit price, the last one reached perhaps in part (PaperAccount#trade).
     *
     * @return how much of the volume filled resting orders
     */
    public BigDecimal trade(String pairId, BigDecimal price, BigDecimal volume) {
        PaperPair pair = exchange.pairs().find(pairId).filter(p -> p.id().equals(pairId))
                .orElseThrow(() -> new IllegalArgumentException("not a pair id of the paper exchange: " + pairId));
        return exchange.account().trade(pair, price, volume);
    }

    /** Moves the last trade price of a pair (by id); market fills and Ticker follow it. */
    public void setPrice(String pairId, BigDecimal price) {
        if (exchange.pairs().find(pairId).map(PaperPair::id).filter(pairId::equals).isEmpty()) {
            throw new IllegalArgumentException("not a pair id of the paper exchange: " + pairId);
        }
        exchange.account().setPrice(pairId, Objects.requireNonNull(price, "price"));
    }

    /**
     * The REST call counter of the (first) API key now, after its decay; it may stand above the tier's maximum, as
     * refused calls count too. Zero when the tier is {@link RateLimitTier#OFF}.
     */
    public BigDecimal restCounter() {
        return restCounter(exchange.config().apiKey());
    }

    /** The REST call counter of one API key now, as {@link #restCounter()}; each key has its own. */
    public BigDecimal restCounter(String apiKey) {
        return exchange.rateLimits().restLevel(apiKey, exchange.clock().instant()).stripTrailingZeros();
    }

    /**
     * The trading counter of a pair (id or altname) now, after its decay; zero for a pair not traded yet and whenever
     * the tier is {@link RateLimitTier#OFF}.
     */
    public BigDecimal tradingCounter(String pair) {
        PaperPair found = exchange.pairs().find(pair)
                .orElseThrow(() -> new IllegalArgumentException("not a pair of the paper exchange: " + pair));
        return exchange.rateLimits().tradingLevel(found.id(), exchange.clock().instant()).stripTrailingZeros();
    }

    // ---------------------------------------------------------------- requests and faults

    /** The decoded parameters of every AddOrder received, validate-only and refused ones included, in arrival order. */
    public List<Map<String, String>> addOrderRequests() {
        return tap().addOrderRequests();
    }

    /** The request header names (lower case) of every AddOrder received, in arrival order. */
    public List<Set<String>> addOrderHeaderNames() {
        return tap().addOrderHeaderNames();
    }

    /** Every private call received, in arrival order, with the API key and nonce it carried. */
    public List<RecordingTap.PrivateCall> privateCalls() {
        return tap().privateCalls();
    }

    /**
     * Requests refused with {@code error} ({@code EAPI:Invalid nonce}, {@code EOrder:Rate limit exceeded} ...), all
     * methods; a fault played on purpose is not a refusal.
     */
    public int refusals(String error) {
        return tap().refusals(error);
    }

    /** The most requests for {@code method} that were in flight at the exchange at once, all API keys together. */
    public int maxInFlight(String method) {
        return tap().maxInFlight(method);
    }

    /** The most requests for {@code method} with API key {@code apiKey} that were in flight at the exchange at once. */
    public int maxInFlight(String method, String apiKey) {
        return tap().maxInFlight(method, apiKey);
    }

    /** Requests received for a method, whatever their outcome. */
    public int requestCount(String method) {
        return tap().requestCount(method);
    }

    /**
     * Requests for {@code method} refused by the rate limiter, {@code EAPI:Rate limit exceeded} or
     * {@code EOrder:Rate limit exceeded}; a {@link Fault#RATE_LIMITED} played on purpose is not one of them.
     */
    public int rateLimitRefusals(String method) {
        return tap().rateLimitRefusals(method);
    }

    /**
     * The next {@code times} requests for {@code method} ({@code "AddOrder"}, {@code "Ticker"}, ...) play
     * {@code fault}. Faults for one method queue up in the order injected, and play before a standing fault
     * ({@link #injectFaultUntilCleared}). A faulted request is still counted by {@link #requestCount} and, for
     * AddOrder, recorded by {@link #addOrderRequests}. A fault that answers before the request is handled
     * ({@link Fault#SERVICE_UNAVAILABLE}, {@link Fault#RATE_LIMITED}, {@link Fault#HTTP_502_HTML}, {@link Fault#RESET})
     * costs nothing on the rate counters; the others let the request through, and it is charged as usual.
     */
    public void injectFault(String method, Fault fault, int times) {
        tap().injectFault(method, fault, times);
    }

    /**
     * Every request for {@code method} plays {@code fault}, once the faults queued by {@link #injectFault} for it have
     * played, until {@link #clearFaults(String)} or {@link #clearFaults()}. Replaces a standing fault already set for
     * the method.
     */
    public void injectFaultUntilCleared(String method, Fault fault) {
        tap().injectFaultUntilCleared(method, fault);
    }

    /**
     * "Trading engine down, queries up": until {@link #tradingEngineUp()}, AddOrder, CancelOrder and CancelAll answer
     * {@code EService:Unavailable} and do nothing, while every other method, OpenOrders, ClosedOrders, QueryOrders,
     * Balance and Ticker included, answers normally. Kraken's trading engine has states of its own, apart from the API
     * that reads accounts and markets: in {@code maintenance} "new orders cannot be placed and existing orders cannot
     * be cancelled" (https://docs.kraken.com/api/docs/rest-api/get-system-status), hence the cancels too. This is the
     * unannounced case: SystemStatus still says {@code online}. Kraken's docs leave the outcome of
     * {@code EService:Unavailable} open; here nothing is placed, so a client that looks its order up finds it absent.
     */
    public void tradingEngineDown() {
        tap().tradingEngineDown();
    }

    /** Ends {@link #tradingEngineDown()}; drops every fault, queued or standing, of the engine's methods. */
    public void tradingEngineUp() {
        tap().tradingEngineUp();
    }

    /** Drops every fault not yet played, queued or standing, of every method. */
    public void clearFaults() {
        tap().clearFaults();
    }

    /** Drops the faults of one method, queued or standing; other methods keep theirs. */
    public void clearFaults(String method) {
        tap().clearFaults(method);
    }

    private RecordingTap tap() {
        if (tap == null) {
            throw new IllegalStateException("this paper exchange was started without a RecordingTap: start it with "
                    + "PaperExchangeHarness.start, or bind a RecordingTap in the application's registry");
        }
        return tap;
    }
}
