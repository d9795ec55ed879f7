package io.tvkraken.paper;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The methods a Kraken client library calls beyond what the service needs (docs/paper-exchange.md#methods), through
 * real HTTP and signed calls: Assets, Depth and OHLC; market orders walking the simulated book; AmendOrder and
 * EditOrder; CancelAllOrdersAfter; TradesHistory, QueryTrades, Ledgers and TradeBalance.
 */
class PaperExchangeClientMethodsTest {

    private PaperExchangeHarness exchange;
    private KrakenTestClient kraken;
    private TestClock clock;

    @BeforeEach
    void start() {
        clock = new TestClock(Instant.parse("2026-12-01T10:00:00Z"));
        exchange = PaperExchangeHarness.start(PaperConfig.withRandomKeys().withRateLimitTier(RateLimitTier.OFF)
                .withBookLevelQuote(new BigDecimal("60000")).withBalance("ZUSD", new BigDecimal("1000000"))
                .withBalance("XXBT", new BigDecimal("10")), clock);
        kraken = new KrakenTestClient(exchange);
    }

    @AfterEach
    void stop() {
        exchange.close();
    }

    @Test
    void assetsListEveryAssetThePairsTradeWithItsAltname() throws Exception {
        JsonNode all = kraken.publicCall("/0/public/Assets").path("result");
        assertThat(all.path("XXBT").path("altname").asText()).isEqualTo("XBT");
        assertThat(all.path("XXBT").path("decimals").asInt()).isEqualTo(10);
        assertThat(all.path("ZUSD").path("altname").asText()).isEqualTo("USD");
        assertThat(all.path("ZUSD").path("decimals").asInt()).isEqualTo(4);
        JsonNode one = kraken.publicCall("/0/public/Assets?asset=XBT").path("result");
        assertThat(one.fieldNames()).toIterable().containsExactly("XXBT");
        assertThat(errors(kraken.publicCall("/0/public/Assets?asset=NOPE"))).containsExactly("EQuery:Unknown asset");
    }

    @Test
    void depthShowsTheBookAroundTheLastPriceAndAMarketOrderWalksIt() throws Exception {
        JsonNode book = kraken.publicCall("/0/public/Depth?pair=XBTUSD&count=3").path("result").path("XXBTZUSD");
        // 5 basis points a level from 60000, each level 60000 USD
        assertThat(book.path("asks").get(0).get(0).asText()).isEqualTo("60030.0");
        assertThat(book.path("asks").get(1).get(0).asText()).isEqualTo("60060.0");
        assertThat(book.path("bids").get(0).get(0).asText()).isEqualTo("59970.0");
        assertThat(book.path("asks")).hasSize(3);
        assertThat(new BigDecimal(book.path("asks").get(0).get(1).asText())).isEqualByComparingTo("0.99950024");
        JsonNode ticker = kraken.publicCall("/0/public/Ticker?pair=XBTUSD").path("result").path("XXBTZUSD");
        assertThat(ticker.path("a").get(0).asText()).isEqualTo("60030.00000");
        assertThat(ticker.path("b").get(0).asText()).isEqualTo("59970.00000");

        String small = txid(kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=market", "volume=0.5"));
        String large = txid(kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=market", "volume=2.5"));
        JsonNode orders = kraken.call("QueryOrders", "txid=" + small + "," + large).path("result");
        assertThat(orders.path(small).path("price").asText()).isEqualTo("60030.0");
        // 0.9995 at 60030, 0.9990 at 60060, the last 0.5015 at 60090
        assertThat(new BigDecimal(orders.path(large).path("price").asText())).isBetween(new BigDecimal("60050"),
                new BigDecimal("60060"));
    }

    @Test
    void ohlcBuildsCandlesFromThePricesTraded() throws Exception {
        clock.advance(Duration.ofSeconds(61));
        exchange.setPrice("XXBTZUSD", new BigDecimal("61000.0"));
        kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=market", "volume=0.1");
        clock.advance(Duration.ofSeconds(60));
        JsonNode result = kraken.publicCall("/0/public/OHLC?pair=XBTUSD&interval=1").path("result");
        JsonNode candles = result.path("XXBTZUSD");
        JsonNode last = candles.get(candles.size() - 1);
        JsonNode traded = candles.get(candles.size() - 2);
        assertThat(traded.get(1).asText()).isEqualTo("61000.0");
        assertThat(traded.get(6).asText()).isEqualTo("0.10000000");
        assertThat(traded.get(7).asInt()).isEqualTo(1);
        assertThat(last.get(4).asText()).isEqualTo(traded.get(4).asText());
        assertThat(result.path("last").asLong()).isEqualTo(last.get(0).asLong());
        assertThat(errors(kraken.publicCall("/0/public/OHLC?pair=XBTUSD&interval=2")))
                .containsExactly("EGeneral:Invalid arguments:interval");
    }

    @Test
    void amendOrderChangesAnOpenOrderInPlaceAndEditOrderReplacesIt() throws Exception {
        String txid = txid(kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.1",
                "price=50000"));
        JsonNode amended = kraken.call("AmendOrder", "txid=" + txid, "order_qty=0.2", "limit_price=51000");
        assertThat(errors(amended)).isEmpty();
        assertThat(amended.path("result").path("amend_id").asText()).isNotBlank();
        JsonNode order = kraken.call("QueryOrders", "txid=" + txid).path("result").path(txid);
        assertThat(order.path("status").asText()).isEqualTo("open");
        assertThat(order.path("vol").asText()).isEqualTo("0.20000000");
        assertThat(order.path("descr").path("price").asText()).isEqualTo("51000.0");
        assertThat(order.path("descr").path("order").asText()).isEqualTo("buy 0.20000000 XBTUSD @ limit 51000.0");

        JsonNode edited = kraken.call("EditOrder", "txid=" + txid, "pair=XBTUSD", "price=52000");
        assertThat(errors(edited)).isEmpty();
        String replacement = edited.path("result").path("txid").asText();
        assertThat(edited.path("result").path("originaltxid").asText()).isEqualTo(txid);
        assertThat(replacement).isNotEqualTo(txid);
        assertThat(kraken.call("QueryOrders", "txid=" + txid).path("result").path(txid).path("status").asText())
                .isEqualTo("canceled");
        assertThat(kraken.call("QueryOrders", "txid=" + replacement).path("result").path(replacement).path("descr")
                .path("price").asText()).isEqualTo("52000.0");
        assertThat(errors(kraken.call("AmendOrder", "txid=" + txid, "order_qty=0.3")))
                .containsExactly("EOrder:Unknown order");
    }

    @Test
    void cancelAllOrdersAfterCancelsEverythingOnceItsTimeHasCome() throws Exception {
        String txid = txid(kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.1",
                "price=50000"));
        JsonNode armed = kraken.call("CancelAllOrdersAfter", "timeout=60").path("result");
        assertThat(armed.path("currentTime").asText()).isEqualTo("2026-12-01T10:00:00Z");
        assertThat(armed.path("triggerTime").asText()).isEqualTo("2026-12-01T10:01:00Z");
        clock.advance(Duration.ofSeconds(59));
        assertThat(kraken.call("OpenOrders").path("result").path("open").size()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        assertThat(kraken.call("OpenOrders").path("result").path("open").size()).isZero();
        assertThat(kraken.call("QueryOrders", "txid=" + txid).path("result").path(txid).path("status").asText())
                .isEqualTo("canceled");
        assertThat(kraken.call("CancelAllOrdersAfter", "timeout=0").path("result").path("triggerTime").asText())
                .isEqualTo("0");
    }

    @Test
    void tradesLedgersAndTradeBalanceTellWhatFilled() throws Exception {
        exchange.close();
        exchange = PaperExchangeHarness.start(PaperConfig.withRandomKeys().withRateLimitTier(RateLimitTier.OFF)
                .withBalances(java.util.Map.of("ZUSD", new BigDecimal("100000"), "XXBT", BigDecimal.ZERO)), clock);
        kraken = new KrakenTestClient(exchange);
        String order = txid(kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=market", "volume=0.5"));
        JsonNode history = kraken.call("TradesHistory").path("result");
        assertThat(history.path("count").asInt()).isEqualTo(1);
        String tradeId = history.path("trades").fieldNames().next();
        JsonNode trade = history.path("trades").path(tradeId);
        assertThat(trade.path("ordertxid").asText()).isEqualTo(order);
        assertThat(trade.path("pair").asText()).isEqualTo("XXBTZUSD");
        assertThat(trade.path("type").asText()).isEqualTo("buy");
        assertThat(trade.path("vol").asText()).isEqualTo("0.50000000");
        assertThat(trade.path("cost").asText()).isEqualTo("30000.00000");
        assertThat(kraken.call("QueryTrades", "txid=" + tradeId).path("result").path(tradeId).path("ordertxid")
                .asText()).isEqualTo(order);

        JsonNode ledger = kraken.call("Ledgers").path("result");
        assertThat(ledger.path("count").asInt()).isEqualTo(2);
        List<String> lines = new ArrayList<>();
        ledger.path("ledger").forEach(e -> lines.add(e.path("refid").asText().equals(tradeId) + " "
                + e.path("asset").asText() + " " + new BigDecimal(e.path("amount").asText()).stripTrailingZeros()
                .toPlainString() + " " + new BigDecimal(e.path("balance").asText()).stripTrailingZeros()
                .toPlainString()));
        assertThat(lines).containsExactlyInAnyOrder("true XXBT 0.5 0.5", "true ZUSD -30000 70000");
        assertThat(kraken.call("Ledgers", "asset=XXBT").path("result").path("count").asInt()).isEqualTo(1);

        JsonNode balance = kraken.call("TradeBalance").path("result");
        assertThat(balance.path("eb").asText()).isEqualTo("100000.0000");
        assertThat(balance.path("m").asText()).isEqualTo("0.0000");
        assertThat(balance.has("ml")).isFalse();
        kraken.call("AddOrder", "pair=XBTUSD", "type=sell", "ordertype=market", "volume=0.5", "leverage=2");
        exchange.setPrice("XXBTZUSD", new BigDecimal("59000.0"));
        JsonNode withShort = kraken.call("TradeBalance").path("result");
        assertThat(withShort.path("m").asText()).isEqualTo("15000.0000");
        assertThat(withShort.path("n").asText()).isEqualTo("500.0000");
        assertThat(withShort.has("ml")).isTrue();
    }

    private static String txid(JsonNode reply) {
        assertThat(errors(reply)).as(reply.toString()).isEmpty();
        return reply.path("result").path("txid").get(0).asText();
    }

    private static List<String> errors(JsonNode reply) {
        List<String> errors = new ArrayList<>();
        reply.path("error").forEach(e -> errors.add(e.asText()));
        return errors;
    }
}
