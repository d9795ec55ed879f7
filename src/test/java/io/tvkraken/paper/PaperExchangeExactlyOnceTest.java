package io.tvkraken.paper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What an application needs from the paper exchange to prove "at most one order per alert" (docs/kraken.md):
 * {@code deadline}, {@code cl_ord_id} rules, faults after the order is placed, late visibility and the lookups.
 * Through real HTTP on loopback, on a {@link TestClock} so that time moves only when a test says so.
 */
class PaperExchangeExactlyOnceTest {

    private static final Instant T0 = Instant.parse("2030-01-02T03:04:05Z");
    private static final String[] MARKET_BUY = {"pair=XBTUSD", "type=buy", "ordertype=market", "volume=0.01"};

    private TestClock clock;
    private PaperExchangeHarness exchange;
    private KrakenTestClient kraken;

    @BeforeEach
    void start() {
        clock = new TestClock(T0);
        exchange = PaperExchangeHarness.start(PaperConfig.withRandomKeys(), clock);
        kraken = new KrakenTestClient(exchange);
    }

    @AfterEach
    void stop() {
        exchange.close();
    }

    // ------------------------------------------------------------------ deadline (Kraken's add-order)

    @Test
    void deadlineFromTwoToSixtySecondsAheadIsAcceptedBothBoundsIncluded() throws Exception {
        assertThat(errors(addOrder("deadline=" + at(Duration.ofSeconds(2))))).isEmpty();
        assertThat(errors(addOrder("deadline=" + at(Duration.ofSeconds(60))))).isEmpty();
        assertThat(exchange.orders()).hasSize(2);
    }

    @Test
    void deadlineMayCarryFractionalSecondsAnOffsetAndLowerCaseLetters() throws Exception {
        assertThat(errors(addOrder("deadline=2030-01-02T03:04:35.123456Z"))).isEmpty();
        assertThat(errors(addOrder("deadline=2030-01-02T04:04:35+01:00"))).isEmpty();
        assertThat(errors(addOrder("deadline=2030-01-02t03:04:35z"))).isEmpty();
        assertThat(exchange.orders()).hasSize(3);
    }

    @Test
    void unparseableDeadlineIsInvalidArgumentsAndPlacesNothing() throws Exception {
        List<String> unparseable = List.of("", "soon", "1893553475", "2030-01-02 03:04:35Z", "2030-01-02T03:04:35",
                "2030-01-02T03:04Z", "2030-01-02T03:04:35.Z", "2030-01-02T03:04:35+0100", "2030-02-30T00:00:00Z",
                "2030-01-02T03:04:35.1234567890Z");
        for (String deadline : unparseable) {
            assertThat(errors(addOrder("deadline=" + deadline))).as(deadline)
                    .containsExactly("EGeneral:Invalid arguments:deadline");
        }
        assertThat(exchange.orders()).isEmpty();
    }

    @Test
    void deadlineLessThanTwoSecondsAheadIsInvalidArgumentsAndPlacesNothing() throws Exception {
        for (Duration ahead : List.of(Duration.ofMillis(1999), Duration.ZERO, Duration.ofSeconds(-30))) {
            assertThat(errors(addOrder("deadline=" + at(ahead)))).as(ahead.toString())
                    .containsExactly("EGeneral:Invalid arguments:deadline");
        }
        assertThat(exchange.orders()).isEmpty();
    }

    @Test
    void deadlineMoreThanSixtySecondsAheadIsInvalidArgumentsAndPlacesNothing() throws Exception {
        for (Duration ahead : List.of(Duration.ofMillis(60_001), Duration.ofSeconds(90))) {
            assertThat(errors(addOrder("deadline=" + at(ahead)))).as(ahead.toString())
                    .containsExactly("EGeneral:Invalid arguments:deadline");
        }
        assertThat(exchange.orders()).isEmpty();
    }

