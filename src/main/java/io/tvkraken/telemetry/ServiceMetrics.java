package io.tvkraken.telemetry;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;

/**
 * The service's Prometheus metrics (docs/operations.md#metrics), on the same registry as Camel's route metrics and the
 * JVM's. Names are given without the {@code _total} suffix: the Prometheus registry adds it to counters.
 */
public class ServiceMetrics {

    private final PrometheusMeterRegistry registry;
    private final Counter signalsReceived;
    private final Counter ordersFailed;
    private final Timer processing;
    /** The last balance read per asset, as the bits of a double (what the exchange_balance gauges show). */
    private final Map<String, AtomicLong> balances = new ConcurrentHashMap<>();
    private final AtomicLong balancesReadAt = new AtomicLong(Double.doubleToLongBits(Double.NaN));

    public ServiceMetrics(PrometheusMeterRegistry registry, IntSupplier pendingDeadLetters,
            CircuitBreakerRegistry breakers) {
        this.registry = registry;
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(registry);
        signalsReceived = Counter.builder("signals_received").description("webhook alerts received")
                .register(registry);
        ordersFailed = Counter.builder("orders_failed")
                .description("alerts whose order Kraken refused or could not be reached for (dead-lettered)")
                .register(registry);
        processing = Timer.builder("order_processing_seconds")
                .description("time from receiving an alert to answering it")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(10))
                // buckets at the answer deadline (202 pending from 2.5 s) and TradingView's 3 s, so that the share
                // of alerts answered in time is read exactly (docs/monitoring.md#dashboard)
                .serviceLevelObjectives(Duration.ofMillis(2500), Duration.ofSeconds(3))
                .register(registry);
        Gauge.builder("dead_letters_pending", pendingDeadLetters, ServiceMetrics::pendingOrNaN)
                // the supplier is a lambda nobody else holds: Micrometer's default weak reference would lose it
                .strongReference(true)
                .description("dead letters stored and not yet replayed").register(registry);
        Gauge.builder("exchange_balances_read_timestamp_seconds", balancesReadAt,
                bits -> Double.longBitsToDouble(bits.get()))
                .description("when the balances in exchange_balance were last read from Kraken (Unix time; NaN"
                        + " before the first reading)")
                .register(registry);
    }

    private static double onOffOrNaN(BooleanSupplier enabled) {
        try {
            return enabled.getAsBoolean() ? 1 : 0;
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    /** NaN, not a failed scrape, while the database cannot be read. */
    private static double pendingOrNaN(IntSupplier pending) {
        try {
            return pending.getAsInt();
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    /**
     * The balances just read from Kraken (what can be spent, per Kraken asset code): {@code exchange_balance{asset}}.
     * An asset missing from a later reading shows 0; the time of the reading is
     * {@code exchange_balances_read_timestamp_seconds}, so that a dashboard or an alert can tell a stale figure.
     */
    public void exchangeBalances(Map<String, BigDecimal> available, Instant readAt) {
        for (Map.Entry<String, AtomicLong> known : balances.entrySet()) {
            if (!available.containsKey(known.getKey())) {
                known.getValue().set(Double.doubleToLongBits(0));
            }
        }
        available.forEach((asset, amount) -> balances.computeIfAbsent(asset, this::balanceGauge)
                .set(Double.doubleToLongBits(amount.doubleValue())));
        balancesReadAt.set(Double.doubleToLongBits(readAt.toEpochMilli() / 1000.0));
    }

    private AtomicLong balanceGauge(String asset) {
        AtomicLong value = new AtomicLong();
        Gauge.builder("exchange_balance", value, bits -> Double.longBitsToDouble(bits.get())).tag("asset", asset)
                .description("what can be spent on Kraken, per asset, as last read (balance + credit - credit_used"
                        + " - hold_trade)")
                .register(registry);
        return value;
    }

    /**
     * The operator's low-balance thresholds as {@code exchange_balance_low_threshold{asset}}, so that the alert rule
     * compares two series instead of holding a number of its own (docs/monitoring.md#low-balance).
     */
    public void lowBalanceThresholds(Map<String, BigDecimal> thresholds) {
        thresholds.forEach((asset, threshold) -> {
            double value = threshold.doubleValue();
            Gauge.builder("exchange_balance_low_threshold", () -> value).tag("asset", asset)
                    .strongReference(true)
                    .description("alert when exchange_balance of this asset falls below this (monitoring.low-balance)")
                    .register(registry);
        });
    }

    /**
     * Kraken's REST call counter of API key {@code key} as this process counts it ({@code kraken_rest_counter{key}}),
     * and the tier's maximum ({@code kraken_rest_counter_max{key}}): how much of Kraken's budget is in use.
     */
    public void krakenRestCounter(int key, DoubleSupplier level, double max) {
        String index = Integer.toString(key);
        Gauge.builder("kraken_rest_counter", level, DoubleSupplier::getAsDouble).tag("key", index)
                .strongReference(true)
                .description("Kraken's REST call counter of this API key (by its position in KRAKEN_API_KEY), as"
                        + " counted by the service (on PostgreSQL by every instance together); a call that would pass kraken_rest_counter_max waits or is not sent")
                .register(registry);
        Gauge.builder("kraken_rest_counter_max", () -> max).tag("key", index)
                .strongReference(true)
                .description("the REST call counter's maximum for the account's tier (KRAKEN_TIER)")
                .register(registry);
    }

    /**
     * {@code trading_enabled}: 1 while orders are placed, 0 while the kill switch is off; NaN, not a failed scrape,
     * while the database that holds the switch cannot be read.
     */
    public void tradingSwitch(BooleanSupplier enabled) {
        Gauge.builder("trading_enabled", enabled, ServiceMetrics::onOffOrNaN)
                .strongReference(true)
                .description("1 while trading is on, 0 while the kill switch is off (POST /admin/trading)")
                .register(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public void signalReceived() {
        signalsReceived.increment();
    }

    /** A request the HTTP edge refused before any route ran, by {@code error.code}. */
    public void refusedAtEdge(String errorCode) {
        Counter.builder("http_refused").tag("code", errorCode)
                .description("requests refused by the HTTP server before any route, by error code")
                .register(registry).increment();
    }

    /** One answered alert: its status ({@code executed}, {@code rejected}...), error code if any, and duration. */
    public void answered(String status, String errorCode, long startedNanos) {
        Counter.builder("orders").tag("status", status).description("alerts answered, by status")
                .register(registry).increment();
        if (errorCode != null) {
            Counter.builder("signal_processing_errors").tag("code", errorCode)
                    .description("alerts refused or failed, by error code").register(registry).increment();
        }
        if ("dead_lettered".equals(status) || "kraken_rejected".equals(errorCode)) {
            ordersFailed.increment();
        }
        if (startedNanos > 0) {
            processing.record(Duration.ofNanos(System.nanoTime() - startedNanos));
        }
    }

    public void krakenCall(String method) {
        Counter.builder("kraken_api_calls").tag("endpoint", method).description("calls made to Kraken's REST API")
                .register(registry).increment();
    }

    public void krakenError(String method, String error) {
        Counter.builder("kraken_api_errors").tag("endpoint", method).tag("error", error)
                .description("Kraken errors, outages and unanswered calls").register(registry).increment();
    }

    public String scrape() {
        return registry.scrape();
    }
}
