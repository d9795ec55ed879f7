package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.journal.Books;
import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.PaperExchangeHarness;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A strategy on several Kraken accounts (docs/accounts.md#strategies-on-several-accounts), through the whole pipeline
 * on three paper accounts: each account keeps its own book of each strategy on each pair, counted from what its own
 * orders executed; a strategy's alerts that name no account go to the strategy's accounts; each account sizes a target
 * its own way, holds its own limits on its own books, and reverses on its own exchange. BTCUSD trades at 60,000, ETHUSD
 * at 3,000, SOLUSD at 150, LTCUSD at 100.
 */
class StrategyAccountsTest {

    @TempDir
    static Path data;
    static RunningApp app;
    static PaperExchangeHarness main;
    static PaperExchangeHarness partner;
    static PaperExchangeHarness solo;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        Path file = data.resolve("strategies.yaml");
        Files.writeString(file, "accounts:\n"
                + "  partner:\n"
                + "    sizing: {multiplier: 0.5}\n"
                + "    max-position: 2.5\n"
                + "  solo:\n"
                + "    sizing: {cost: 600}\n"
                + "strategies:\n"
                + "  trend: {accounts: [default, partner]}\n"
                + "  sized: {accounts: [solo]}\n"
                + "  swing: {accounts: [partner], leverage: 2}\n"
                + "  manual: {}\n"
                + "  capped: {accounts: [default, partner]}\n"
                + "  pinned: {}\n");
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("paper.prices", "XXBTZUSD=60000.0,XETHZUSD=3000.0,SOLUSD=150.0,XLTCZUSD=100.0");
        p.put("paper.balances", "ZUSD=1000000");
        p.put("paper.rate-limit-tier", "off");
        p.put("kraken.accounts", "partner,solo");
        p.put("paper.account.partner.balances", "ZUSD=1000000");
        p.put("paper.account.solo.balances", "ZUSD=100000");
        p.put("strategies.file", file.toString());
        p.put("admin.token", TestSecrets.ADMIN_TOKEN);
        app = RunningApp.start(p);
        main = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
        partner = PaperExchangeHarness.of(app.bean("paperExchange-partner", PaperExchange.class));
        solo = PaperExchangeHarness.of(app.bean("paperExchange-solo", PaperExchange.class));
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    /** The account a journal row's order is placed on, by its alert id. */
    static String accountOfRow(String alertId) throws Exception {
        var db = app.bean("database", io.tvkraken.journal.Database.class).dataSource();
        try (var c = db.getConnection(); var q = c.prepareStatement("SELECT account FROM alert WHERE alert_id = ? "
                + "AND idempotency_key IS NOT NULL")) {
            q.setString(1, alertId);
            try (var rs = q.executeQuery()) {
                assertThat(rs.next()).as("a row for " + alertId).isTrue();
                return rs.getString(1);
            }
        }
    }

    static JsonNode send(String body) throws Exception {
        HttpResponse<String> response = app.post("/webhook/tradingview", body);
        return JSON.readTree(response.body()).deepCopy();
    }

    static String target(String ticker, String strategy, String position) {
        return "{\"ticker\":\"" + ticker + "\",\"strategy\":\"" + strategy + "\",\"position\":\"" + position
                + "\",\"id\":\"" + UUID.randomUUID() + "\"}";
    }

    static JsonNode order(JsonNode answer, String account) {
        for (JsonNode order : answer.path("orders")) {
            if (account.equals(order.path("account").asText())) {
                return order;
            }
        }
        throw new AssertionError("no order for " + account + " in " + answer);
    }

    static BigDecimal book(String strategy, String pair, String account) {
        return app.bean("books", Books.class).get(new Books.Key(strategy, pair, account)).map(Books.Book::position)
                .orElse(BigDecimal.ZERO);
    }

    static List<String> sent(PaperExchangeHarness exchange, int before) {
        List<Map<String, String>> all = exchange.addOrderRequests();
        return all.subList(before, all.size()).stream().map(o -> o.get("pair") + " " + o.get("type") + " "
                + volume(o) + (o.get("leverage") == null ? "" : " leverage " + o.get("leverage"))).toList();
    }

    static String volume(Map<String, String> order) {
        return new BigDecimal(order.get("volume")).stripTrailingZeros().toPlainString();
    }

    @Test
    void aStrategysTargetGoesToItsAccountsAndEachTradesItsOwnBook() throws Exception {
        int mainBefore = main.addOrderRequests().size();
        int partnerBefore = partner.addOrderRequests().size();
        int soloBefore = solo.addOrderRequests().size();

        // no account named: the strategy's accounts, default and partner (sized 0.5)
        JsonNode first = send(target("BTCUSD", "trend", "0.04"));
        assertThat(first.path("status").asText()).as(first.toString()).isEqualTo("executed");
        assertThat(first.path("orders")).hasSize(2);
        assertThat(order(first, "default").path("position").path("book").asText()).isEqualTo("0.04");
        assertThat(order(first, "partner").path("position").path("book").asText()).isEqualTo("0.02");
        assertThat(book("trend", "XBTUSD", "default")).isEqualByComparingTo("0.04");
        assertThat(book("trend", "XBTUSD", "partner")).isEqualByComparingTo("0.02");

        // each book orders its own difference
        JsonNode down = send(target("BTCUSD", "trend", "0.01"));
        assertThat(down.path("status").asText()).as(down.toString()).isEqualTo("executed");
        assertThat(book("trend", "XBTUSD", "default")).isEqualByComparingTo("0.01");
        assertThat(book("trend", "XBTUSD", "partner")).isEqualByComparingTo("0.005");
        JsonNode flat = send(target("BTCUSD", "trend", "0"));
        assertThat(flat.path("status").asText()).as(flat.toString()).isEqualTo("executed");
        assertThat(book("trend", "XBTUSD", "default")).isEqualByComparingTo("0");
        assertThat(book("trend", "XBTUSD", "partner")).isEqualByComparingTo("0");

        // every order on its own account's exchange, and none on an account the strategy does not trade
        assertThat(sent(main, mainBefore)).containsExactly("XBTUSD buy 0.04", "XBTUSD sell 0.03",
                "XBTUSD sell 0.01");
        assertThat(sent(partner, partnerBefore)).containsExactly("XBTUSD buy 0.02", "XBTUSD sell 0.015",
                "XBTUSD sell 0.005");
        assertThat(sent(solo, soloBefore)).isEmpty();
    }

    @Test
    void aFixedCostSizesAPositionWhenItOpensAndTheBookHoldsItUntilTheSideChanges() throws Exception {
        int before = solo.addOrderRequests().size();
        // 600 USD at 3,000: 0.2 ETH, whatever size the strategy sends
        JsonNode open = send(target("ETHUSD", "sized", "5"));
        assertThat(open.path("status").asText()).as(open.toString()).isEqualTo("executed");
        assertThat(order(open, "solo").path("order").path("volume").asText()).isEqualTo("0.2");
        assertThat(book("sized", "ETHUSD", "solo")).isEqualByComparingTo("0.2");

        JsonNode more = send(target("ETHUSD", "sized", "8"));
        assertThat(order(more, "solo").path("status").asText()).as(more.toString()).isEqualTo("in_position");
        assertThat(book("sized", "ETHUSD", "solo")).isEqualByComparingTo("0.2");

        JsonNode flat = send(target("ETHUSD", "sized", "0"));
        assertThat(order(flat, "solo").path("status").asText()).as(flat.toString()).isEqualTo("executed");
        assertThat(book("sized", "ETHUSD", "solo")).isEqualByComparingTo("0");
        assertThat(sent(solo, before)).containsExactly("ETHUSD buy 0.2", "ETHUSD sell 0.2");
        // the default account's book of the strategy was never touched
        assertThat(app.bean("books", Books.class).get(new Books.Key("sized", "ETHUSD"))).isEmpty();
    }

    @Test
    void anOrderAlertOfAStrategySellsOnlyWhatItsOwnAccountsBookHolds() throws Exception {
        String buy = "{\"ticker\":\"SOLUSD\",\"strategy\":\"manual\",\"action\":\"buy\",\"volume\":\"2\","
                + "\"accounts\":[\"default\",\"partner\"],\"id\":\"" + UUID.randomUUID() + "\"}";
        JsonNode bought = send(buy);
        assertThat(bought.path("status").asText()).as(bought.toString()).isEqualTo("executed");
        assertThat(book("manual", "SOLUSD", "default")).isEqualByComparingTo("2");
        assertThat(book("manual", "SOLUSD", "partner")).isEqualByComparingTo("1");

        // 1.5 SOL is more than the partner's book holds (1), though the default account's holds 2
        int partnerBefore = partner.addOrderRequests().size();
        JsonNode tooMuch = send("{\"ticker\":\"SOLUSD\",\"strategy\":\"manual\",\"action\":\"sell\",\"volume\":\"3\","
                + "\"account\":\"partner\",\"id\":\"" + UUID.randomUUID() + "\"}");
        assertThat(order(tooMuch, "partner").path("error").path("code").asText()).as(tooMuch.toString())
                .isEqualTo("exceeds_book");
        assertThat(sent(partner, partnerBefore)).isEmpty();

        JsonNode fits = send("{\"ticker\":\"SOLUSD\",\"strategy\":\"manual\",\"action\":\"sell\",\"volume\":\"1.5\","
                + "\"account\":\"default\",\"id\":\"" + UUID.randomUUID() + "\"}");
        assertThat(fits.path("status").asText()).as(fits.toString()).isEqualTo("executed");
        assertThat(book("manual", "SOLUSD", "default")).isEqualByComparingTo("0.5");
        assertThat(book("manual", "SOLUSD", "partner")).isEqualByComparingTo("1");
    }

    @Test
    void anAccountsMaxPositionCountsItsOwnBooksOnly() throws Exception {
        // the partner's 3 LTC (0.5 of 6) are over its max-position 2.5; the default account has no such limit
        JsonNode answer = send(target("LTCUSD", "capped", "6"));
        assertThat(answer.path("status").asText()).as(answer.toString()).isEqualTo("partial");
        assertThat(order(answer, "default").path("status").asText()).isEqualTo("executed");
        assertThat(order(answer, "partner").path("error").path("code").asText()).isEqualTo("risk_limit");
        assertThat(book("capped", "LTCUSD", "default")).isEqualByComparingTo("6");
        assertThat(book("capped", "LTCUSD", "partner")).isEqualByComparingTo("0");

        // 4 x 0.5 = 2 fits the partner's limit; the default account's 6 LTC are not the partner's
        JsonNode fits = send(target("LTCUSD", "capped", "4"));
        assertThat(order(fits, "partner").path("status").asText()).as(fits.toString()).isEqualTo("executed");
        assertThat(book("capped", "LTCUSD", "partner")).isEqualByComparingTo("2");
        assertThat(book("capped", "LTCUSD", "default")).isEqualByComparingTo("4");
    }

    @Test
    void aReversalOnANamedAccountClosesThenOpensOnThatAccountsExchange() throws Exception {
        int mainBefore = main.addOrderRequests().size();
        int before = partner.addOrderRequests().size();
        JsonNode longAnswer = send(target("BTCUSD", "swing", "0.04"));
        assertThat(longAnswer.path("status").asText()).as(longAnswer.toString()).isEqualTo("executed");
        assertThat(book("swing", "XBTUSD", "partner")).isEqualByComparingTo("0.02");

        String reversal = target("BTCUSD", "swing", "-0.04");
        JsonNode reversed = send(reversal);
        assertThat(reversed.path("status").asText()).as(reversed.toString()).isEqualTo("executed");
        // the open leg's row is the partner's: looked up and reconciled there, never on the default account
        String id = JSON.readTree(reversal).path("id").asText();
        assertThat(accountOfRow(id + "/partner")).isEqualTo("partner");
        assertThat(accountOfRow(id + "/partner/open")).isEqualTo("partner");
        assertThat(book("swing", "XBTUSD", "partner")).isEqualByComparingTo("-0.02");
        // the close spot, then the short on margin, both on the partner's exchange
        assertThat(sent(partner, before)).containsExactly("XBTUSD buy 0.02", "XBTUSD sell 0.02",
                "XBTUSD sell 0.02 leverage 2");
        assertThat(partner.positions()).containsExactly("XXBTZUSD sell 0.02");
        assertThat(sent(main, mainBefore)).isEmpty();

        JsonNode flat = send(target("BTCUSD", "swing", "0"));
        assertThat(flat.path("status").asText()).as(flat.toString()).isEqualTo("executed");
        assertThat(book("swing", "XBTUSD", "partner")).isEqualByComparingTo("0");
        assertThat(partner.positions()).isEmpty();
    }

    @Test
    void aStrategysAlertLeftUnfinishedGoesToTheAccountsJournaledWithItWhateverTheFileSaysSince() throws Exception {
        // strategy 'pinned' names no accounts in the file now; an instance that died had journaled this alert for
        // default and partner (its file said so then) and placed nothing yet; its leases run out after a second
        String id = "pinned-" + UUID.randomUUID();
        String body = "{\"ticker\":\"SOLUSD\",\"strategy\":\"pinned\",\"action\":\"buy\",\"volume\":\"2\",\"id\":\""
                + id + "\"}";
        var db = app.bean("database", io.tvkraken.journal.Database.class).dataSource();
        var dead = new io.tvkraken.journal.Journal(db, java.time.Clock.systemUTC(), "dead-instance",
                Duration.ofSeconds(1));
        dead.open("req-dead", id, "execute", body, true, java.time.Instant.now().plusSeconds(60),
                List.of("default", "partner"));

        JsonNode copy = null;
        for (int i = 0; i < 300; i++) {
            copy = send(body);
            if ("duplicate".equals(copy.path("status").asText()) && copy.path("orders").size() == 2
                    && !"pending".equals(order(copy, "partner").path("status").asText())) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(copy.path("orders")).as(copy.toString()).hasSize(2);
        assertThat(order(copy, "default").path("status").asText()).isEqualTo("executed");
        assertThat(order(copy, "partner").path("status").asText()).isEqualTo("executed");
        assertThat(book("pinned", "SOLUSD", "default")).isEqualByComparingTo("2");
        assertThat(book("pinned", "SOLUSD", "partner")).isEqualByComparingTo("1");
    }

    @Test
    void thePositionsListEveryAccountsBooksAndCompareOnlyTheDefaultAccountsWithItsHoldings() throws Exception {
        send(target("BTCUSD", "trend", "0.02"));
        HttpResponse<String> response = app.get("/admin/positions", Map.of("Authorization", "Bearer "
                + TestSecrets.ADMIN_TOKEN));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode report = JSON.readTree(response.body());
        boolean partnerBook = false;
        for (JsonNode line : report.path("books")) {
            if ("trend".equals(line.path("strategy").asText()) && "partner".equals(line.path("account").asText())) {
                partnerBook = true;
                assertThat(line.path("position").asText()).isEqualTo("0.01");
            }
        }
        assertThat(partnerBook).as(report.toString()).isTrue();
        // the partner's long books are not counted against the default account's holdings
        assertThat(report.path("drift").asBoolean()).as(report.toString()).isFalse();
        send(target("BTCUSD", "trend", "0"));
    }
}