    @Test
    void deadlineIsCheckedOnArrivalBeforeTheAddOrderLatency() throws Exception {
        Duration latency = Duration.ofSeconds(1);
        try (PaperExchangeHarness slow = PaperExchangeHarness.start(
                PaperConfig.defaults().withAddOrderLatency(latency), clock)) {
            KrakenTestClient client = new KrakenTestClient(slow);
            long started = System.nanoTime();
            JsonNode reply = client.call("AddOrder", with(MARKET_BUY, "deadline=" + at(Duration.ofSeconds(90))));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(latency);
            assertThat(errors(reply)).containsExactly("EGeneral:Invalid arguments:deadline");
            assertThat(slow.orders()).isEmpty();
        }
    }

    @Test
    void deadlineThatPassesBeforePlacementIsRefusedAsElapsedAndPlacesNothing() throws Exception {
        // Valid on arrival (5 s ahead); 10 s pass between arrival and placement.
        clock.advanceAfterNextRead(Duration.ofSeconds(10));
        assertThat(errors(addOrder("cl_ord_id=late-1", "deadline=" + at(Duration.ofSeconds(5)))))
                .containsExactly("EService:Deadline elapsed");
        assertThat(exchange.orders()).isEmpty();
        assertThat(exchange.balances()).isEqualTo(exchange.config().balances());
        assertThat(kraken.call("ClosedOrders", "cl_ord_id=late-1").path("result").path("count").asInt()).isZero();
    }

    @Test
    void deadlineStillAheadAtPlacementPlacesAnOrderOpenedBeforeIt() throws Exception {
        clock.advanceAfterNextRead(Duration.ofSeconds(5));
        Instant deadline = T0.plusSeconds(5);
        assertThat(errors(addOrder("deadline=" + deadline))).isEmpty();
        assertThat(exchange.orders()).singleElement()
                .satisfies(o -> assertThat(o.openedAt()).isEqualTo(deadline));
    }

    @Test
    void validateOnlyChecksTheDeadlineTooButPlacesNothing() throws Exception {
        assertThat(errors(addOrder("validate=true", "deadline=" + at(Duration.ofSeconds(61)))))
                .containsExactly("EGeneral:Invalid arguments:deadline");

        clock.advanceAfterNextRead(Duration.ofSeconds(10));
        assertThat(errors(addOrder("validate=true", "deadline=" + at(Duration.ofSeconds(5)))))
                .containsExactly("EService:Deadline elapsed");

        JsonNode valid = addOrder("validate=true", "deadline=" + clock.now().plusSeconds(30));
        assertThat(errors(valid)).isEmpty();
        assertThat(valid.path("result").has("txid")).isFalse();
        assertThat(exchange.orders()).isEmpty();
    }

    // ------------------------------------------------------------------ cl_ord_id (Kraken's add-order)

