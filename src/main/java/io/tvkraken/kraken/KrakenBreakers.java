package io.tvkraken.kraken;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
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

    public KrakenBreakers(CircuitBreaker trading, CircuitBreaker queries) {
        this.trading = trading;
        this.queries = queries;
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
