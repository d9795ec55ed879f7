package io.tvkraken.paper;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * "Trading engine down, queries up", and the fault controls a test needs to bring Kraken down and back: standing
 * faults, and clearing the faults of one method. Through real HTTP on loopback.
 */
class PaperEngineOutageTest {

    private static final String[] LIMIT_BUY = {"pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.01",
            "price=50000.0", "cl_ord_id=while-down"};

    private PaperExchangeHarness exchange;
    private KrakenTestClient kraken;

    @BeforeEach
    void start() {
        // A clock that stands still: the trading counter read below does not decay while the test runs.
        exchange = PaperExchangeHarness.start(PaperConfig.withRandomKeys(),
                new TestClock(Instant.parse("2030-01-02T03:04:05Z")));
        kraken = new KrakenTestClient(exchange);
    }

    @AfterEach
    void stop() {
        exchange.close();
    }

    @Test
    void whileTheEngineIsDownOrdersAreRefusedAndQueriesAnswer() throws Exception {
        String resting = txid(kraken.call("AddOrder", "pair=ETHUSD", "type=buy", "ordertype=limit", "volume=0.1",
                "price=2000.00"));
        assertThat(errors(kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=market", "volume=0.01")))
                .isEmpty();
        exchange.tradingEngineDown();

        for (int i = 0; i < 5; i++) { // as long as it is set, not a number of times
            assertThat(errors(kraken.call("AddOrder", LIMIT_BUY))).containsExactly("EService:Unavailable");
        }
        assertThat(errors(kraken.call("CancelOrder", "txid=" + resting))).containsExactly("EService:Unavailable");
        assertThat(errors(kraken.call("CancelAll"))).containsExactly("EService:Unavailable");
        assertThat(exchange.orders()).hasSize(2);
        assertThat(exchange.orders().get(0).status()).isEqualTo("open");
        assertThat(exchange.requestCount("AddOrder")).isEqualTo(7);
        assertThat(exchange.addOrderRequests()).hasSize(7);
        // Answered before the engine: nothing charged to the pair.
        assertThat(exchange.tradingCounter("XBTUSD")).isEqualByComparingTo("1");

        assertThat(kraken.call("OpenOrders").path("result").path("open").has(resting)).isTrue();
        assertThat(kraken.call("OpenOrders", "cl_ord_id=while-down").path("result").path("open")).isEmpty();
        assertThat(kraken.call("ClosedOrders").path("result").path("count").asInt()).isEqualTo(1);
        assertThat(kraken.call("ClosedOrders", "cl_ord_id=while-down").path("result").path("count").asInt()).isZero();
        assertThat(kraken.call("QueryOrders", "txid=" + resting).path("result").path(resting).path("status").asText())
                .isEqualTo("open");
        assertThat(new BigDecimal(kraken.call("Balance").path("result").path("XXBT").asText()))
                .isEqualByComparingTo("2.01");
        assertThat(errors(kraken.call("BalanceEx"))).isEmpty();
        assertThat(kraken.publicCall("/0/public/Ticker?pair=XBTUSD").path("result").has("XXBTZUSD")).isTrue();
        assertThat(kraken.publicCall("/0/public/SystemStatus").path("result").path("status").asText())
                .isEqualTo("online"); // unannounced

        exchange.tradingEngineUp();
        assertThat(errors(kraken.call("AddOrder", LIMIT_BUY))).isEmpty();
        assertThat(kraken.call("OpenOrders", "cl_ord_id=while-down").path("result").path("open")).hasSize(1);
        assertThat(kraken.call("CancelOrder", "txid=" + resting).path("result").path("count").asInt()).isEqualTo(1);
    }

    @Test
    void aStandingFaultPlaysUntilItsMethodIsCleared() throws Exception {
        exchange.injectFaultUntilCleared("AddOrder", Fault.SERVICE_UNAVAILABLE);
        exchange.injectFaultUntilCleared("Ticker", Fault.HTTP_502_HTML);
        for (int i = 0; i < 3; i++) {
            assertThat(errors(kraken.call("AddOrder", LIMIT_BUY))).containsExactly("EService:Unavailable");
        }
        exchange.clearFaults("AddOrder");
        assertThat(errors(kraken.call("AddOrder", LIMIT_BUY))).isEmpty();
        assertThat(kraken.get("/0/public/Ticker?pair=XBTUSD").statusCode()).as("Ticker keeps its fault").isEqualTo(502);
        exchange.clearFaults();
        assertThat(kraken.get("/0/public/Ticker?pair=XBTUSD").statusCode()).isEqualTo(200);
    }

    @Test
    void queuedFaultsPlayBeforeTheStandingOne() throws Exception {
        exchange.injectFaultUntilCleared("Balance", Fault.SERVICE_UNAVAILABLE);
        exchange.injectFault("Balance", Fault.RATE_LIMITED, 2);
        assertThat(errors(kraken.call("Balance"))).containsExactly("EAPI:Rate limit exceeded");
        assertThat(errors(kraken.call("Balance"))).containsExactly("EAPI:Rate limit exceeded");
        assertThat(errors(kraken.call("Balance"))).containsExactly("EService:Unavailable");
        assertThat(errors(kraken.call("Balance"))).containsExactly("EService:Unavailable");
        // An injected RATE_LIMITED is not a refusal of the limiter.
        assertThat(exchange.rateLimitRefusals("Balance")).isZero();
    }

    @Test
    void clearingOneMethodKeepsTheQueuedFaultsOfOthers() throws Exception {
        exchange.injectFault("Balance", Fault.SERVICE_UNAVAILABLE, 3);
        exchange.injectFault("OpenOrders", Fault.SERVICE_UNAVAILABLE, 3);
        exchange.clearFaults("Balance");
        assertThat(errors(kraken.call("Balance"))).isEmpty();
        assertThat(errors(kraken.call("OpenOrders"))).containsExactly("EService:Unavailable");
    }

    @Test
    void aFaultInjectedForEverAsAHugeCountCostsNoMemoryAndCanBeCleared() throws Exception {
        exchange.injectFault("AddOrder", Fault.SERVICE_UNAVAILABLE, Integer.MAX_VALUE);
        exchange.injectFault("AddOrder", Fault.SERVICE_UNAVAILABLE, Integer.MAX_VALUE);
        assertThat(errors(kraken.call("AddOrder", LIMIT_BUY))).containsExactly("EService:Unavailable");
        exchange.clearFaults("AddOrder");
        assertThat(errors(kraken.call("AddOrder", LIMIT_BUY))).isEmpty();
    }

    private static String txid(JsonNode addOrderReply) {
        assertThat(errors(addOrderReply)).isEmpty();
        return addOrderReply.path("result").path("txid").get(0).asText();
    }

    private static List<String> errors(JsonNode reply) {
        List<String> errors = new ArrayList<>();
        reply.path("error").forEach(e -> errors.add(e.asText()));
        return errors;
    }
}
