package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.PaperExchangeHarness;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Alerts through the whole pipeline - HTTP, routes, planning, signing, camel-http - to the paper exchange, asserting
 * the AddOrder parameters the exchange actually received. Paper mode without webhook authentication.
 */
class OrdersEndToEndTest {

    @TempDir
    static Path data;
    static RunningApp app;
    static PaperExchangeHarness paper;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() {
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("paper.prices", "XXBTZUSD=60000.0,XXDGZUSD=0.1500000");
        app = RunningApp.start(p);
        paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    static Map<String, String> placed(String alert) {
        int before = paper.addOrderRequests().size();
        HttpResponse<String> response = app.post("/webhook/tradingview", alert);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<Map<String, String>> received = paper.addOrderRequests();
        assertThat(received).hasSize(before + 1);
        return received.get(received.size() - 1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "market              | \"order_type\":\"market\"                                          | |",
        "limit               | \"order_type\":\"limit\",\"price\":\"59000\"                       | 59000 |",
        "stop-loss           | \"order_type\":\"stop-loss\",\"price\":55000                       | 55000 |",
        "take-profit         | \"order_type\":\"take-profit\",\"price\":65000                     | 65000 |",
        "stop-loss-limit     | \"order_type\":\"stop-loss-limit\",\"price\":55000,\"price2\":54900 | 55000 | 54900",
        "take-profit-limit   | \"order_type\":\"take-profit-limit\",\"price\":65000,\"price2\":64900 | 65000 | 64900",
        "trailing-stop       | \"order_type\":\"trailing-stop\",\"price\":\"+100\"                | +100 |",
        "trailing-stop-limit | \"order_type\":\"trailing-stop-limit\",\"price\":\"+1.5%\",\"price2\":\"-50\" | +1.5% | -50",
    })
    void eachOrderTypeReachesKrakenAsDocumented(String type, String fields, String price, String price2) {
        Map<String, String> sent = placed("{\"ticker\":\"BTCUSD\",\"action\":\"sell\",\"volume\":\"0.01\"," + fields + "}");
        assertThat(sent).containsEntry("pair", "XBTUSD").containsEntry("type", "sell")
                .containsEntry("ordertype", type).containsEntry("volume", "0.01");
        // A '+' must arrive as '+' (sent as %2B), not as a space (docs/kraken.md#encoding).
        if (price == null) {
            assertThat(sent).doesNotContainKey("price");
        } else {
            assertThat(sent).containsEntry("price", price);
        }
        if (price2 == null) {
            assertThat(sent).doesNotContainKey("price2");
        } else {
            assertThat(sent).containsEntry("price2", price2);
        }
        assertThat(sent).doesNotContainKeys("validate");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "BTCUSD, XBTUSD", "KRAKEN:XBTUSD, XBTUSD", "BTC/USD, XBTUSD", "XXBTZUSD, XBTUSD", "btcusd, XBTUSD",
        "KRAKEN:BTCUSD, XBTUSD", "XBT/USD, XBTUSD", "DOGEUSD, XDGUSD", "XDGUSD, XDGUSD", "ETHBTC, ETHXBT",
        "BTCUSDT, XBTUSDT",
    })
    void everyTickerSpellingResolvesToTheKrakenPair(String ticker, String altname) {
        String volume = altname.startsWith("XDG") ? "100" : "0.01";
        assertThat(placed("{\"ticker\":\"" + ticker + "\",\"action\":\"buy\",\"volume\":\"" + volume + "\"}"))
                .containsEntry("pair", altname);
    }

    @Test
    void volumesRoundDownToLotDecimalsAndLimitPricesToTheTickInTheTradersFavour() {
        Map<String, String> buy = placed("{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"order_type\":\"limit\","
                + "\"volume\":\"0.123456789\",\"price\":\"50000.06\"}");
        assertThat(buy).containsEntry("volume", "0.12345678").containsEntry("price", "50000");
        Map<String, String> sell = placed("{\"ticker\":\"BTCUSD\",\"action\":\"sell\",\"order_type\":\"limit\","
                + "\"volume\":\"0.01\",\"price\":\"70000.01\"}");
        assertThat(sell).containsEntry("price", "70000.1");
    }

    @Test
    void costSizingBuysTheQuoteAmountAtTheLastPrice() {
        // 100 USD of DOGE at 0.15 = 666.66666666 DOGE, rounded down to 8 decimals
        Map<String, String> sent = placed("{\"ticker\":\"DOGEUSD\",\"action\":\"buy\",\"cost\":100}");
        assertThat(new BigDecimal(sent.get("volume"))).isEqualByComparingTo("666.66666666");
    }

    @Test
    void percentSizingSellsAShareOfTheBaseBalance() {
        BigDecimal sol = paper.balances().get("SOL");
        Map<String, String> sent = placed("{\"ticker\":\"SOLUSD\",\"action\":\"sell\",\"percent\":\"25\"}");
        assertThat(new BigDecimal(sent.get("volume"))).isEqualByComparingTo(sol.multiply(new BigDecimal("0.25")));
    }

    @Test
    void aBracketedOrderCarriesKrakensConditionalClose() {
        Map<String, String> sent = placed("{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"order_type\":\"limit\","
                + "\"volume\":0.01,\"price\":58000,\"close\":{\"order_type\":\"stop-loss-limit\",\"price\":55000,"
                + "\"price2\":54900}}");
        assertThat(sent).containsEntry("close[ordertype]", "stop-loss-limit").containsEntry("close[price]", "55000")
                .containsEntry("close[price2]", "54900");
    }

    @Test
    void optionsAreMappedToKrakensParameters() {
        Map<String, String> sent = placed("{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"order_type\":\"limit\","
                + "\"volume\":0.01,\"price\":58000,\"post_only\":true,\"time_in_force\":\"GTD\","
                + "\"expire_time\":\"+3600\",\"userref\":7,\"leverage\":\"2\",\"reduce_only\":false,\"trigger\":\"index\"}");
        assertThat(sent).containsEntry("oflags", "post").containsEntry("timeinforce", "GTD")
                .containsEntry("expiretm", "+3600").containsEntry("userref", "7").containsEntry("leverage", "2")
                .containsEntry("trigger", "index").doesNotContainKey("reduce_only");
    }

    @Test
    void concurrentAlertsAllGoThroughWithIncreasingNonces() throws Exception {
        int alerts = 20;
        int before = paper.orders().size();
        ExecutorService pool = Executors.newFixedThreadPool(alerts);
        try {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < alerts; i++) {
                String body = "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.001\",\"id\":\"par-" + i + "\"}";
                answers.add(pool.submit(() -> app.post("/webhook/tradingview", body)));
            }
            for (Future<HttpResponse<String>> answer : answers) {
                HttpResponse<String> response = answer.get();
                JsonNode body = JSON.readTree(response.body());
                // An EAPI:Invalid nonce from the exchange would be a 422 here. More alerts than order workers: the
                // last ones wait in the queue and are answered 202 pending; their orders are placed all the same.
                assertThat(response.statusCode()).as(response.body()).isIn(200, 202);
                assertThat(body.path("status").asText()).isIn("executed", "pending");
            }
        } finally {
            pool.shutdownNow();
        }
        long until = System.currentTimeMillis() + 15_000;
        while (paper.orders().size() < before + alerts && System.currentTimeMillis() < until) {
            Thread.sleep(50);
        }
        assertThat(paper.orders()).hasSize(before + alerts);
    }
}