    @Test
    void clOrdIdWithAConditionalCloseIsRefusedAndPlacesNothing() throws Exception {
        JsonNode reply = kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.01",
                "price=50000", "cl_ord_id=alert-close-1", "close[ordertype]=stop-loss", "close[price]=45000");
        assertThat(errors(reply)).containsExactly("EGeneral:Invalid arguments:cl_ord_id");
        assertThat(errors(kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.01",
                "price=50000", "cl_ord_id=alert-close-2", "close[ordertype]=stop-loss", "close[price]=45000",
                "validate=true"))).containsExactly("EGeneral:Invalid arguments:cl_ord_id");
        assertThat(exchange.orders()).isEmpty();
        // Either one alone is fine.
        assertThat(errors(kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.01",
                "price=50000", "close[ordertype]=stop-loss", "close[price]=45000"))).isEmpty();
        assertThat(errors(kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.01",
                "price=50000", "cl_ord_id=alert-close-3"))).isEmpty();
        assertThat(exchange.orders()).hasSize(2);
    }

    // ------------------------------------------------------------------ faults after placing (Kraken's error guide)

    @Test
    void acceptThen500PlacesOneOrderAndAnswersAnHtml500() throws Exception {
        exchange.injectFault("AddOrder", Fault.ACCEPT_THEN_500, 1);
        HttpResponse<String> response = kraken.send("AddOrder", kraken.nextNonce(), with(MARKET_BUY, "cl_ord_id=edge-500"));
        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/html");
        assertThat(response.body()).contains("<title>500 Internal Server Error</title>").doesNotContain("txid");
        assertPlacedOnceAndFoundByLookup("edge-500");
    }

    @Test
    void acceptThenResetPlacesOneOrderAndClosesWithoutAnAnswer() throws Exception {
        exchange.injectFault("AddOrder", Fault.ACCEPT_THEN_RESET, 1);
        assertThatThrownBy(() -> addOrder("cl_ord_id=edge-reset"))
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(HttpTimeoutException.class);
        // One request: the JDK client does not resend a POST after a close without an answer.
        assertThat(exchange.requestCount("AddOrder")).isEqualTo(1);
        assertPlacedOnceAndFoundByLookup("edge-reset");
    }

    @Test
    void acceptThenUnavailablePlacesOneOrderAndAnswersEServiceUnavailable() throws Exception {
        exchange.injectFault("AddOrder", Fault.ACCEPT_THEN_UNAVAILABLE, 1);
        HttpResponse<String> response = kraken.send("AddOrder", kraken.nextNonce(), with(MARKET_BUY, "cl_ord_id=edge-503"));
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode reply = KrakenTestClient.json(response);
        assertThat(errors(reply)).containsExactly("EService:Unavailable");
        assertThat(reply.has("result")).isFalse();
        assertPlacedOnceAndFoundByLookup("edge-503");
    }

    /** The order the client never saw exists once, a ClosedOrders lookup finds it, and the next AddOrder is normal. */
    private void assertPlacedOnceAndFoundByLookup(String clOrdId) throws Exception {
        assertThat(exchange.orders()).singleElement().satisfies(o -> assertThat(o.clOrdId()).isEqualTo(clOrdId));
        JsonNode closed = kraken.call("ClosedOrders", "cl_ord_id=" + clOrdId).path("result");
        assertThat(closed.path("count").asInt()).isEqualTo(1);
        assertThat(closed.path("closed").fieldNames().next()).isEqualTo(exchange.orders().get(0).txid());
        assertThat(errors(addOrder())).isEmpty();
        assertThat(exchange.orders()).hasSize(2);
    }

    // ------------------------------------------------------------------ late visibility (docs/kraken.md)

    @Test
    void orderStaysOutOfOpenOrdersUntilTheVisibilityDelayHasPassed() throws Exception {
        try (PaperExchangeHarness late = PaperExchangeHarness.start(
                PaperConfig.defaults().withOrderVisibilityDelay(Duration.ofMillis(300)), clock)) {
            KrakenTestClient client = new KrakenTestClient(late);
            String txid = client.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.01",
                    "price=50000", "cl_ord_id=late-open").path("result").path("txid").get(0).asText();

            assertThat(client.call("OpenOrders", "cl_ord_id=late-open").path("result").path("open")).isEmpty();
            assertThat(client.call("OpenOrders").path("result").path("open")).isEmpty();
            assertThat(errors(client.call("QueryOrders", "txid=" + txid))).containsExactly("EOrder:Invalid order");
            // It exists meanwhile: the test hook sees it and it holds its cl_ord_id among open orders.
            assertThat(late.orders()).singleElement().satisfies(o -> assertThat(o.txid()).isEqualTo(txid));
            assertThat(errors(client.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.01",
                    "price=50000", "cl_ord_id=late-open"))).containsExactly("EOrder:Duplicate cl_ord_id");

            clock.advance(Duration.ofMillis(299));
            assertThat(client.call("OpenOrders", "cl_ord_id=late-open").path("result").path("open")).isEmpty();

            clock.advance(Duration.ofMillis(1));
            JsonNode open = client.call("OpenOrders", "cl_ord_id=late-open").path("result").path("open");
            assertThat(open.fieldNames()).toIterable().containsExactly(txid);
            assertThat(open.path(txid).path("cl_ord_id").asText()).isEqualTo("late-open");
            assertThat(client.call("QueryOrders", "txid=" + txid).path("result").path(txid).path("status").asText())
                    .isEqualTo("open");
        }
    }

    @Test
    void filledOrderStaysOutOfClosedOrdersUntilTheVisibilityDelayHasPassedButHasMovedBalances() throws Exception {
        try (PaperExchangeHarness late = PaperExchangeHarness.start(
                PaperConfig.defaults().withOrderVisibilityDelay(Duration.ofMillis(300)), clock)) {
            KrakenTestClient client = new KrakenTestClient(late);
            assertThat(errors(client.call("AddOrder", with(MARKET_BUY, "cl_ord_id=late-fill")))).isEmpty();

            JsonNode hidden = client.call("ClosedOrders", "cl_ord_id=late-fill").path("result");
            assertThat(hidden.path("closed")).isEmpty();
            assertThat(hidden.path("count").asInt()).isZero();
            assertThat(late.balances().get("XXBT")).isEqualByComparingTo("2.01");

            clock.advance(Duration.ofMillis(300));
            JsonNode shown = client.call("ClosedOrders", "cl_ord_id=late-fill").path("result");
            assertThat(shown.path("count").asInt()).isEqualTo(1);
            assertThat(shown.path("closed").elements().next().path("cl_ord_id").asText()).isEqualTo("late-fill");
        }
    }

    @Test
    void orderBecomesVisibleNoSoonerThanTheDelayOnTheSystemClock() throws Exception {
        Duration delay = Duration.ofMillis(300);
        // Polling every 20 ms for 300 ms makes up to 16 OpenOrders calls: one more than Starter's REST counter allows
        // at once (https://docs.kraken.com/api/docs/guides/spot-rest-ratelimits). Pro's 20 covers the burst; this
        // test is about visibility, not the limiter.
        try (PaperExchangeHarness late = PaperExchangeHarness.start(PaperConfig.defaults()
                .withOrderVisibilityDelay(delay).withRateLimitTier(RateLimitTier.PRO))) {
            KrakenTestClient client = new KrakenTestClient(late);
            long sent = System.nanoTime(); // before the order's opentm
            assertThat(errors(client.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.01",
                    "price=50000", "cl_ord_id=late-real")))
                    .isEmpty();
            long giveUp = sent + Duration.ofSeconds(5).toNanos();
            while (client.call("OpenOrders", "cl_ord_id=late-real").path("result").path("open").isEmpty()) {
                assertThat(System.nanoTime()).as("visible within 5 s").isLessThan(giveUp);
                Thread.sleep(20);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(delay);
        }
    }

    // ------------------------------------------------------------------ lookups (Open/Closed/QueryOrders)

    @Test
    void openAndClosedOrdersShowClOrdIdUserrefAndOpentm() throws Exception {
        kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.01", "price=50000",
                "cl_ord_id=shown-open");
        kraken.call("AddOrder", with(MARKET_BUY, "userref=42"));

        JsonNode open = kraken.call("OpenOrders").path("result").path("open").elements().next();
        assertThat(open.path("cl_ord_id").asText()).isEqualTo("shown-open");
        assertThat(open.path("userref").isInt()).isTrue();
        assertThat(open.path("userref").asInt()).isZero(); // Kraken shows 0 for "no userref"
        assertThat(open.path("opentm").isNumber()).isTrue();
        assertThat(open.path("opentm").decimalValue()).isEqualByComparingTo(Long.toString(T0.getEpochSecond()));

        JsonNode closed = kraken.call("ClosedOrders").path("result").path("closed").elements().next();
        assertThat(closed.has("cl_ord_id")).isTrue();
        assertThat(closed.path("cl_ord_id").isNull()).isTrue();
        assertThat(closed.path("userref").asInt()).isEqualTo(42);
        assertThat(closed.path("opentm").decimalValue()).isEqualByComparingTo(Long.toString(T0.getEpochSecond()));
    }

    @Test
    void closedOrdersStartIsExclusiveAndNarrowsTheCount() throws Exception {
        String first = txid(addOrder("cl_ord_id=first"));
        clock.advance(Duration.ofSeconds(10));
        String second = txid(addOrder("cl_ord_id=second"));
        long t0 = T0.getEpochSecond();

        assertThat(closedTxids("start=" + (t0 - 1))).containsExactly(second, first);
        assertThat(closedTxids("start=" + t0)).containsExactly(second); // opened exactly at start: not after it
        assertThat(closedTxids("start=" + t0 + ".5")).containsExactly(second);
        assertThat(closedTxids("start=" + (t0 + 10))).isEmpty();
        assertThat(kraken.call("ClosedOrders", "start=" + t0, "cl_ord_id=second").path("result").path("count").asInt())
                .isEqualTo(1);
        assertThat(kraken.call("ClosedOrders", "start=" + t0, "cl_ord_id=first").path("result").path("count").asInt())
                .isZero();
    }

    @Test
    void closedOrdersCloseTimeChoosesWhichTimeIsComparedWithStart() throws Exception {
        // Opened at T0, cancelled at T0 + 20 s; start is T0 + 10 s.
        String txid = txid(kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.01",
                "price=50000", "cl_ord_id=slow-cancel"));
        clock.advance(Duration.ofSeconds(20));
        kraken.call("CancelOrder", "cl_ord_id=slow-cancel");
        String start = "start=" + (T0.getEpochSecond() + 10);

        assertThat(closedTxids(start)).containsExactly(txid); // closetime defaults to both
        assertThat(closedTxids(start, "closetime=both")).containsExactly(txid);
        assertThat(closedTxids(start, "closetime=close")).containsExactly(txid);
        assertThat(closedTxids(start, "closetime=open")).isEmpty();
    }

    @Test
    void closedOrdersRefusesAStartOrCloseTimeItCannotRead() throws Exception {
        assertThat(errors(kraken.call("ClosedOrders", "start=yesterday")))
                .containsExactly("EGeneral:Invalid arguments:start");
        assertThat(errors(kraken.call("ClosedOrders", "closetime=later")))
                .containsExactly("EGeneral:Invalid arguments:closetime");
    }

    // ------------------------------------------------------------------ helpers

    private List<String> closedTxids(String... params) throws Exception {
        JsonNode result = kraken.call("ClosedOrders", params).path("result");
        List<String> txids = new ArrayList<>();
        result.path("closed").fieldNames().forEachRemaining(txids::add);
        assertThat(result.path("count").asInt()).isEqualTo(txids.size());
        return txids;
    }

    private static String txid(JsonNode addOrderReply) {
        assertThat(errors(addOrderReply)).isEmpty();
        return addOrderReply.path("result").path("txid").get(0).asText();
    }

    private JsonNode addOrder(String... extra) throws Exception {
        return kraken.call("AddOrder", with(MARKET_BUY, extra));
    }

    private static String[] with(String[] base, String... extra) {
        List<String> all = new ArrayList<>(List.of(base));
        all.addAll(List.of(extra));
        return all.toArray(String[]::new);
    }

    /** RFC 3339 in UTC, e.g. {@code 2030-01-02T03:04:07Z} or {@code 2030-01-02T03:04:06.999Z}. */
    private String at(Duration fromNow) {
        return clock.now().plus(fromNow).toString();
    }

    private static List<String> errors(JsonNode reply) {
        List<String> errors = new ArrayList<>();
        reply.path("error").forEach(e -> errors.add(e.asText()));
        return errors;
    }
}
