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
import java.util.function.IntSupplier;
import java.time.Duration;

/**
 * The service's Prometheus metrics (docs/operations.md#metrics), on the same registry as Camel's route metrics and the
 * JVM's. Names are given without the {@code _total} suffix: the Prometheus registry adds it to counters.
 */
public class ServiceMetrics {

    private final PrometheusMeterRegistry registry;
    private final Counter signalsReceived;
    private final Counter ordersFailed;
    private final Timer processing;

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
                .register(registry);
        Gauge.builder("dead_letters_pending", pendingDeadLetters, ServiceMetrics::pendingOrNaN)
                // the supplier is a lambda nobody else holds: Micrometer's default weak reference would lose it
                .strongReference(true)
                .description("dead letters stored and not yet replayed").register(registry);
    }

    /** NaN, not a failed scrape, while the database cannot be read. */
    private static double pendingOrNaN(IntSupplier pending) {
        try {
            return pending.getAsInt();
        } catch (RuntimeException e) {
            return Double.NaN;
        }
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
