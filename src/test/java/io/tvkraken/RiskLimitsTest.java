package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.PaperExchangeHarness;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The strategies file's risk limits and stops through the whole pipeline against the paper exchange
 * (docs/strategies.md#risk-limits): every strategy limit refuses at its boundary and passes just inside it, a refusal
 * sends nothing, concurrent alerts cannot both pass a limit only one fits, and a strategy's stop reaches Kraken as the
 * entry's conditional close. BTCUSD trades at 60,000 and ETHUSD at 3,000; each test has strategies of its own.
 */
class RiskLimitsTest {

    @TempDir
    static Path data;
    static RunningApp app;
    static PaperExchangeHarness paper;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws IOException {
        Path file = data.resolve("strategies.yaml");
        StringBuilder yaml = new StringBuilder("strategies:\n"
                + "  cost: {max-order-cost: 3000}\n"
                + "  position: {max-position: 0.5}\n"
                + "  hourly: {max-orders-per-hour: 3}\n"
                + "  daily: {max-orders-per-day: 2}\n"
                + "  quote: {max-quote-per-day: 10000}\n"
                + "  btc-only: {pairs: [KRAKEN:XBTUSD]}\n"
                + "  loss: {max-loss-per-day: 100}\n"
                + "  stopped: {stop: {order-type: stop-loss, percent: 2}}\n"
                + "  bracketed: {stop: {order-type: take-profit-limit, percent: 4, limit-percent: 3.5}}\n");
        for (int i = 0; i < 5; i++) {
            yaml.append("  race-").append(i).append(": {max-orders-per-hour: 1}\n");
        }
        Files.writeString(file, yaml);
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("paper.prices", "XXBTZUSD=60000.0,XETHZUSD=3000.0");
        p.put("paper.balances", "ZUSD=10000000");
        p.put("paper.rate-limit-tier", "off");
        p.put("strategies.file", file.toString());
        app = RunningApp.start(p);
        paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    static String order(String strategy, String ticker, String action, String volume) {
        return "{\"ticker\":\"" + ticker + "\",\"strategy\":\"" + strategy + "\",\"action\":\"" + action
                + "\",\"volume\":\"" + volume + "\",\"id\":\"" + UUID.randomUUID() + "\"}";
    }

    static String target(String strategy, String position) {
        return "{\"ticker\":\"BTCUSD\",\"strategy\":\"" + strategy + "\",\"position\":\"" + position
                + "\",\"id\":\"" + UUID.randomUUID() + "\"}";
    }

    static JsonNode send(String alert) {
        return read(app.post("/webhook/tradingview", alert));
    }

    static JsonNode read(HttpResponse<String> response) {
        try {
            JsonNode body = JSON.readTree(response.body());
            ((com.fasterxml.jackson.databind.node.ObjectNode) body).put("http", response.statusCode());
            return body;
        } catch (IOException e) {
            throw new AssertionError(response.body(), e);
        }
    }

    static void executed(JsonNode answer) {
        assertThat(answer.path("status").asText()).as(answer.toString()).isEqualTo("executed");
    }

    /** 422 risk_limit naming {@code rule}, and nothing sent. */
    static void refused(String alert, String rule) {
        int before = paper.addOrderRequests().size();
        JsonNode answer = send(alert);
        assertThat(answer.path("http").asInt()).as(answer.toString()).isEqualTo(422);
        assertThat(answer.path("error").path("code").asText()).isEqualTo("risk_limit");
        assertThat(answer.path("error").path("message").asText()).contains(rule);
        assertThat(paper.addOrderRequests()).hasSize(before);
    }

    @Test
    void maxOrderCostPassesAtItsValueAndRefusesAboveIt() {
        executed(send(order("cost", "BTCUSD", "buy", "0.05")));
        refused(order("cost", "BTCUSD", "buy", "0.0501"), "strategy 'cost' max-order-cost 3000 USD");
    }

    @Test
    void maxPositionPassesAtItsValueRefusesAboveItAndAlwaysLetsThePositionShrink() {
        executed(send(target("position", "0.5")));
        refused(target("position", "0.5001"), "strategy 'position' max-position 0.5 XBT on XBTUSD");
        executed(send(target("position", "0.2")));
    }

    @Test
    void maxOrdersPerHourCountsThePlacedOrders() {
        for (int i = 0; i < 3; i++) {
            executed(send(order("hourly", "ETHUSD", "buy", "0.01")));
        }
        refused(order("hourly", "ETHUSD", "buy", "0.01"), "strategy 'hourly' max-orders-per-hour 3");
    }

    @Test
    void maxOrdersPerDayCountsThePlacedOrdersAndNotTheRefusedOnes() {
        executed(send(order("daily", "ETHUSD", "buy", "0.01")));
        // refused (more than the book holds): not placed, not counted
        assertThat(send(order("daily", "ETHUSD", "sell", "5")).path("http").asInt()).isEqualTo(422);
        executed(send(order("daily", "ETHUSD", "buy", "0.01")));
        refused(order("daily", "ETHUSD", "buy", "0.01"), "strategy 'daily' max-orders-per-day 2");
    }

    @Test
    void maxQuotePerDayAddsTheBuysCostsAndLetsSellsThrough() {
        executed(send(order("quote", "ETHUSD", "buy", "2")));
        executed(send(order("quote", "ETHUSD", "buy", "1.3333")));
        // 6000 + 3999.9 spent: 0.1 USD left, and the smallest order costs 30
        refused(order("quote", "ETHUSD", "buy", "0.01"), "strategy 'quote' max-quote-per-day 10000 USD");
        executed(send(order("quote", "ETHUSD", "sell", "1")));
    }

    @Test
    void maxLossPerDayStopsEntriesOnceTheRealisedLossReachesItAndLetsPositionsShrink() {
        String eth = "{\"ticker\":\"ETHUSD\",\"strategy\":\"loss\",\"position\":\"%s\",\"id\":\"%s\"}";
        executed(send(String.format(eth, "2", UUID.randomUUID())));
        paper.setPrice("XETHZUSD", new java.math.BigDecimal("2950"));
        try {
            // 1 sold at 2950, bought at 3000: 50 USD realised loss, inside the limit, so an entry still passes
            executed(send(String.format(eth, "1", UUID.randomUUID())));
            executed(send(String.format(eth, "2", UUID.randomUUID())));
            // 1 sold at 2900 against an average cost of 2975: 75 more, 125 in all
            paper.setPrice("XETHZUSD", new java.math.BigDecimal("2900"));
            executed(send(String.format(eth, "1", UUID.randomUUID())));
            refused(String.format(eth, "2", UUID.randomUUID()), "strategy 'loss' max-loss-per-day 100 USD");
            // closer to flat: always
            executed(send(String.format(eth, "0", UUID.randomUUID())));
        } finally {
            paper.setPrice("XETHZUSD", new java.math.BigDecimal("3000.0"));
        }
    }

    @Test
    void aStrategyTradesOnlyItsPairs() {
        executed(send(order("btc-only", "BTC/USD", "buy", "0.001")));
        refused(order("btc-only", "ETHUSD", "buy", "0.01"), "strategy 'btc-only' pairs");
    }

    @Test
    void theValidateEndpointGivesTheSameVerdictAndCountsNothing() {
        HttpResponse<String> verdict = app.post("/webhook/tradingview/validate", order("cost", "BTCUSD", "buy", "1"));
        assertThat(verdict.statusCode()).isEqualTo(422);
        assertThat(verdict.body()).contains("risk_limit").contains("max-order-cost");
        for (int i = 0; i < 3; i++) {
            JsonNode checked = read(app.post("/webhook/tradingview/validate", order("daily-validated", "ETHUSD",
                    "buy", "0.01")));
            assertThat(checked.path("status").asText()).as(checked.toString()).isEqualTo("validated");
        }
    }

    @Test
    void concurrentAlertsCannotBothPassALimitOnlyOneFits() throws Exception {
        for (int i = 0; i < 5; i++) {
            String strategy = "race-" + i;
            // two books of one strategy (two pairs), so that the book's own turn does not order them
            List<String> alerts = List.of(order(strategy, "BTCUSD", "buy", "0.001"),
                    order(strategy, "ETHUSD", "buy", "0.01"));
            CyclicBarrier start = new CyclicBarrier(alerts.size());
            List<CompletableFuture<JsonNode>> answers = new ArrayList<>();
            for (String alert : alerts) {
                answers.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    return send(alert);
                }));
            }
            List<String> statuses = answers.stream().map(CompletableFuture::join)
                    .map(a -> a.path("status").asText()).sorted().toList();
            assertThat(statuses).as(strategy).containsExactly("executed", "rejected");
        }
    }

    @Test
    void aStrategysStopReachesKrakenAsItsEntrysConditionalClose() {
        int before = paper.addOrderRequests().size();
        executed(send(target("stopped", "0.1")));
        Map<String, String> entry = paper.addOrderRequests().get(before);
        assertThat(entry).containsEntry("type", "buy").containsEntry("close[ordertype]", "stop-loss")
                .containsEntry("close[price]", "-2%");
        assertThat(paper.orders()).anySatisfy(o -> {
            assertThat(o.volume()).isEqualByComparingTo("0.1");
            assertThat(o.closeDescription()).isNotNull();
        });
        // reducing the position is not an entry: no stop
        executed(send(target("stopped", "0")));
        assertThat(paper.addOrderRequests().get(before + 1)).containsEntry("type", "sell")
                .doesNotContainKey("close[ordertype]");
    }

    @Test
    void aLimitStopCarriesItsLimitPriceTheSameWay() {
        int before = paper.addOrderRequests().size();
        executed(send(target("bracketed", "0.1")));
        assertThat(paper.addOrderRequests().get(before)).containsEntry("close[ordertype]", "take-profit-limit")
                .containsEntry("close[price]", "+4%").containsEntry("close[price2]", "+3.5%");
    }
}
