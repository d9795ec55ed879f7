package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.PaperExchangeHarness;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One round trip on the hot path (docs/kraken.md#cached-prices-and-balances): a market order sized by cost uses the
 * cached last price of its pair, which the refresh-market-data route keeps fresh, and asks Kraken's Ticker itself only
 * when that price is older than its max age. Through real HTTP against the paper exchange.
 */
class CachedPricesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** 100 USD of DOGE: 666.66666666 at 0.15, 500 at 0.20 */
    private static final String HUNDRED_USD_OF_DOGE = "\"ticker\":\"DOGEUSD\",\"action\":\"buy\",\"cost\":100";

    @TempDir
    Path data;

    private Map<String, String> config(String refreshMs, String maxAgeMs) {
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("paper.prices", "XXBTZUSD=60000.0,XXDGZUSD=0.1500000");
        p.put("kraken.prices.refresh-ms", refreshMs);
        p.put("kraken.prices.max-age-ms", maxAgeMs);
        return p;
    }

    @Test
    void aMarketOrderInSteadyStateMakesOneCallToKrakenItsAddOrder() {
        // no background refresh during the test: only the orders ask Kraken
        try (RunningApp app = RunningApp.start(config("600000", "60000"))) {
            PaperExchangeHarness paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
            assertThat(volume(app, "first")).isEqualByComparingTo("666.66666666");
            int tickers = paper.requestCount("Ticker");
            int addOrders = paper.requestCount("AddOrder");

            paper.setPrice("XXDGZUSD", new BigDecimal("0.20"));
            assertThat(volume(app, "second")).as("sized with the cached price").isEqualByComparingTo("666.66666666");

            assertThat(paper.requestCount("AddOrder")).isEqualTo(addOrders + 1);
            assertThat(paper.requestCount("Ticker")).as("no Ticker on the way").isEqualTo(tickers);
        }
    }

    @Test
    void theRefreshRouteKeepsThePriceOfAPairInUseFresh() throws Exception {
        try (RunningApp app = RunningApp.start(config("200", "60000"))) {
            PaperExchangeHarness paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
            assertThat(volume(app, "first")).isEqualByComparingTo("666.66666666");

            paper.setPrice("XXDGZUSD", new BigDecimal("0.20"));
            int tickers = paper.requestCount("Ticker");
            long until = System.currentTimeMillis() + 10_000;
            while (paper.requestCount("Ticker") < tickers + 2 && System.currentTimeMillis() < until) {
                Thread.sleep(50);
            }
            assertThat(paper.requestCount("Ticker")).as("refreshed in the background").isGreaterThanOrEqualTo(
                    tickers + 2);
            // the cached price may be a minute old before an order asks for it: this one is the refreshed price
            assertThat(volume(app, "second")).isEqualByComparingTo("500");
        }
    }

    @Test
    void aPriceOlderThanItsMaxAgeIsAskedForAgain() throws Exception {
        try (RunningApp app = RunningApp.start(config("600000", "300"))) {
            PaperExchangeHarness paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
            assertThat(volume(app, "first")).isEqualByComparingTo("666.66666666");
            paper.setPrice("XXDGZUSD", new BigDecimal("0.20"));
            Thread.sleep(400);
            int tickers = paper.requestCount("Ticker");

            assertThat(volume(app, "second")).isEqualByComparingTo("500");
            assertThat(paper.requestCount("Ticker")).isEqualTo(tickers + 1);
        }
    }

    private static BigDecimal volume(RunningApp app, String id) {
        HttpResponse<String> response = app.post("/webhook/tradingview",
                "{\"id\":\"" + id + "\"," + HUNDRED_USD_OF_DOGE + "}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        try {
            JsonNode answer = JSON.readTree(response.body());
            return new BigDecimal(answer.path("order").path("volume").asText());
        } catch (Exception e) {
            throw new AssertionError(response.body(), e);
        }
    }
}
