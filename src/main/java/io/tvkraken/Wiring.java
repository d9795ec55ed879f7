package io.tvkraken;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tvkraken.alert.AlertAge;
import io.tvkraken.alert.AlertParser;
import io.tvkraken.ingress.SecretRedaction;
import io.tvkraken.ingress.SourceRateLimit;
import io.tvkraken.journal.Database;
import io.tvkraken.journal.DeadLetterStore;
import io.tvkraken.journal.Journal;
import io.tvkraken.kraken.KrakenApi;
import io.tvkraken.kraken.KrakenBreakers;
import io.tvkraken.kraken.MarketData;
import io.tvkraken.kraken.Deadlines;
import io.tvkraken.kraken.RateBudget;
import io.tvkraken.notify.NoticeQueue;
import io.tvkraken.ops.Answers;
import io.tvkraken.order.DeadLetters;
import io.tvkraken.order.OrderLifecycle;
import io.tvkraken.order.OrderRunner;
import io.tvkraken.strategy.Positions;
import io.tvkraken.order.TradingSwitch;
import io.tvkraken.telemetry.ServiceMetrics;
import java.time.Clock;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;

/**
 * What {@link AppConfiguration} has built so far, handed from one wiring piece to the next ({@link IngressWiring},
 * {@link KrakenWiring}, {@link OrderWiring}, {@link NotifyWiring}, {@link OpsWiring}): each piece reads what the
 * pieces before it set and sets what it builds for those after it. Used while the context is configured only.
 */
final class Wiring {

    final CamelContext context;
    final Registry registry;
    final Settings settings;
    final ObjectMapper json;
    final Clock clock;
    final PrometheusMeterRegistry meters;
    final Database database;
    /** {@code paper} or {@code live}, as answers and notices say it. */
    final String mode;

    /** The key pool's keys and secrets: the paper exchange's in paper mode. */
    List<String> apiKeys;
    List<String> apiSecrets;
    /** Which of those keys belong to which Kraken account (docs/accounts.md). */
    io.tvkraken.kraken.Accounts accounts;
    io.tvkraken.kraken.KeyPool keyPool;
    Journal journal;
    SecretRedaction redaction;
    KrakenBreakers krakenBreakers;
    CircuitBreakerRegistry breakers;
    DeadLetterStore deadLetterStore;
    ServiceMetrics metrics;
    Answers answers;
    NoticeQueue notices;
    TradingSwitch trading;
    KrakenApi kraken;
    MarketData market;
    SourceRateLimit adminWrongTokens;
    /** The one reader of alerts: the webhook, replays and the reconcile-orders route. */
    AlertParser alertParser;
    Deadlines deadlines;
    RateBudget budget;
    DeadLetters deadLetters;
    AlertAge alertAge;
    OrderLifecycle lifecycle;
    OrderRunner runner;
    Positions positions;

    Wiring(CamelContext context, Settings settings, ObjectMapper json, Clock clock, PrometheusMeterRegistry meters,
            Database database, String mode) {
        this.context = context;
        this.registry = context.getRegistry();
        this.settings = settings;
        this.json = json;
        this.clock = clock;
        this.meters = meters;
        this.database = database;
        this.mode = mode;
    }
}
