package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.journal.Journal;
import io.tvkraken.journal.JournalEntry;
import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.PaperExchangeHarness;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every alert's outcome is journaled with the price the service held for its pair then, and when that price was read
 * (docs/journal.md#market-prices): recorded for replays of a recorded day, with no call to Kraken of its own.
 */
class MarketPriceRecordTest {

    @TempDir
    static Path data;
    static RunningApp app;
    static PaperExchangeHarness paper;

    @BeforeAll
    static void start() {
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("paper.prices", "XXBTZUSD=60000.0");
        p.put("paper.rate-limit-tier", "off");
        p.put("admin.token", TestSecrets.ADMIN_TOKEN);
        app = RunningApp.start(p);
        paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    static JournalEntry send(String alert) throws Exception {
        HttpResponse<String> answer = app.post("/webhook/tradingview", alert);
        String id = new ObjectMapper().readTree(answer.body()).path("alert_id").asText();
        return app.bean("journal", Journal.class).holderOf(id).orElseGet(() -> app.bean("journal", Journal.class)
                .recent(20).stream().filter(e -> e.alertId().equals(id)).findFirst().orElseThrow());
    }

    static boolean is61000(String price) {
        return price != null && new BigDecimal(price).compareTo(new BigDecimal("61000")) == 0;
    }

    static String order(String volume) {
        return "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"" + volume + "\",\"id\":\"" + UUID.randomUUID()
                + "\"}";
    }

    @Test
    void anAlertsOutcomeKeepsThePriceHeldForItsPairAndWhenItWasRead() throws Exception {
        send(order("0.001"));
        paper.setPrice("XXBTZUSD", new BigDecimal("61000.0"));
        // the refresh-market-data route reads the pair in use again within kraken.prices.refresh-ms
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JournalEntry entry = send(order("0.001"));
        while (!is61000(entry.marketPrice()) && System.nanoTime() < until) {
            Thread.sleep(200);
            entry = send(order("0.001"));
        }
        assertThat(new BigDecimal(entry.marketPrice())).isEqualByComparingTo("61000");
        assertThat(entry.marketPriceAt()).isBetween(Instant.now().minusSeconds(10), Instant.now());

        // refused too: an order below the pair's minimum is journaled with the price as well
        JournalEntry refused = send(order("0.000001"));
        assertThat(refused.state().value()).isEqualTo("rejected");
        assertThat(new BigDecimal(refused.marketPrice())).isEqualByComparingTo("61000");

        HttpResponse<String> listed = app.get("/admin/orders?limit=1",
                Map.of("Authorization", "Bearer " + TestSecrets.ADMIN_TOKEN));
        JsonNode latest = new ObjectMapper().readTree(listed.body()).path("orders").get(0);
        assertThat(new BigDecimal(latest.path("market_price").asText())).isEqualByComparingTo("61000");
        assertThat(latest.path("market_price_at").asText()).isNotBlank();
    }
}
