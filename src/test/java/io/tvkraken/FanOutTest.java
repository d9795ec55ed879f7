package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.PaperExchangeHarness;
import io.tvkraken.paper.PaperOrder;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Named accounts and fan-out through the whole pipeline (docs/accounts.md): three paper accounts, each its own paper
 * exchange with its own balances; an alert naming several places one order on each, with its own client order id,
 * sized and limited as its account says, and its answer lists them all. A copy places nothing anywhere; one account
 * refusing, hanging or with its breaker open neither blocks nor delays another. BTCUSD trades at 60,000.
 */
class FanOutTest {

    @TempDir
    static Path data;
    static RunningApp app;
    static PaperExchangeHarness main;
    static PaperExchangeHarness partner;
    static PaperExchangeHarness small;
    static final ObjectMapper JSON = new ObjectMapper();
    static final AtomicInteger IDS = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        Path file = data.resolve("strategies.yaml");
        Files.writeString(file, "accounts:\n"
                + "  partner:\n"
                + "    sizing: {multiplier: 0.5}\n"
                + "    max-order-cost: 1000\n"
                + "  small:\n"
                + "    sizing: {percent: 10}\n");
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("paper.prices", "XXBTZUSD=60000.0");
        p.put("paper.balances", "ZUSD=1000000");
        p.put("paper.rate-limit-tier", "off");
        p.put("kraken.accounts", "partner,small");
        p.put("paper.account.small.balances", "ZUSD=5000");
        p.put("strategies.file", file.toString());
        p.put("admin.token", TestSecrets.ADMIN_TOKEN);
        app = RunningApp.start(p);
        main = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
        partner = PaperExchangeHarness.of(app.bean("paperExchange-partner", PaperExchange.class));
        small = PaperExchangeHarness.of(app.bean("paperExchange-small", PaperExchange.class));
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    static String id() {
        return "fan-" + IDS.incrementAndGet();
    }

    static String alert(String id, String accounts, String size) {
        return "{\"ticker\":\"BTCUSD\",\"action\":\"buy\"," + size + ",\"id\":\"" + id + "\",\"accounts\":" + accounts
                + "}";
    }

