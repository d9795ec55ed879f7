package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.PaperExchangeHarness;
import io.tvkraken.paper.PaperOrder;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Target-position alerts through the whole pipeline - HTTP, routes, the strategy's book in the journal - against the
 * paper exchange (docs/alerts.md#target-positions): the service orders the difference between the target and the
 * book, counted from what the exchange reports executed. Each test trades its own strategy, so its book starts flat.
 */
class TargetPositionsTest {

    @TempDir
    static Path data;
    static RunningApp app;
    static PaperExchangeHarness paper;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() {
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("paper.prices", "XXBTZUSD=60000.0,XETHZUSD=3000.0");
        p.put("paper.balances", "ZUSD=10000000");
        // what this test is about is books, not Kraken's rate limits (TargetPositionsRateLimitTest)
        p.put("paper.rate-limit-tier", "off");
        p.put("admin.token", TestSecrets.ADMIN_TOKEN);
        app = RunningApp.start(p);
        paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    /** A target alert for {@code strategy} on BTCUSD, fired at {@code time} (null: no time), with its own id. */
    static String target(String strategy, String position, String time) {
        return "{\"ticker\":\"BTCUSD\",\"strategy\":\"" + strategy + "\",\"position\":\"" + position + "\","
                + "\"action\":\"buy\",\"id\":\"" + UUID.randomUUID() + "\""
                + (time == null ? "" : ",\"time\":\"" + time + "\"") + "}";
    }

    static JsonNode send(String alert) {
        HttpResponse<String> response = app.post("/webhook/tradingview", alert);
        try {
            JsonNode body = JSON.readTree(response.body());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(
                    body.path("status").asText().equals("rejected") ? response.statusCode() : 200);
            return body;
        } catch (java.io.IOException e) {
            throw new AssertionError(response.body(), e);
        }
    }

    static BigDecimal book(String strategy) {
        return app.bean("books", io.tvkraken.journal.Books.class)
                .get(new io.tvkraken.journal.Books.Key(strategy, "XBTUSD"))
                .map(io.tvkraken.journal.Books.Book::position).orElse(BigDecimal.ZERO);
    }

    /** The AddOrders the exchange received for one strategy's alerts (tagged by client order id). */
    static List<Map<String, String>> ordersSince(int before) {
        List<Map<String, String>> all = paper.addOrderRequests();
        return all.subList(before, all.size());
    }

    @Test
    void flatToLongToFlatOrdersTheDifferencesAndTheBookFollowsTheExecutions() {
        String s = "flat-long-flat";
        int before = paper.addOrderRequests().size();
        JsonNode first = send(target(s, "0.5", null));
        assertThat(first.path("status").asText()).isEqualTo("executed");
        assertThat(first.path("order").path("side").asText()).isEqualTo("buy");
        assertThat(first.path("order").path("volume").asText()).isEqualTo("0.5");
        assertThat(first.path("position").path("book").asText()).isEqualTo("0.5");
        assertThat(book(s)).isEqualByComparingTo("0.5");

        JsonNode more = send(target(s, "0.75", null));
        assertThat(more.path("order").path("side").asText()).isEqualTo("buy");
        assertThat(more.path("order").path("volume").asText()).isEqualTo("0.25");
        assertThat(book(s)).isEqualByComparingTo("0.75");

        JsonNode flat = send(target(s, "0", null));
        assertThat(flat.path("order").path("side").asText()).isEqualTo("sell");
        assertThat(flat.path("order").path("volume").asText()).isEqualTo("0.75");
        assertThat(book(s)).isEqualByComparingTo("0");
        assertThat(ordersSince(before)).hasSize(3);
    }

    @Test
    void aTargetAlreadyReachedPlacesNothingAndAnswersInPosition() {
        String s = "in-position";
        send(target(s, "0.1", null));
        int before = paper.addOrderRequests().size();
        JsonNode again = send(target(s, "0.1", null));
        assertThat(again.path("status").asText()).isEqualTo("in_position");
        assertThat(again.path("position").path("book").asText()).isEqualTo("0.1");
        assertThat(paper.addOrderRequests()).hasSize(before);
    }

    @Test
    void aMissedAlertIsHealedByTheNextOne() {
        String s = "missed";
        send(target(s, "0.2", null));
        // the alert to 0.6 never arrived; the next one says 0.3: the book goes from 0.2 to 0.3
        JsonNode next = send(target(s, "0.3", null));
        assertThat(next.path("order").path("side").asText()).isEqualTo("buy");
        assertThat(next.path("order").path("volume").asText()).isEqualTo("0.1");
        assertThat(book(s)).isEqualByComparingTo("0.3");
    }

    @Test
    void anAlertFiredBeforeTheLastOneAppliedIsSupersededAndChangesNothing() {
        String s = "out-of-order";
        Instant t = Instant.now().minusSeconds(20).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        // the newer "long" arrives first, the older "flat" second: the flat must not undo the long
        JsonNode newer = send(target(s, "0.4", t.plusSeconds(10).toString()));
        assertThat(newer.path("status").asText()).as(newer.toString()).isEqualTo("executed");
        int before = paper.addOrderRequests().size();
        JsonNode late = send(target(s, "0", t.toString()));
        assertThat(late.path("status").asText()).isEqualTo("superseded");
        assertThat(paper.addOrderRequests()).hasSize(before);
        assertThat(book(s)).isEqualByComparingTo("0.4");
        // the same second, later arrival: applied
        JsonNode sameSecond = send(target(s, "0.1", t.plusSeconds(10).toString()));
        assertThat(sameSecond.path("status").asText()).as(sameSecond.toString()).isEqualTo("executed");
        assertThat(book(s)).isEqualByComparingTo("0.1");
    }

    @Test
    void aCopyOfATargetAlertPlacesNothing() {
        String s = "copies";
        String alert = target(s, "0.3", null);
        send(alert);
        int before = paper.addOrderRequests().size();
        JsonNode copy = send(alert);
        assertThat(copy.path("status").asText()).isEqualTo("duplicate");
        assertThat(paper.addOrderRequests()).hasSize(before);
        assertThat(book(s)).isEqualByComparingTo("0.3");
    }

    @Test
    void twoStrategiesOnOnePairKeepSeparateBooks() {
        send(target("alpha", "0.5", null));
        send(target("beta", "0.2", null));
        JsonNode alphaFlat = send(target("alpha", "0", null));
        // alpha sells its own 0.5, never beta's coins
        assertThat(alphaFlat.path("order").path("volume").asText()).isEqualTo("0.5");
        assertThat(book("alpha")).isEqualByComparingTo("0");
        assertThat(book("beta")).isEqualByComparingTo("0.2");
    }

    @Test
    void marketPositionAndItsSizeGiveTheTarget() {
        String s = "market-position";
        JsonNode longer = send("{\"ticker\":\"BTCUSD\",\"strategy\":\"" + s + "\",\"market_position\":\"long\","
                + "\"volume\":\"0.05\",\"id\":\"" + UUID.randomUUID() + "\"}");
        assertThat(longer.path("order").path("volume").asText()).isEqualTo("0.05");
        JsonNode flat = send("{\"ticker\":\"BTCUSD\",\"strategy\":\"" + s + "\",\"market_position\":\"flat\","
                + "\"volume\":\"0\",\"id\":\"" + UUID.randomUUID() + "\"}");
        assertThat(flat.path("order").path("side").asText()).isEqualTo("sell");
        assertThat(book(s)).isEqualByComparingTo("0");
    }

    @Test
    void aShortTargetWithoutMarginIsRefusedNamingTheSetting() {
        HttpResponse<String> response = app.post("/webhook/tradingview", target("no-margin", "-0.1", null));
        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(response.body()).contains("margin_required").contains("leverage");
    }

    @Test
    void aRestingLimitOrderIsCancelledBeforeTheNextTargetAndOnlyItsFillIsCounted() {
        String s = "resting-limit";
        // far below the market: it rests, unfilled
        JsonNode resting = send("{\"ticker\":\"BTCUSD\",\"strategy\":\"" + s + "\",\"position\":\"0.2\","
                + "\"order_type\":\"limit\",\"price\":\"30000\",\"id\":\"" + UUID.randomUUID() + "\"}");
        assertThat(resting.path("status").asText()).isEqualTo("executed");
        String txid = resting.path("order").path("txid").get(0).asText();
        assertThat(book(s)).isEqualByComparingTo("0");
        JsonNode next = send(target(s, "0.3", null));
        // the resting 0.2 was cancelled, not counted: the whole 0.3 is bought
        assertThat(next.path("order").path("volume").asText()).isEqualTo("0.3");
        assertThat(paper.orders()).filteredOn(o -> o.txid().equals(txid)).extracting(PaperOrder::status)
                .containsExactly(PaperOrder.CANCELED);
        assertThat(book(s)).isEqualByComparingTo("0.3");
    }

    @Test
    void aPartlyFilledLimitOrderCountsWhatItExecutedAndTheNextTargetOrdersTheRest() {
        String s = "partial-fill";
        JsonNode resting = send("{\"ticker\":\"BTCUSD\",\"strategy\":\"" + s + "\",\"position\":\"0.3\","
                + "\"order_type\":\"limit\",\"price\":\"59000\",\"id\":\"" + UUID.randomUUID() + "\"}");
        String txid = resting.path("order").path("txid").get(0).asText();
        // somebody sells 0.1 at 59000: the resting buy fills a third, and stays open
        assertThat(paper.trade("XXBTZUSD", new BigDecimal("59000"), new BigDecimal("0.1")))
                .isEqualByComparingTo("0.1");
        paper.setPrice("XXBTZUSD", new BigDecimal("60000.0"));
        assertThat(paper.orders()).filteredOn(o -> o.txid().equals(txid)).singleElement().satisfies(o -> {
            assertThat(o.status()).isEqualTo(PaperOrder.OPEN);
            assertThat(o.volumeExecuted()).isEqualByComparingTo("0.1");
        });
        JsonNode next = send(target(s, "0.3", null));
        // the rest of the resting order was cancelled; its 0.1 counted; the difference bought
        assertThat(next.path("order").path("volume").asText()).as(next.toString()).isEqualTo("0.2");
        assertThat(paper.orders()).filteredOn(o -> o.txid().equals(txid)).extracting(PaperOrder::status)
                .containsExactly(PaperOrder.CANCELED);
        assertThat(book(s)).isEqualByComparingTo("0.3");
    }

    @Test
    void theValidateEndpointPlansTheDifferenceWithoutTouchingTheBook() {
        String s = "validated";
        send(target(s, "0.1", null));
        JsonNode checked = JSON.valueToTree(read(app.post("/webhook/tradingview/validate", target(s, "0.4", null))));
        assertThat(checked.path("status").asText()).isEqualTo("validated");
        assertThat(checked.path("order").path("volume").asText()).isEqualTo("0.3");
        assertThat(book(s)).isEqualByComparingTo("0.1");
    }

    @Test
    void anOrderAlertNamingItsStrategyIsCountedInItsBookAndNeverSellsMoreThanItHolds() {
        String s = "orders-on-book";
        String buy = "{\"ticker\":\"BTCUSD\",\"strategy\":\"" + s + "\",\"action\":\"buy\",\"volume\":\"0.3\","
                + "\"id\":\"" + UUID.randomUUID() + "\"}";
        assertThat(send(buy).path("position").path("book").asText()).isEqualTo("0.3");
        int before = paper.addOrderRequests().size();
        HttpResponse<String> tooMuch = app.post("/webhook/tradingview", "{\"ticker\":\"BTCUSD\",\"strategy\":\"" + s
                + "\",\"action\":\"sell\",\"volume\":\"0.5\",\"id\":\"" + UUID.randomUUID() + "\"}");
        assertThat(tooMuch.statusCode()).isEqualTo(422);
        assertThat(tooMuch.body()).contains("exceeds_book").contains("book: 0.3");
        assertThat(paper.addOrderRequests()).hasSize(before);
        JsonNode all = send("{\"ticker\":\"BTCUSD\",\"strategy\":\"" + s + "\",\"action\":\"sell\","
                + "\"volume\":\"0.3\",\"id\":\"" + UUID.randomUUID() + "\"}");
        assertThat(all.path("status").asText()).as(all.toString()).isEqualTo("executed");
        assertThat(book(s)).isEqualByComparingTo("0");
    }

    @Test
    void positionsListEachBookBesideTheAccountAndFlagDriftAfterAnOrderOutsideTheBooks() {
        JsonNode bought = send("{\"ticker\":\"ETHUSD\",\"strategy\":\"drift\",\"position\":\"2\","
                + "\"id\":\"" + UUID.randomUUID() + "\"}");
        assertThat(bought.path("status").asText()).as(bought.toString()).isEqualTo("executed");
        JsonNode covered = positions();
        assertThat(covered.path("books")).anySatisfy(b -> {
            assertThat(b.path("strategy").asText()).isEqualTo("drift");
            assertThat(b.path("pair").asText()).isEqualTo("ETHUSD");
            assertThat(b.path("asset").asText()).isEqualTo("XETH");
            assertThat(b.path("position").asText()).isEqualTo("2");
        });
        assertThat(eth(covered).path("drift").asBoolean()).isFalse();
        assertThat(app.bean("positions", io.tvkraken.strategy.Positions.class).checkDrift()).doesNotContain("XETH");

        // an order outside the books: a plain sell alert, as if sold by hand, leaving the account 0.5 ETH
        BigDecimal held = paper.balances().get("XETH");
        assertThat(send("{\"ticker\":\"ETHUSD\",\"action\":\"sell\",\"volume\":\""
                + held.subtract(new BigDecimal("0.5")).toPlainString() + "\",\"id\":\"" + UUID.randomUUID() + "\"}")
                .path("status").asText()).isEqualTo("executed");
        JsonNode drifted = positions();
        assertThat(drifted.path("drift").asBoolean()).as(drifted.toString()).isTrue();
        assertThat(eth(drifted).path("books").asText()).isEqualTo("2");
        assertThat(eth(drifted).path("account").asText()).isEqualTo("0.5");
        assertThat(eth(drifted).path("drift").asBoolean()).isTrue();
        assertThat(app.bean("positions", io.tvkraken.strategy.Positions.class).checkDrift()).contains("XETH");
    }

    static JsonNode positions() {
        HttpResponse<String> response = app.get("/admin/positions",
                Map.of("Authorization", "Bearer " + TestSecrets.ADMIN_TOKEN));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return read(response);
    }

    static JsonNode eth(JsonNode report) {
        for (JsonNode asset : report.path("assets")) {
            if (asset.path("asset").asText().equals("XETH")) {
                return asset;
            }
        }
        throw new AssertionError("no XETH in " + report);
    }

    static JsonNode read(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (java.io.IOException e) {
            throw new AssertionError(response.body(), e);
        }
    }
}
