package io.tvkraken.ops;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.tvkraken.journal.DeadLetterStore;
import io.tvkraken.ingress.IncomingRequest;
import io.tvkraken.kraken.KrakenBreakers;
import io.tvkraken.order.TradingSwitch;
import io.tvkraken.telemetry.ServiceMetrics;
import io.tvkraken.kraken.MarketData;
import io.tvkraken.journal.Database;
import io.tvkraken.journal.Journal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Route;

/**
 * {@code GET /health}, {@code /status} and {@code /metrics} (docs/operations.md#http-endpoints).
 *
 * <p>Readiness means "alerts are accepted and nothing is lost": every route started and the dead-letter store
 * the journal database reachable. An open circuit breaker or an unreachable Kraken is reported ({@code degraded}) but
 * is not a 503: the service still takes alerts and dead-letters them, whereas a load balancer that stopped routing
 * webhooks on a 503 would make TradingView's alerts fail outright.
 */
public class Operations {

    private final CamelContext camel;
    private final String mode;
    private final KrakenBreakers breakers;
    private final MarketData market;
    private final DeadLetterStore deadLetters;
    private final TradingSwitch trading;
    private final ServiceMetrics metrics;
    private final Answers answers;
    private final Database database;
    private final Journal journal;
    private final Instant startedAt = Instant.now();
    public Operations(CamelContext camel, String mode, KrakenBreakers breakers, MarketData market,
            DeadLetterStore deadLetters, TradingSwitch trading, ServiceMetrics metrics, Answers answers,
            Database database, Journal journal) {
        this.database = database;
        this.journal = journal;
        this.camel = camel;
        this.mode = mode;
        this.breakers = breakers;
        this.market = market;
        this.deadLetters = deadLetters;
        this.trading = trading;
        this.metrics = metrics;
        this.answers = answers;
    }

    public void health(Exchange exchange) {
        Map<String, Object> checks = new LinkedHashMap<>();
        long stopped = camel.getRoutes().stream().map(Route::getId)
                .filter(id -> !camel.getRouteController().getRouteStatus(id).isStarted()).count();
        boolean routesUp = !camel.getRoutes().isEmpty() && stopped == 0;
        checks.put("routes", check(routesUp, camel.getRoutes().size() + " routes, " + stopped + " not started"));
        // The journal and the dead letters live in the database: without it nothing can be accepted (503).
        String writeProblem = database.writeProblem(journal.instance());
        boolean databaseUp = writeProblem == null;
        checks.put("database", check(databaseUp, databaseUp ? database.location() : database.location() + ": "
                + writeProblem));
        boolean exchangeUp = market.pairsLoaded();
        checks.put("exchange", check(exchangeUp, exchangeUp ? "asset pairs loaded" : "asset pairs not loaded yet"));
        boolean breakerClosed = breakers.trading().getState() == CircuitBreaker.State.CLOSED
                && breakers.queries().getState() == CircuitBreaker.State.CLOSED;
        checks.put("circuit_breaker", check(breakerClosed, state()));
        boolean ready = routesUp && databaseUp;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", !ready ? "down" : exchangeUp && breakerClosed ? "up" : "degraded");
        body.put("checks", checks);
        answers.json(exchange, ready ? 200 : 503, body);
    }

    public void status(Exchange exchange) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("service", "tradingview-kraken-webhook");
        body.put("mode", mode);
        // which replica answered: health and metrics are this instance's, the journal is everyone's
        body.put("replica", journal.instance());
        body.put("trading_enabled", trading.enabled());
        body.put("circuit_breaker", state());
        body.put("version", version());
        body.put("uptime_seconds", Duration.between(startedAt, Instant.now()).toSeconds());
        body.put("dead_letters_pending", deadLetters.count());
        // from the journal: it survives restarts and counts every instance sharing the database
        body.put("orders_today", journal.executedSince(LocalDate.now(ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC)
                .toInstant()));
        answers.json(exchange, 200, body);
    }

    public void metrics(Exchange exchange) {
        exchange.getMessage().getHeaders().clear();
        exchange.getMessage().setHeader("X-Request-ID", exchange.getVariable(IncomingRequest.REQUEST_ID, String.class));
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        exchange.getMessage().setBody(metrics.scrape());
    }

    /** "closed", or e.g. "trading open, queries closed" when they differ. */
    private String state() {
        String trading = breakers.tradingState();
        String queries = breakers.queriesState();
        return trading.equals(queries) ? trading : "trading " + trading + ", queries " + queries;
    }

    private static Map<String, Object> check(boolean up, String detail) {
        return Map.of("status", up ? "up" : "down", "detail", detail);
    }

    static String version() {
        String version = Operations.class.getPackage().getImplementationVersion();
        return version == null ? "development" : version;
    }
}
