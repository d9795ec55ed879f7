package io.tvkraken.paper;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The paper exchange keeps a bounded number of orders however many are placed: the most recently closed ones up to
 * {@link PaperConfig#closedOrdersKept()}, and at most {@link PaperConfig#openOrdersLimit()} open ones, while the
 * look-ups a client makes for a recent order keep working. Through real HTTP on loopback; rate limits off, as the
 * test places orders faster than any Kraken tier allows.
 */
class PaperMemoryBoundTest {

    private static final int KEPT = 40;
    private static final int PLACED = 3 * KEPT + 7;

    private PaperExchangeHarness exchange;
    private KrakenTestClient kraken;

    private void start(PaperConfig config) {
        exchange = PaperExchangeHarness.start(config.withRateLimitTier(RateLimitTier.OFF));
        kraken = new KrakenTestClient(exchange);
    }

    @AfterEach
    void stop() {
        if (exchange != null) {
            exchange.close();
        }
    }

    @Test
    void closedOrdersPastTheLimitAreForgottenAndRecentOnesAreStillFoundByClOrdIdUserrefAndTxid() throws Exception {
        start(PaperConfig.withRandomKeys().withClosedOrdersKept(KEPT));
        List<String> txids = new ArrayList<>();
        for (int i = 0; i < PLACED; i++) {
            txids.add(txid(kraken.call("AddOrder", "pair=XBTUSD", "type=" + (i % 2 == 0 ? "buy" : "sell"),
                    "ordertype=market", "volume=0.001", "cl_ord_id=" + clOrdId(i))));
            assertThat(exchange.exchange().account().closedCount()).isEqualTo(Math.min(i + 1, KEPT));
        }
        PaperAccount account = exchange.exchange().account();
        assertThat(account.closedCount()).isEqualTo(KEPT);
        // by sequence, by cl_ord_id, by userref (all 0 here): one entry each per order kept, none left behind
        assertThat(account.closedIndexEntries()).isEqualTo(3 * KEPT);
        assertThat(exchange.orders()).hasSize(KEPT);

        int last = PLACED - 1;
        JsonNode recent = kraken.call("ClosedOrders", "cl_ord_id=" + clOrdId(last)).path("result");
        assertThat(recent.path("count").asInt()).isEqualTo(1);
        assertThat(recent.path("closed").has(txids.get(last))).isTrue();
        int oldestKept = PLACED - KEPT;
        assertThat(kraken.call("ClosedOrders", "cl_ord_id=" + clOrdId(oldestKept)).path("result").path("count")
                .asInt()).isEqualTo(1);
        assertThat(kraken.call("QueryOrders", "txid=" + txids.get(last)).path("result").path(txids.get(last))
                .path("status").asText()).isEqualTo("closed");

        // forgotten: as if it had never existed
        assertThat(kraken.call("ClosedOrders", "cl_ord_id=" + clOrdId(oldestKept - 1)).path("result").path("count")
                .asInt()).isZero();
        assertThat(errors(kraken.call("QueryOrders", "txid=" + txids.get(0)))).containsExactly("EOrder:Invalid order");

        // every page is of the orders kept, newest first
        JsonNode all = kraken.call("ClosedOrders").path("result");
        assertThat(all.path("count").asInt()).isEqualTo(KEPT);
        assertThat(all.path("closed").fieldNames().next()).isEqualTo(txids.get(last));
        JsonNode byUserref = kraken.call("ClosedOrders", "userref=0", "ofs=" + (KEPT - 1)).path("result");
        assertThat(byUserref.path("count").asInt()).isEqualTo(KEPT);
        assertThat(byUserref.path("closed")).hasSize(1);
        assertThat(byUserref.path("closed").has(txids.get(oldestKept))).isTrue();
    }

    @Test
    void aUserrefLooksUpTheRecentClosedOrdersThatCarryIt() throws Exception {
        start(PaperConfig.withRandomKeys().withClosedOrdersKept(KEPT));
        String tagged = null;
        for (int i = 0; i < PLACED; i++) {
            String txid = txid(kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=market",
                    "volume=0.001", "userref=" + (i % 4)));
            if (i == PLACED - 2) {
                tagged = txid;
            }
        }
        JsonNode found = kraken.call("ClosedOrders", "userref=" + ((PLACED - 2) % 4)).path("result");
        assertThat(found.path("count").asInt()).isEqualTo(KEPT / 4);
        assertThat(found.path("closed").fieldNames().next()).isEqualTo(tagged);
        assertThat(exchange.exchange().account().closedIndexEntries()).isEqualTo(2 * KEPT);
    }

    @Test
    void clOrdIdStaysUniqueAmongOpenOrdersAfterManyClosedOnesAndIsFreeAgainOnceItsOrderIsClosed() throws Exception {
        start(PaperConfig.withRandomKeys().withClosedOrdersKept(KEPT));
        String resting = txid(kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.01",
                "price=50000.0", "cl_ord_id=resting-one"));
        for (int i = 0; i < PLACED; i++) {
            // a market order is closed at once: its cl_ord_id may be used again straight away
            txid(kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=market", "volume=0.001",
                    "cl_ord_id=reused"));
        }
        assertThat(exchange.exchange().account().closedCount()).isEqualTo(KEPT);
        assertThat(exchange.exchange().account().openCount()).isEqualTo(1);
        assertThat(kraken.call("ClosedOrders", "cl_ord_id=reused").path("result").path("count").asInt())
                .isEqualTo(KEPT);

        assertThat(errors(kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.01",
                "price=49000.0", "cl_ord_id=resting-one"))).containsExactly("EOrder:Duplicate cl_ord_id");
        assertThat(kraken.call("OpenOrders", "cl_ord_id=resting-one").path("result").path("open").has(resting))
                .isTrue();

        assertThat(kraken.call("CancelOrder", "cl_ord_id=resting-one").path("result").path("count").asInt())
                .isEqualTo(1);
        String again = txid(kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.01",
                "price=49000.0", "cl_ord_id=resting-one"));
        JsonNode open = kraken.call("OpenOrders", "cl_ord_id=resting-one").path("result").path("open");
        assertThat(open).hasSize(1);
        assertThat(open.has(again)).isTrue();
        // the cancelled one closed last of all, so it is kept
        assertThat(kraken.call("ClosedOrders", "cl_ord_id=resting-one").path("result").path("closed").has(resting))
                .isTrue();
    }

    @Test
    void aCancelledOrderIsKeptAsRecentlyClosedHoweverOldItIs() throws Exception {
        start(PaperConfig.withRandomKeys().withClosedOrdersKept(KEPT));
        String old = txid(kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.01",
                "price=50000.0", "userref=77"));
        for (int i = 0; i < PLACED; i++) {
            txid(kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=market", "volume=0.001"));
        }
        assertThat(kraken.call("CancelOrder", "txid=" + old).path("result").path("count").asInt()).isEqualTo(1);
        JsonNode closed = kraken.call("ClosedOrders", "userref=77").path("result").path("closed");
        assertThat(closed.path(old).path("status").asText()).isEqualTo("canceled");
        // placed first of all: listed last among the closed orders, which go newest placed first
        JsonNode all = kraken.call("ClosedOrders", "ofs=" + (KEPT - 1)).path("result");
        assertThat(all.path("count").asInt()).isEqualTo(KEPT);
        assertThat(all.path("closed").has(old)).isTrue();
        assertThat(exchange.exchange().account().closedCount()).isEqualTo(KEPT);
    }

    @Test
    void restingOrdersPastTheOpenOrderLimitAreRefusedAndMarketOrdersStillFill() throws Exception {
        start(PaperConfig.withRandomKeys().withOpenOrdersLimit(3));
        List<String> resting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            resting.add(txid(kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.01",
                    "price=50000.0")));
        }
        assertThat(errors(kraken.call("AddOrder", "pair=ETHUSD", "type=buy", "ordertype=limit", "volume=0.1",
                "price=2000.00"))).containsExactly("EOrder:Orders limit exceeded");
        assertThat(errors(kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=market", "volume=0.001")))
                .isEmpty();
        assertThat(exchange.exchange().account().openCount()).isEqualTo(3);

        assertThat(kraken.call("CancelOrder", "txid=" + resting.get(1)).path("result").path("count").asInt())
                .isEqualTo(1);
        assertThat(errors(kraken.call("AddOrder", "pair=ETHUSD", "type=buy", "ordertype=limit", "volume=0.1",
                "price=2000.00"))).isEmpty();
        assertThat(kraken.call("CancelAll").path("result").path("count").asInt()).isEqualTo(3);
        assertThat(exchange.exchange().account().openCount()).isZero();
    }

    private static String clOrdId(int i) {
        return String.format("keep-%05d", i);
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
