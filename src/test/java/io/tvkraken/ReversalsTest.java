package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.journal.AlertState;
import io.tvkraken.journal.Books;
import io.tvkraken.journal.Journal;
import io.tvkraken.journal.JournalEntry;
import io.tvkraken.paper.Fault;
import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.PaperExchangeHarness;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Margin shorts and reversals through the whole pipeline against the paper exchange, which models Kraken's spot margin
 * (docs/strategies.md#margin-shorts, docs/strategies.md#reversals): a strategy with {@code leverage} in the strategies
 * file shorts on margin and closes its short with {@code reduce_only}; a target on the other side of flat places the
 * close first and the open only once the close executed, each leg journaled with its own client order id. Each test
 * trades its own strategy, so its book starts flat; the paper account's margin positions are the exchange's whole
 * account, so each test leaves it flat as it found it.
 */
class ReversalsTest {

    @TempDir
    static Path data;
    static RunningApp app;
    static PaperExchangeHarness paper;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws IOException {
        Path file = data.resolve("strategies.yaml");
        Files.writeString(file, "strategies:\n"
                + "  round-trip: {leverage: 2}\n"
                + "  reverse: {leverage: 2}\n"
                + "  close-refused: {leverage: 2}\n"
                + "  close-in-doubt: {leverage: 2}\n"
                + "  open-refused: {leverage: 2}\n"
                + "  copied: {leverage: 3}\n"
                + "  closed-by-hand: {leverage: 2}\n"
                + "  arriving: {leverage: 2}\n"
                + "  tagged: {leverage: 2}\n"
                + "  covered: {leverage: 2}\n");
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("paper.prices", "XXBTZUSD=60000.0,XETHZUSD=3000.0");
        p.put("paper.balances", "ZUSD=10000000,XXBT=0");
        p.put("paper.rate-limit-tier", "off");
        p.put("orders.reconcile.grace-ms", "500");
        p.put("orders.reconcile.poll-ms", "200");
        p.put("strategies.file", file.toString());
        p.put("admin.token", TestSecrets.ADMIN_TOKEN);
        app = RunningApp.start(p);
        paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @BeforeEach
    void accountFlat() {
        assertThat(paper.positions()).isEmpty();
    }

    static String target(String strategy, String position, String id) {
        return "{\"ticker\":\"BTCUSD\",\"strategy\":\"" + strategy + "\",\"position\":\"" + position + "\",\"id\":\""
                + id + "\"}";
    }

    static JsonNode send(String strategy, String position) {
        return send(target(strategy, position, UUID.randomUUID().toString()));
    }

    static JsonNode send(String alert) {
        HttpResponse<String> response = app.post("/webhook/tradingview", alert);
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError(response.body(), e);
        }
    }

    static BigDecimal book(String strategy) {
        return app.bean("books", Books.class).get(new Books.Key(strategy, "XBTUSD")).map(Books.Book::position)
                .orElse(BigDecimal.ZERO);
    }

    static List<Map<String, String>> ordersSince(int before) {
        List<Map<String, String>> all = paper.addOrderRequests();
        return List.copyOf(all.subList(before, all.size()));
    }

    @Test
    void flatToLongToFlatToShortToFlatTradesTheLongSideSpotAndTheShortSideOnMargin() {
        String s = "round-trip";
        int before = paper.addOrderRequests().size();
        assertThat(send(s, "0.2").path("status").asText()).isEqualTo("executed");
        assertThat(book(s)).isEqualByComparingTo("0.2");
        assertThat(send(s, "0").path("status").asText()).isEqualTo("executed");
        assertThat(book(s)).isEqualByComparingTo("0");

        JsonNode toShort = send(s, "-0.1");
        assertThat(toShort.path("status").asText()).as(toShort.toString()).isEqualTo("executed");
        assertThat(toShort.path("order").path("side").asText()).isEqualTo("sell");
        assertThat(book(s)).isEqualByComparingTo("-0.1");
        assertThat(paper.positions()).containsExactly("XXBTZUSD sell 0.1");

        JsonNode toFlat = send(s, "0");
        assertThat(toFlat.path("order").path("side").asText()).isEqualTo("buy");
        assertThat(book(s)).isEqualByComparingTo("0");
        assertThat(paper.positions()).isEmpty();

        List<Map<String, String>> sent = ordersSince(before);
        assertThat(sent).extracting(o -> o.get("type") + " " + o.get("volume") + " leverage=" + o.get("leverage")
                + " reduce_only=" + o.get("reduce_only")).containsExactly(
                        "buy 0.2 leverage=null reduce_only=null",
                        "sell 0.2 leverage=null reduce_only=null",
                        "sell 0.1 leverage=2 reduce_only=null",
                        "buy 0.1 leverage=2 reduce_only=true");
        // the spot coins went and came back whole; the short never touched them
        assertThat(paper.balances().get("XXBT")).isEqualByComparingTo("0");
    }

    @Test
    void aReversalClosesFirstAndOpensOnlyOnceTheCloseExecutedEachLegWithItsOwnClientOrderId() {
        String s = "reverse";
        send(s, "0.2");
        int before = paper.addOrderRequests().size();
        String id = UUID.randomUUID().toString();
        JsonNode reversal = send(target(s, "-0.1", id));

        assertThat(reversal.path("status").asText()).as(reversal.toString()).isEqualTo("executed");
        assertThat(reversal.path("legs")).hasSize(2);
        JsonNode close = reversal.path("legs").get(0);
        JsonNode open = reversal.path("legs").get(1);
        assertThat(close.path("leg").asText()).isEqualTo("close");
        assertThat(close.path("status").asText()).isEqualTo("executed");
        assertThat(close.path("order").path("side").asText()).isEqualTo("sell");
        assertThat(close.path("order").path("volume").asText()).isEqualTo("0.2");
        assertThat(open.path("leg").asText()).isEqualTo("open");
        assertThat(open.path("alert_id").asText()).isEqualTo(id + "/open");
        assertThat(open.path("order").path("side").asText()).isEqualTo("sell");
        assertThat(open.path("order").path("volume").asText()).isEqualTo("0.1");
        assertThat(reversal.path("position").path("book").asText()).isEqualTo("-0.1");

        List<Map<String, String>> sent = ordersSince(before);
        assertThat(sent).hasSize(2);
        assertThat(sent.get(0).get("leverage")).isNull();
        assertThat(sent.get(1).get("leverage")).isEqualTo("2");
        assertThat(sent.get(0).get("cl_ord_id")).isNotNull().isNotEqualTo(sent.get(1).get("cl_ord_id"));
        assertThat(book(s)).isEqualByComparingTo("-0.1");
        assertThat(paper.positions()).containsExactly("XXBTZUSD sell 0.1");

        // both legs journaled under the one alert: the open leg is a row of its own, pointing at the alert's
        Journal journal = app.bean("journal", Journal.class);
        Books books = app.bean("books", Books.class);
        JournalEntry alertRow = journal.holderOf(id).orElseThrow();
        JournalEntry legRow = journal.holderOf(id + "/open").orElseThrow();
        assertThat(books.leg(alertRow.id())).contains(new Books.Leg(Books.CLOSE_LEG, null));
        assertThat(books.leg(legRow.id())).contains(new Books.Leg(Books.OPEN_LEG, alertRow.id()));
        assertThat(alertRow.state()).isEqualTo(AlertState.EXECUTED);
        assertThat(legRow.state()).isEqualTo(AlertState.EXECUTED);

        // and back: short to long closes the short on margin (reduce only), then buys spot
        int back = paper.addOrderRequests().size();
        JsonNode toLong = send(s, "0.3");
        assertThat(toLong.path("legs")).hasSize(2);
        assertThat(ordersSince(back)).extracting(o -> o.get("type") + " " + o.get("volume") + " leverage="
                + o.get("leverage") + " reduce_only=" + o.get("reduce_only")).containsExactly(
                        "buy 0.1 leverage=2 reduce_only=true", "buy 0.3 leverage=null reduce_only=null");
        assertThat(book(s)).isEqualByComparingTo("0.3");
        assertThat(paper.positions()).isEmpty();
        send(s, "0");
    }

    @Test
    void aCopyOfAReversalRepeatsItsAnswerWithBothLegsAndPlacesNothing() {
        String s = "copied";
        send(s, "0.1");
        String alert = target(s, "-0.05", UUID.randomUUID().toString());
        JsonNode first = send(alert);
        assertThat(first.path("legs")).hasSize(2);
        int before = paper.addOrderRequests().size();
        JsonNode copy = send(alert);
        assertThat(copy.path("status").asText()).isEqualTo("duplicate");
        assertThat(copy.path("first_status").asText()).isEqualTo("executed");
        assertThat(copy.path("legs")).hasSize(2);
        assertThat(paper.addOrderRequests()).hasSize(before);
        assertThat(book(s)).isEqualByComparingTo("-0.05");
        send(s, "0");
    }

    @Test
    void aReversalWhoseCloseKrakenRefusesPlacesNoOpen() {
        String s = "close-refused";
        send(s, "0.2");
        // the coins were sold or withdrawn outside the service: the close cannot be placed
        BigDecimal held = paper.balances().get("XXBT");
        paper.setBalance("XXBT", BigDecimal.ZERO);
        try {
            int before = paper.addOrderRequests().size();
            JsonNode reversal = send(s, "-0.1");
            assertThat(reversal.path("status").asText()).as(reversal.toString()).isEqualTo("rejected");
            assertThat(reversal.path("error").path("details").toString()).contains("EOrder:Insufficient funds");
            assertThat(reversal.has("legs")).isFalse();
            // only the close was tried: no short was opened beside a long the service could not close
            assertThat(ordersSince(before)).hasSize(1);
            assertThat(paper.positions()).isEmpty();
            assertThat(book(s)).isEqualByComparingTo("0.2");
        } finally {
            paper.setBalance("XXBT", held);
        }
        send(s, "0");
    }

    @Test
    void aReversalWhoseCloseIsInDoubtPlacesNoOpenAndTheNextAlertPlansFromTheSettledBook() throws Exception {
        String s = "close-in-doubt";
        send(s, "0.2");
        int before = paper.addOrderRequests().size();
        // Kraken places the close, but the answer is lost
        paper.injectFault("AddOrder", Fault.ACCEPT_THEN_500, 1);
        JsonNode reversal = send(s, "-0.1");
        assertThat(reversal.path("status").asText()).as(reversal.toString()).isEqualTo("pending");
        assertThat(ordersSince(before)).hasSize(1);
        assertThat(paper.positions()).isEmpty();

        // the reconciler finds the close placed; still no open leg of its own
        Journal journal = app.bean("journal", Journal.class);
        String id = reversal.path("alert_id").asText();
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (journal.holderOf(id).orElseThrow().state() != AlertState.EXECUTED && System.nanoTime() < until) {
            Thread.sleep(100);
        }
        assertThat(journal.holderOf(id).orElseThrow().state()).isEqualTo(AlertState.EXECUTED);
        assertThat(journal.holderOf(id + "/open")).isEmpty();
        assertThat(ordersSince(before)).hasSize(1);

        // the next alert counts the close (the book is flat) and opens the short with one order: never doubled
        JsonNode next = send(s, "-0.1");
        assertThat(next.path("status").asText()).as(next.toString()).isEqualTo("executed");
        assertThat(next.has("legs")).isFalse();
        assertThat(next.path("order").path("side").asText()).isEqualTo("sell");
        assertThat(next.path("order").path("volume").asText()).isEqualTo("0.1");
        assertThat(book(s)).isEqualByComparingTo("-0.1");
        assertThat(paper.positions()).containsExactly("XXBTZUSD sell 0.1");
        assertThat(paper.balances().get("XXBT")).isEqualByComparingTo("0");
        send(s, "0");
    }

    @Test
    void positionsListTheShortBesideTheAccountsMarginPositionsAndFlagDriftOnceItIsClosedOutsideTheService()
            throws Exception {
        String s = "closed-by-hand";
        send(s, "-0.1");
        JsonNode covered = positions();
        assertThat(covered.path("shorts").toString()).contains("\"pair\":\"XBTUSD\"");
        JsonNode line = shortLine(covered);
        assertThat(line.path("books").asText()).isEqualTo("-0.1");
        assertThat(line.path("account").asText()).isEqualTo("-0.1");
        assertThat(line.path("drift").asBoolean()).isFalse();
        assertThat(covered.path("margin_positions_read_at").isMissingNode()).isFalse();

        // closed by hand at Kraken: the book is short, the account no longer is
        paper.closePositions("XXBTZUSD");
        JsonNode drifted = positions();
        assertThat(shortLine(drifted).path("account").asText()).isEqualTo("0");
        assertThat(shortLine(drifted).path("drift").asBoolean()).isTrue();
        assertThat(drifted.path("drift").asBoolean()).isTrue();
        assertThat(app.bean("positions", io.tvkraken.strategy.Positions.class).checkDrift())
                .contains("short XBTUSD");

        // the strategy's own close finds no position to reduce: reduce_only keeps it from opening a long instead
        JsonNode close = send(s, "0");
        assertThat(close.path("status").asText()).as(close.toString()).isEqualTo("rejected");
        assertThat(close.path("error").path("details").toString()).contains("EOrder:Reduce only");
        assertThat(book(s)).isEqualByComparingTo("-0.1");
    }

    static JsonNode positions() throws IOException {
        HttpResponse<String> response = app.get("/admin/positions",
                Map.of("Authorization", "Bearer " + TestSecrets.ADMIN_TOKEN));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    static JsonNode shortLine(JsonNode report) {
        for (JsonNode line : report.path("shorts")) {
            if (line.path("pair").asText().equals("XBTUSD")) {
                return line;
            }
        }
        throw new AssertionError("no short line for XBTUSD in " + report);
    }

    @Test
    void anAlertArrivingWhileAReversalHoldsTheBookIsAppliedAfterIt() throws Exception {
        String s = "arriving";
        send(s, "0.2");
        // the close's AddOrder takes a second: meanwhile a "flat" arrives, journaled after the reversal's alert
        paper.setHangFor(Duration.ofMillis(1000));
        paper.injectFault("AddOrder", Fault.HANG, 1);
        java.util.concurrent.CompletableFuture<JsonNode> reversal = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> send(s, "-0.1"));
        Thread.sleep(400);
        JsonNode flat = send(s, "0");
        JsonNode reversed = reversal.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(reversed.path("legs")).as(reversed.toString()).hasSize(2);
        // applied after the reversal, not dropped as older than its open leg
        assertThat(flat.path("status").asText()).as(flat.toString()).isEqualTo("executed");
        assertThat(flat.path("order").path("side").asText()).isEqualTo("buy");
        assertThat(flat.path("order").path("volume").asText()).isEqualTo("0.1");
        assertThat(book(s)).isEqualByComparingTo("0");
        assertThat(paper.positions()).isEmpty();
    }

    @Test
    void aReversalsLegsCarryTheirOwnClientOrderIdsEvenWhenTheAlertBringsAUserref() {
        String s = "tagged";
        send(s, "0.1");
        int before = paper.addOrderRequests().size();
        JsonNode reversal = send("{\"ticker\":\"BTCUSD\",\"strategy\":\"" + s + "\",\"position\":\"-0.1\","
                + "\"userref\":42,\"id\":\"" + UUID.randomUUID() + "\"}");
        assertThat(reversal.path("legs")).as(reversal.toString()).hasSize(2);
        List<Map<String, String>> sent = ordersSince(before);
        assertThat(sent).hasSize(2);
        assertThat(sent).allSatisfy(o -> assertThat(o.get("userref")).isNull());
        assertThat(sent.get(0).get("cl_ord_id")).isNotNull().isNotEqualTo(sent.get(1).get("cl_ord_id"));
        send(s, "0");
    }

    @Test
    void anOrderAlertOnAShortBookReducesItOnMarginAndNeverBuysPastIt() {
        String s = "covered";
        send(s, "-0.1");
        int before = paper.addOrderRequests().size();
        JsonNode part = send("{\"ticker\":\"BTCUSD\",\"strategy\":\"" + s + "\",\"action\":\"buy\","
                + "\"volume\":\"0.04\",\"id\":\"" + UUID.randomUUID() + "\"}");
        assertThat(part.path("status").asText()).as(part.toString()).isEqualTo("executed");
        assertThat(ordersSince(before)).extracting(o -> o.get("leverage") + " " + o.get("reduce_only"))
                .containsExactly("2 true");
        assertThat(book(s)).isEqualByComparingTo("-0.06");
        JsonNode past = send("{\"ticker\":\"BTCUSD\",\"strategy\":\"" + s + "\",\"action\":\"buy\","
                + "\"volume\":\"0.1\",\"id\":\"" + UUID.randomUUID() + "\"}");
        assertThat(past.path("error").path("code").asText()).as(past.toString()).isEqualTo("exceeds_book");
        assertThat(book(s)).isEqualByComparingTo("-0.06");
        send(s, "0");
        assertThat(paper.positions()).isEmpty();
    }

    @Test
    void aReversalWhoseOpenKrakenRefusesAnswersBothLegsAndLeavesTheBookFlat() {
        String s = "open-refused";
        send(s, "0.2");
        int before = paper.addOrderRequests().size();
        // 1000 XBT short at 2:1 needs 30 million USD of margin: the account has 10
        JsonNode reversal = send(s, "-1000");
        assertThat(reversal.path("status").asText()).as(reversal.toString()).isEqualTo("rejected");
        assertThat(reversal.path("legs").get(0).path("status").asText()).isEqualTo("executed");
        assertThat(reversal.path("legs").get(1).path("status").asText()).isEqualTo("rejected");
        assertThat(reversal.path("error").path("details").toString()).contains("EOrder:Insufficient margin");
        assertThat(ordersSince(before)).hasSize(2);
        assertThat(book(s)).isEqualByComparingTo("0");
        assertThat(paper.positions()).isEmpty();
    }
}
