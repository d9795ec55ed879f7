package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.tvkraken.journal.JournalUnavailableException;
import io.tvkraken.kraken.KrakenUnavailableException;
import io.tvkraken.order.TooLateException;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Kraken circuit breakers judge Kraken, not us: a failure of our own journal inside the breaker (a full disk when
 * an order is marked sending) must not open it, or the next alerts after the disk is fine again would be
 * dead-lettered {@code circuit_open} although Kraken never failed.
 */
class KrakenBreakerConfigTest {

    private final CircuitBreaker breaker = CircuitBreaker.of("test",
            KrakenWiring.breakerConfig(new Settings.Breaker(4, 2, 50, 30, 1)));

    @Test
    void ourJournalFailingInsideTheBreakerNeverOpensIt() {
        for (int i = 0; i < 10; i++) {
            breaker.onError(1, TimeUnit.MILLISECONDS, new JournalUnavailableException("recording an order being sent",
                    new SQLException("[SQLITE_FULL] database or disk is full")));
            breaker.onError(1, TimeUnit.MILLISECONDS, new TooLateException("the AddOrder could not leave in time"));
        }
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isZero();
    }

    @Test
    void krakenFailingOpensIt() {
        for (int i = 0; i < 2; i++) {
            breaker.onError(1, TimeUnit.MILLISECONDS,
                    new KrakenUnavailableException("AddOrder", "EService:Unavailable", false, null));
        }
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
    }
}
