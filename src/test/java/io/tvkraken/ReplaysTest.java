package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.PaperExchangeHarness;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays of recorded alerts through the whole pipeline in a sandbox (docs/replays.md): a session of alerts is sent
 * while the market moves; its replay under other settings - a partner account with its own limit, every alert placed on
 * both accounts - fills each alert at the price recorded when it was handled, reports orders, refusals, balances,
 * fees, P&L and equity per account, gives its orders as CSV, and never touches the live account.
 */
class ReplaysTest {

    @TempDir
    static Path data;
    static RunningApp app;
    static PaperExchangeHarness paper;
    static final ObjectMapper JSON = new ObjectMapper();
    static final Map<String, String> ADMIN = Map.of("Authorization", "Bearer " + TestSecrets.ADMIN_TOKEN);
    /** The session: price of BTCUSD when each alert was sent, and the alert's side and volume. */
    static final String[][] SESSION = {{"60000", "buy", "0.02"}, {"61000", "buy", "0.03"}, {"63000", "sell", "0.01"},
        {"59000", "buy", "0.01"}, {"62000", "sell", "0.04"}};
    static Instant from;
    static Instant to;

    @BeforeAll
    static void start() throws Exception {
        Path file = data.resolve("strategies.yaml");
        Files.writeString(file, "account:\n  max-order-cost: 100000\n");
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("paper.prices", "XXBTZUSD=60000.0");
        p.put("paper.balances", "ZUSD=100000");
        p.put("paper.rate-limit-tier", "off");
        // every order sized at the price of the moment, as the recorded price says
        p.put("kraken.prices.max-age-ms", "0");
        p.put("kraken.accounts", "partner");
        p.put("strategies.file", file.toString());
        p.put("admin.token", TestSecrets.ADMIN_TOKEN);
        app = RunningApp.start(p);
        paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
        from = Instant.now().minusSeconds(1);
        for (int i = 0; i < SESSION.length; i++) {
            paper.setPrice("XXBTZUSD", new BigDecimal(SESSION[i][0]));
            HttpResponse<String> answer = app.post("/webhook/tradingview", "{\"ticker\":\"BTCUSD\",\"action\":\""
                    + SESSION[i][1] + "\",\"volume\":\"" + SESSION[i][2] + "\",\"id\":\"session-" + i + "\"}");
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        }
        to = Instant.now().plusSeconds(1);
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    static JsonNode replay(String request) throws Exception {
        HttpResponse<String> asked = app.post("/admin/replays", request, ADMIN);
        assertThat(asked.statusCode()).as(asked.body()).isEqualTo(202);
        String id = JSON.readTree(asked.body()).path("id").asText();
        for (int i = 0; i < 600; i++) {
            HttpResponse<String> read = app.get("/admin/replays/" + id, ADMIN);
            JsonNode body = JSON.readTree(read.body());
            if (read.statusCode() == 200) {
                assertThat(body.path("state").asText()).as(read.body()).isEqualTo("done");
                return body;
            }
            assertThat(read.statusCode()).isEqualTo(202);
            assertThat(body.path("progress").path("total").asInt()).isEqualTo(SESSION.length);
            Thread.sleep(100);
        }
        throw new AssertionError("replay " + id + " did not finish");
    }

    static JsonNode row(JsonNode report, String account) {
        for (JsonNode row : report.path("by_strategy_and_account")) {
            if (account.equals(row.path("account").asText())) {
                return row;
            }
        }
        throw new AssertionError("no row for " + account + " in " + report);
    }

    static JsonNode account(JsonNode report, String name) {
        for (JsonNode row : report.path("accounts")) {
            if (name.equals(row.path("account").asText())) {
                return row;
            }
        }
        throw new AssertionError("no account " + name + " in " + report);
    }

    @Test
    void aSessionReplayedUnderOtherLimitsOnTwoAccountsFillsAtTheRecordedPricesAndLeavesTheLiveAccountAlone()
            throws Exception {
        int liveOrders = paper.orders().size();
        Map<String, BigDecimal> liveBalances = paper.balances();
        JsonNode replay = replay("{\"from\":\"" + from + "\",\"to\":\"" + to + "\",\"accounts\":[\"default\",\"partner\"],"
                + "\"settings\":{\"accounts\":{\"partner\":{\"max-order-cost\":1500}}},"
                + "\"balances\":{\"ZUSD\":50000}}");
        JsonNode report = replay.path("report");
        assertThat(replay.path("progress").path("done").asInt()).isEqualTo(SESSION.length);
        assertThat(report.path("alerts").asInt()).isEqualTo(SESSION.length);

        // the default account: every alert placed; the partner: its own limit refuses the orders above 1,500 USD
        JsonNode main = row(report, "default");
        assertThat(main.has("strategy")).isFalse();
        assertThat(main.path("executed").asInt()).isEqualTo(SESSION.length);
        JsonNode partner = row(report, "partner");
        // 0.02 x 60,000 = 1,200 and 0.01 x 63,000 and 0.01 x 59,000 pass; 0.03 x 61,000 and 0.04 x 62,000 do not
        assertThat(partner.path("executed").asInt()).isEqualTo(3);
        assertThat(partner.path("refused").path("risk_limit").asInt()).isEqualTo(2);

        // balances from the replay's own starting balances; equity after every alert; P&L from start to end
        JsonNode mainAccount = account(report, "default");
        assertThat(mainAccount.path("equity")).hasSize(SESSION.length);
        assertThat(mainAccount.path("starting_equity").decimalValue()).isEqualByComparingTo("50000");
        assertThat(new BigDecimal(mainAccount.path("balances").path("XXBT").asText())).isEqualByComparingTo("0.01");
        assertThat(new BigDecimal(mainAccount.path("fees").asText())).isPositive();
        // bought 0.02 at 60,000 and 0.03 at 61,000, sold 0.01 at 63,000, bought 0.01 at 59,000, sold 0.04 at 62,000:
        // the quote spent and received, plus the 0.01 BTC left valued at the last price, 62,000, before fees
        BigDecimal pnl = mainAccount.path("pnl").decimalValue();
        BigDecimal fees = new BigDecimal(mainAccount.path("fees").asText());
        // Kraken's taker fee, 0.40 % of the 6,730 USD traded, unless the replay says otherwise
        assertThat(fees).isEqualByComparingTo("26.92");
        assertThat(pnl.add(fees).setScale(2)).isEqualByComparingTo(new BigDecimal("-1200").subtract(new BigDecimal("1830"))
                .add(new BigDecimal("630")).subtract(new BigDecimal("590")).add(new BigDecimal("2480"))
                .add(new BigDecimal("0.01").multiply(new BigDecimal("62000"))));

        // the orders as CSV: every fill at the price recorded when its alert was handled
        HttpResponse<String> csv = app.get("/admin/replays/" + replay.path("id").asText() + "/orders", ADMIN);
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
        List<String> lines = csv.body().lines().toList();
        assertThat(lines.get(0)).startsWith("received_at,alert_id,account,strategy,status,pair,side,volume,avg_price");
        List<String> mainFills = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            if (cells[2].equals("default")) {
                mainFills.add(new BigDecimal(cells[8]).stripTrailingZeros().toPlainString());
            }
        }
        assertThat(mainFills).containsExactly("60000", "61000", "63000", "59000", "62000");

        // nothing reached the live account
        assertThat(paper.orders()).hasSize(liveOrders);
        assertThat(paper.balances()).isEqualTo(liveBalances);
    }

    @Test
    void aRequestThatIsWrongIsRefusedNamingEveryFieldAndAnUnknownReplayIs404() throws Exception {
        HttpResponse<String> wrong = app.post("/admin/replays", "{\"from\":\"yesterday\",\"accounts\":[\"nobody\"],"
                + "\"settings\":{\"account\":{\"max-order-cots\":1}},\"colour\":1}", ADMIN);
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(wrong.body()).contains("from: a time such as", "to: required", "accounts: no Kraken account 'nobody'",
                "settings: account.max-order-cots: unknown key", "colour: unknown field");
        assertThat(app.get("/admin/replays/rp-nothing", ADMIN).statusCode()).isEqualTo(404);
        assertThat(app.post("/admin/replays", "{}", Map.of()).statusCode()).isEqualTo(401);
    }
}