    static JsonNode post(String body, int status) throws Exception {
        HttpResponse<String> response = app.post("/webhook/tradingview", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return JSON.readTree(response.body());
    }

    static JsonNode order(JsonNode answer, String account) {
        for (JsonNode order : answer.path("orders")) {
            if (account.equals(order.path("account").asText())) {
                return order;
            }
        }
        throw new AssertionError("no order for " + account + " in " + answer);
    }

    static List<PaperOrder> ordersOf(PaperExchangeHarness exchange, String alertId) {
        List<PaperOrder> found = new ArrayList<>();
        for (PaperOrder order : exchange.orders()) {
            if (order.clOrdId() != null && order.clOrdId().equals(io.tvkraken.order.ClientOrderId.clOrdId(alertId))) {
                found.add(order);
            }
        }
        return found;
    }

    @Test
    void oneAlertPlacesOneOrderPerAccountEachSizedByItsAccountAndListsThemAll() throws Exception {
        String id = id();
        BigDecimal partnerBtc = partner.balances().getOrDefault("XXBT", BigDecimal.ZERO);
        JsonNode answer = post(alert(id, "[\"default\",\"partner\",\"small\"]", "\"volume\":\"0.02\""), 200);

        assertThat(answer.path("status").asText()).isEqualTo("executed");
        assertThat(answer.path("alert_id").asText()).isEqualTo(id);
        assertThat(answer.path("orders")).hasSize(3);
        assertThat(order(answer, "default").path("status").asText()).isEqualTo("executed");
        assertThat(order(answer, "default").path("alert_id").asText()).isEqualTo(id + "/default");
        assertThat(order(answer, "default").path("order").path("volume").asText()).isEqualTo("0.02");
        // partner: multiplier 0.5 of the alert's volume
        assertThat(order(answer, "partner").path("order").path("volume").asText()).isEqualTo("0.01");
        // small: 10 % of its own 5,000 USD at 60,000 = 0.00833333 BTC
        assertThat(order(answer, "small").path("order").path("volume").asText()).isEqualTo("0.00833333");

        // each order on its own account's exchange, and there only, with a client order id of its own
        assertThat(ordersOf(main, id + "/default")).hasSize(1);
        assertThat(ordersOf(partner, id + "/partner")).hasSize(1);
        assertThat(ordersOf(small, id + "/small")).hasSize(1);
        assertThat(ordersOf(main, id + "/partner")).isEmpty();
        assertThat(ordersOf(partner, id + "/default")).isEmpty();
        Set<String> clOrdIds = new HashSet<>();
        for (JsonNode order : answer.path("orders")) {
            clOrdIds.add(io.tvkraken.order.ClientOrderId.clOrdId(order.path("alert_id").asText()));
        }
        assertThat(clOrdIds).hasSize(3);
        assertThat(partner.balances().get("XXBT").subtract(partnerBtc)).isEqualByComparingTo("0.01");
    }

    @Test
    void aCopyOfTheAlertPlacesNothingAnywhereAndRepeatsEveryAccountsOrder() throws Exception {
        String id = id();
        String body = alert(id, "[\"default\",\"partner\"]", "\"volume\":\"0.01\"");
        post(body, 200);
        int mainOrders = main.requestCount("AddOrder");
        int partnerOrders = partner.requestCount("AddOrder");

        JsonNode copy = post(body, 200);

        assertThat(copy.path("status").asText()).isEqualTo("duplicate");
        assertThat(copy.path("first_status").asText()).isEqualTo("executed");
        assertThat(order(copy, "default").path("status").asText()).isEqualTo("executed");
        assertThat(order(copy, "partner").path("status").asText()).isEqualTo("executed");
        assertThat(main.requestCount("AddOrder")).isEqualTo(mainOrders);
        assertThat(partner.requestCount("AddOrder")).isEqualTo(partnerOrders);
        assertThat(ordersOf(main, id + "/default")).hasSize(1);
        assertThat(ordersOf(partner, id + "/partner")).hasSize(1);
    }

    @Test
    void oneAccountRefusingLeavesTheOthersPlacedAndTheAnswerSaysNotAllSucceeded() throws Exception {
        String id = id();
        int partnerOrders = partner.requestCount("AddOrder");
        // partner halves the cost to 1,500 USD, over its own max-order-cost of 1,000; the default account has no limit
        JsonNode answer = post(alert(id, "[\"default\",\"partner\"]", "\"cost\":\"3000\""), 207);

        assertThat(answer.path("status").asText()).isEqualTo("partial");
        assertThat(order(answer, "default").path("status").asText()).isEqualTo("executed");
        JsonNode refused = order(answer, "partner");
        assertThat(refused.path("status").asText()).isEqualTo("rejected");
        assertThat(refused.path("error").path("code").asText()).isEqualTo("risk_limit");
        assertThat(refused.path("error").path("message").asText()).contains("account 'partner' max-order-cost 1000");
        assertThat(partner.requestCount("AddOrder")).isEqualTo(partnerOrders);
        assertThat(ordersOf(main, id + "/default")).hasSize(1);
    }

    @Test
    void anAccountWhoseBreakerIsOpenIsDeadLetteredWhileTheOthersArePlaced() throws Exception {
        CircuitBreaker breaker = app.bean("krakenTradingBreaker-partner", CircuitBreaker.class);
        breaker.transitionToForcedOpenState();
        try {
            String id = id();
            JsonNode answer = post(alert(id, "[\"default\",\"partner\"]", "\"volume\":\"0.01\""), 207);
            assertThat(order(answer, "default").path("status").asText()).isEqualTo("executed");
            assertThat(order(answer, "partner").path("status").asText()).isEqualTo("dead_lettered");
            assertThat(order(answer, "partner").path("error").path("code").asText()).isEqualTo("circuit_open");
            assertThat(ordersOf(partner, id + "/partner")).isEmpty();

            // the default account's own alerts go on as ever
            JsonNode alone = post("{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.01\",\"id\":\""
                    + id() + "\"}", 200);
            assertThat(alone.path("status").asText()).isEqualTo("executed");
            assertThat(alone.has("orders")).isFalse();
        } finally {
            breaker.transitionToClosedState();
        }
    }

    @Test
    void anAccountThatHangsNeitherBlocksNorDelaysTheOthersAndIsReconciledOnItsOwn() throws Exception {
        String id = id();
        // the partner's AddOrder is answered only after the client gave up: in doubt, looked up on the partner's own
        // account, and found there
        partner.setHangFor(Duration.ofSeconds(3));
        partner.injectFault("AddOrder", io.tvkraken.paper.Fault.HANG, 1);
        try {
            long started = System.nanoTime();
            CompletableFuture<HttpResponse<String>> sent = CompletableFuture.supplyAsync(() -> app.post(
                    "/webhook/tradingview", alert(id, "[\"partner\",\"default\"]", "\"volume\":\"0.01\"")));
            while (ordersOf(main, id + "/default").isEmpty()) {
                assertThat(System.nanoTime() - started).as("the default account's order was placed at once")
                        .isLessThan(Duration.ofSeconds(2).toNanos());
                Thread.sleep(20);
            }
            HttpResponse<String> response = sent.get();
            // answered when due, the partner's order still on its way
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            assertThat(JSON.readTree(response.body()).path("status").asText()).isEqualTo("pending");
        } finally {
            partner.setHangFor(Duration.ofSeconds(10));
        }
        // both settle; a copy then shows both placed, each once
        JsonNode copy = null;
        for (int i = 0; i < 150; i++) {
            // 202 pending while the alert runs; then 200 duplicate, each account's order as its row stands now
            copy = JSON.readTree(app.post("/webhook/tradingview", alert(id, "[\"partner\",\"default\"]",
                    "\"volume\":\"0.01\"")).body());
            if ("executed".equals(copy.path("first_status").asText())) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(copy.path("first_status").asText()).as(copy.toString()).isEqualTo("executed");
        assertThat(ordersOf(partner, id + "/partner")).hasSize(1);
        assertThat(ordersOf(main, id + "/default")).hasSize(1);
    }

    @Test
    void anAccountThatIsNotConfiguredIsRefusedByName() throws Exception {
        int before = main.requestCount("AddOrder");
        JsonNode answer = post(alert(id(), "[\"default\",\"nobody\"]", "\"volume\":\"0.01\""), 400);
        assertThat(answer.path("error").path("details").toString())
                .contains("accounts: no Kraken account 'nobody' is configured (accounts: default, partner, small)");
        assertThat(main.requestCount("AddOrder")).isEqualTo(before);
    }

    @Test
    void theJournalKeepsTheAlertAndOneRowPerAccountUnderIt() throws Exception {
        String id = id();
        post("{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.01\",\"id\":\"" + id
                + "\",\"account\":\"partner\"}", 200);
        HttpResponse<String> response = app.get("/admin/orders?limit=50",
                Map.of("Authorization", "Bearer " + TestSecrets.ADMIN_TOKEN));
        JsonNode rows = JSON.readTree(response.body());
        JsonNode parent = null;
        JsonNode leg = null;
        for (JsonNode row : rows.path("orders").isMissingNode() ? rows : rows.path("orders")) {
            if (id.equals(row.path("alert_id").asText())) {
                parent = row;
            }
            if ((id + "/partner").equals(row.path("alert_id").asText())) {
                leg = row;
            }
        }
        assertThat(parent).as(response.body()).isNotNull();
        assertThat(leg).as(response.body()).isNotNull();
        assertThat(parent.path("state").asText()).isEqualTo("fanned_out");
        assertThat(parent.has("order_request")).isFalse();
        assertThat(leg.path("state").asText()).isEqualTo("executed");
        assertThat(leg.path("account").asText()).isEqualTo("partner");
        assertThat(new BigDecimal(leg.path("order_request").path("volume").asText())).isEqualByComparingTo("0.005");
    }
    @Test
    void anAlertIdThatNamesALegOfAnotherAlertIsRefused() throws Exception {
        JsonNode answer = post("{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.01\",\"id\":\"x/partner\"}",
                400);
        assertThat(answer.path("error").path("details").toString())
                .contains("id: must not end in '/partner': that names a leg of another alert");
    }

    @Test
    void anAlertForSeveralAccountsLeftUnfinishedByAStoppedInstanceIsRunAgainAndPlacesEachAccountsOrderOnce()
            throws Exception {
        String id = id();
        String body = alert(id, "[\"default\",\"partner\"]", "\"volume\":\"0.01\"");
        // another instance journaled the alert and its default account's order, placed that order, and died before
        // the partner's order was even journaled; its leases run out after a second
        var db = app.bean("database", io.tvkraken.journal.Database.class).dataSource();
        var dead = new io.tvkraken.journal.Journal(db, java.time.Clock.systemUTC(), "dead-instance",
                Duration.ofSeconds(1));
        java.time.Instant sendBy = java.time.Instant.now().plusSeconds(60);
        long parent = dead.open("req-dead", id, "execute", body, true, sendBy).row();
        String defaultLeg = id + "/default";
        long leg = dead.accountLeg(parent, "default", "req-dead", defaultLeg, "execute", body, true, sendBy).row();
        HttpResponse<String> placedBefore = app.post("/webhook/tradingview", "{\"ticker\":\"BTCUSD\",\"action\":"
                + "\"buy\",\"volume\":\"0.01\",\"id\":\"" + id + "-stand-in\"}");
        assertThat(placedBefore.statusCode()).isEqualTo(200);
        dead.finish(leg, io.tvkraken.journal.AlertState.EXECUTED, 200, placedBefore.body().replace(id + "-stand-in",
                defaultLeg), null, false, "executed by the instance that died");
        int mainOrders = main.requestCount("AddOrder");
        int partnerOrders = partner.requestCount("AddOrder");

        // the reconcile-orders route adopts the alert once its lease ran out, and runs it again
        JsonNode copy = null;
        for (int i = 0; i < 300; i++) {
            copy = JSON.readTree(app.post("/webhook/tradingview", body).body());
            if ("duplicate".equals(copy.path("status").asText()) && copy.path("orders").size() == 2) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(copy.path("orders")).as(copy.toString()).hasSize(2);
        assertThat(order(copy, "default").path("status").asText()).isEqualTo("executed");
        assertThat(order(copy, "partner").path("status").asText()).isEqualTo("executed");
        // the partner's order placed once, the default account's not again
        assertThat(partner.requestCount("AddOrder")).isEqualTo(partnerOrders + 1);
        assertThat(main.requestCount("AddOrder")).isEqualTo(mainOrders);
        assertThat(ordersOf(partner, id + "/partner")).hasSize(1);
        assertThat(ordersOf(main, defaultLeg)).isEmpty();
    }
}
