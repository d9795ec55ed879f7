package io.tvkraken.kraken;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.tvkraken.telemetry.Notice;
import java.util.Locale;

/**
 * Two circuit breakers around Kraken (routes/kraken.camel.yaml): one for the calls that place orders, one for market
 * data, balances and order look-ups. Kraken's trading engine can be down while its query endpoints answer normally
 * ({@code EService:Unavailable} on AddOrder only): with one breaker, the successful look-ups diluted the failures and
 * it never opened.
 */
public class KrakenBreakers {

    private final CircuitBreaker trading;
    private final CircuitBreaker queries;
    /** The breakers of the named accounts (docs/accounts.md), by account: trading first, then queries. */
    private final java.util.Map<String, java.util.List<CircuitBreaker>> named;

    public KrakenBreakers(CircuitBreaker trading, CircuitBreaker queries) {
        this(trading, queries, java.util.Map.of());
    }

    /**
     * @param named each named account's trading and query breakers, in that order: one account failing opens only its
     *              own, and never holds up another account's orders
     */
    public KrakenBreakers(CircuitBreaker trading, CircuitBreaker queries,
            java.util.Map<String, java.util.List<CircuitBreaker>> named) {
        this.trading = trading;
        this.queries = queries;
        this.named = java.util.Map.copyOf(named);
    }

    /** The trading breaker of {@code account}: null or {@link Accounts#DEFAULT} is the default account's. */
    public CircuitBreaker trading(String account) {
        String name = Accounts.stored(account);
        return name == null ? trading : named.get(name).get(0);
    }

    /** The breaker names of {@code account}: {@code kraken-trading} and {@code kraken-query}, suffixed by a name. */
    public static String breakerName(String kind, String account) {
        String name = Accounts.stored(account);
        return "kraken-" + kind + (name == null ? "" : "-" + name);
    }

    /**
     * Starts raising a notice on the breakers' changes that matter to an operator (docs/notifications.md#events):
     * opened (from closed) and closed again (after its trial calls passed). A breaker that fails its trial calls and
     * opens again is still the same outage: not raised again.
     */
    public void notifyChanges(java.util.function.Consumer<Notice> raise) {
        java.util.List<CircuitBreaker> all = new java.util.ArrayList<>(java.util.List.of(trading, queries));
        named.values().forEach(all::addAll);
        for (CircuitBreaker breaker : all) {
            breaker.getEventPublisher().onStateTransition(e -> {
                Notice notice = changeNotice(e.getCircuitBreakerName(), e.getStateTransition().getFromState(),
                        e.getStateTransition().getToState());
                if (notice != null) {
                    raise.accept(notice);
                }
            });
        }
    }

    static Notice changeNotice(String breaker, CircuitBreaker.State from, CircuitBreaker.State to) {
        boolean trades = breaker.startsWith("kraken-trading");
        String calls = trades ? "AddOrder" : "market data, balances and order look-ups";
        if (from == CircuitBreaker.State.CLOSED && to == CircuitBreaker.State.OPEN) {
            return Notice.of(Notice.Event.BREAKER_OPENED, trades ? Notice.Severity.CRITICAL : Notice.Severity.WARNING,
                    "Circuit breaker " + breaker + " opened",
                    "Kraken failed repeatedly (" + calls + "): its calls fail fast"
                            + (trades ? " and new orders are dead-lettered as circuit_open, nothing sent" : "")
                            + " until trial calls pass again.");
        }
        if (from == CircuitBreaker.State.HALF_OPEN && to == CircuitBreaker.State.CLOSED) {
            return Notice.of(Notice.Event.BREAKER_CLOSED, Notice.Severity.INFO, "Circuit breaker " + breaker + " closed",
                    "Kraken answers again (" + calls + ")" + (trades
                            ? ": orders are sent again. Dead letters of the outage wait for replay." : "."));
        }
        return null;
    }

    public CircuitBreaker trading() {
        return trading;
    }

    public CircuitBreaker queries() {
        return queries;
    }

    /**
     * The webhook step before an order is handed to a worker: while the trading breaker is open, an order is
     * dead-lettered at once (nothing sent) instead of waiting in a queue for a call that would fail fast anyway.
     * Validations do not place orders and pass.
     *
     * @throws CallNotPermittedException while the trading breaker is open
     */
    public void admit(String intent) {
        admitOn(intent, null);
    }

    /**
     * {@link #admit(String)} for an alert: one for several accounts (docs/accounts.md#fan-out) passes, each of its
     * orders being judged by its own account's breaker ({@link #admitOn}).
     */
    public void admitAlert(String intent, boolean fanOut) {
        if (!fanOut) {
            admit(intent);
        }
    }

    /** {@link #admit(String)} for an order on {@code account}: its own trading breaker decides. */
    public void admitOn(String intent, String account) {
        CircuitBreaker trading = trading(account);
        CircuitBreaker.State state = trading.getState();
        if ("execute".equals(intent)
                && (state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.FORCED_OPEN)) {
            throw CallNotPermittedException.createCallNotPermittedException(trading);
        }
    }

    public String tradingState() {
        return trading.getState().name().toLowerCase(Locale.ROOT);
    }

    public String queriesState() {
        return queries.getState().name().toLowerCase(Locale.ROOT);
    }
}
