package io.tvkraken.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.RunningApp;
import io.tvkraken.paper.Fault;
import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.PaperExchangeHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /health}, {@code /status} and {@code /metrics} on the webhook port (docs/operations.md#http-endpoints,
 * docs/operations.md#metrics).
 */
class OperationsEndpointsTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;

    @Test
    void healthStatusAndMetricsDescribeTheRunningService() throws Exception {
        try (RunningApp app = RunningApp.start(RunningApp.paperDefaults(data))) {
            PaperExchangeHarness paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
            assertThat(app.post("/webhook/tradingview", "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":0.01}")
                    .statusCode()).isEqualTo(200);
            assertThat(app.post("/webhook/tradingview", "{\"ticker\":\"BTCUSD\"}").statusCode()).isEqualTo(400);
            paper.injectFault("AddOrder", Fault.RATE_LIMITED, 1);
            assertThat(app.post("/webhook/tradingview",
                    "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":0.01,\"id\":\"second\"}")
                    .statusCode()).isEqualTo(202);

            HttpResponse<String> health = app.get("/health", Map.of());
            JsonNode h = JSON.readTree(health.body());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(h.path("status").asText()).isEqualTo("up");
            assertThat(h.path("checks").path("routes").path("status").asText()).isEqualTo("up");
            assertThat(h.path("checks").path("exchange").path("status").asText()).isEqualTo("up");
            assertThat(h.path("checks").path("circuit_breaker").path("detail").asText()).isEqualTo("closed");
            assertThat(h.path("checks").path("database").path("status").asText()).isEqualTo("up");

            JsonNode status = JSON.readTree(app.get("/status", Map.of()).body());
            assertThat(status.path("mode").asText()).isEqualTo("paper");
            assertThat(status.path("trading_enabled").asBoolean()).isTrue();
            assertThat(status.path("circuit_breaker").asText()).isEqualTo("closed");
            assertThat(status.path("orders_today").asInt()).isEqualTo(1);
            assertThat(status.path("dead_letters_pending").asInt()).isEqualTo(1);
            assertThat(status.has("version")).isTrue();
            assertThat(status.has("uptime_seconds")).isTrue();

            HttpResponse<String> metrics = app.get("/metrics", Map.of());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
            assertThat(metrics.headers().firstValue("X-Request-ID")).isPresent();
            assertThat(metrics.body())
                    .contains("signals_received_total 3.0")
                    .contains("orders_total{status=\"executed\"} 1.0")
                    .contains("orders_total{status=\"dead_lettered\"} 1.0")
                    .contains("signal_processing_errors_total{code=\"invalid_fields\"} 1.0")
                    .contains("orders_failed_total 1.0")
                    .contains("order_processing_seconds_bucket")
                    .contains("kraken_api_calls_total{endpoint=\"AddOrder\"}")
                    .contains("kraken_api_errors_total{endpoint=\"AddOrder\",error=\"EAPI:Rate limit exceeded\"} 1.0")
                    .contains("dead_letters_pending 1.0")
                    .contains("resilience4j_circuitbreaker_state{name=\"kraken-trading\",state=\"closed\"} 1.0")
                    .contains("resilience4j_circuitbreaker_state{name=\"kraken-query\",state=\"closed\"} 1.0")
                    .contains("jvm_memory_used_bytes")
                    .contains("routeId=\"alert-intake\"");
        }
    }

    @Test
    void healthIsDegradedNotDownWhileTheBreakerIsOpen() throws Exception {
        Map<String, String> p = RunningApp.paperDefaults(data);
        try (RunningApp app = RunningApp.start(p)) {
            app.bean("krakenTradingBreaker", io.github.resilience4j.circuitbreaker.CircuitBreaker.class)
                    .transitionToOpenState();
            HttpResponse<String> health = app.get("/health", Map.of());
            assertThat(health.statusCode()).as("alerts are still accepted and dead-lettered").isEqualTo(200);
            assertThat(JSON.readTree(health.body()).path("status").asText()).isEqualTo("degraded");
        }
    }

    @Test
    void aFailingOperationsEndpointAnswersJson503WithoutEchoingTheCaller() throws Exception {
        try (RunningApp app = RunningApp.start(RunningApp.paperDefaults(data))) {
            // the journal database goes away
            app.bean("database", io.tvkraken.journal.Database.class).close();
            HttpResponse<String> status = app.get("/status", Map.of("Authorization", "Bearer caller-secret",
                    "X-Request-ID", "ops-1"));
            assertThat(status.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(status.body()).path("status").asText()).isEqualTo("error");
            assertThat(status.headers().firstValue("X-Request-ID")).hasValue("ops-1");
            assertThat(status.headers().firstValue("Authorization")).isEmpty();
            assertThat(status.body()).doesNotContain("caller-secret");
            HttpResponse<String> health = app.get("/health", Map.of());
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(health.body()).path("checks").path("database").path("status").asText())
                    .isEqualTo("down");
            // and an alert cannot be journaled: 503, the one answer TradingView resends, and nothing is sent
            PaperExchangeHarness paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
            HttpResponse<String> alert = app.post("/webhook/tradingview",
                    "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":0.01}");
            assertThat(alert.statusCode()).as(alert.body()).isEqualTo(503);
            assertThat(JSON.readTree(alert.body()).path("error").path("code").asText()).isEqualTo("not_stored");
            assertThat(paper.requestCount("AddOrder")).isZero();
        }
    }
}
