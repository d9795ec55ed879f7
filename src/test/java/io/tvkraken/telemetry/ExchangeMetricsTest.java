package io.tvkraken.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tvkraken.RunningApp;
import io.tvkraken.TestDatabase;
import io.tvkraken.TestSecrets;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics beyond the alerts' counters, read over {@code GET /metrics} of the running service: the
 * account's balances, the operator's low-balance thresholds, Kraken's REST call counter, the kill switch and the
 * journal's connection pool (docs/monitoring.md#metrics-for-monitoring).
 */
class ExchangeMetricsTest {

    @TempDir
    Path data;

    @Test
    void balancesAreReadSoonAfterStartAndFollowEveryReading() throws Exception {
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("monitoring.low-balance", "ZUSD=100,XXBT=0.5");
        try (RunningApp app = RunningApp.start(p)) {
            // the refresh-exchange-balances route reads them a moment after start-up, whatever the alerts use
            Scrape first = scrapeUntil(app, s -> s.value("exchange_balance", Map.of("asset", "ZUSD")).isPresent());
            assertThat(first.value("exchange_balance", Map.of("asset", "ZUSD"))).hasValue(100000.0);
            assertThat(first.value("exchange_balance", Map.of("asset", "SOL"))).hasValue(200.0);
            assertThat(first.value("exchange_balances_read_timestamp_seconds").orElseThrow())
                    .isCloseTo(System.currentTimeMillis() / 1000.0, org.assertj.core.data.Offset.offset(60.0));
            assertThat(first.value("exchange_balance_low_threshold", Map.of("asset", "ZUSD"))).hasValue(100.0);
            assertThat(first.value("exchange_balance_low_threshold", Map.of("asset", "XXBT"))).hasValue(0.5);
            assertThat(first.value("exchange_balance_low_threshold", Map.of("asset", "ZEUR"))).isEmpty();

            // a percent order reads the balances for its sizing, and the reading after it shows what it spent
            HttpResponse<String> sell = app.post("/webhook/tradingview",
                    "{\"ticker\":\"SOLUSD\",\"action\":\"sell\",\"percent\":\"25\",\"id\":\"metrics-percent-1\"}");
            assertThat(sell.statusCode()).as(sell.body()).isEqualTo(200);
            Scrape after = scrapeUntil(app,
                    s -> s.value("exchange_balance", Map.of("asset", "SOL")).filter(v -> v == 150.0).isPresent());
            assertThat(after.value("exchange_balance", Map.of("asset", "ZUSD")).orElseThrow()).isGreaterThan(100000.0);
        }
    }

    @Test
    void krakensRestCounterTheKillSwitchAndTheConnectionPoolAreOnMetrics() throws Exception {
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("admin.token", TestSecrets.ADMIN_TOKEN);
        try (RunningApp app = RunningApp.start(p)) {
            Scrape scrape = Scrape.parse(app.get("/metrics", Map.of()).body());
            // the paper exchange keeps the Starter tier's limits, as a new Kraken account has them
            assertThat(scrape.value("kraken_rest_counter_max", Map.of("key", "0"))).hasValue(15.0);
            assertThat(scrape.value("kraken_rest_counter", Map.of("key", "0")).orElseThrow()).isBetween(0.0, 15.0);
            assertThat(scrape.value("trading_enabled")).hasValue(1.0);
            // the embedded SQLite journal: one connection for its writer, three for reads; PostgreSQL one per worker and 4
            assertThat(scrape.value("hikaricp_connections_max", Map.of("pool", "journal")))
                    .hasValue(TestDatabase.backend().equals("postgres") ? 20.0 : 4.0);
            assertThat(scrape.names()).contains("hikaricp_connections_active", "hikaricp_connections_pending",
                    "hikaricp_connections_timeout_total", "hikaricp_connections_acquire_seconds_count");

            HttpResponse<String> off = app.post("/admin/trading", "{\"enabled\": false}",
                    Map.of("Authorization", "Bearer " + TestSecrets.ADMIN_TOKEN));
            assertThat(off.statusCode()).as(off.body()).isEqualTo(200);
            assertThat(Scrape.parse(app.get("/metrics", Map.of()).body()).value("trading_enabled")).hasValue(0.0);
        }
    }

    @Test
    void balanceReadingsMoreOftenThanKrakensCounterAffordsRefuseToStart() {
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("kraken.balances.refresh-ms", "5000");
        assertThatThrownBy(() -> RunningApp.start(p).close())
                .hasStackTraceContaining("kraken.balances.refresh-ms must be at least 15000");
    }

    /** Scrapes until {@code done} holds, for up to 20 s (the first reading is due two seconds after start-up). */
    static Scrape scrapeUntil(RunningApp app, Predicate<Scrape> done) throws InterruptedException {
        long until = System.currentTimeMillis() + 20_000;
        Scrape scrape;
        do {
            scrape = Scrape.parse(app.get("/metrics", Map.of()).body());
            if (done.test(scrape)) {
                return scrape;
            }
            Thread.sleep(200);
        } while (System.currentTimeMillis() < until);
        Optional<Double> zusd = scrape.value("exchange_balance", Map.of("asset", "ZUSD"));
        throw new AssertionError("not seen on /metrics within 20 s; exchange_balance{asset=\"ZUSD\"} is " + zusd);
    }
}
