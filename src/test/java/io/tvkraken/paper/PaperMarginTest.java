package io.tvkraken.paper;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Margin on the paper exchange (docs/kraken.md#margin), through real HTTP and signed calls: {@code leverage} opens a
 * position that OpenPositions lists, an order the other way closes it first-in first-out and settles its profit in the
 * quote currency, {@code reduce_only} never opens one, and the margin a position needs must be there.
 */
class PaperMarginTest {

    private PaperExchangeHarness exchange;
    private KrakenTestClient kraken;

    @BeforeEach
    void start() {
        exchange = PaperExchangeHarness.start(PaperConfig.withRandomKeys().withBalance("ZUSD", new BigDecimal("10000"))
                .withBalance("XXBT", BigDecimal.ZERO));
        kraken = new KrakenTestClient(exchange);
    }

    @AfterEach
    void stop() {
        exchange.close();
    }

    @Test
    void aLeveragedSellOpensAShortThatOpenPositionsListsWithoutTouchingSpotBalances() throws Exception {
        JsonNode placed = call("AddOrder", "pair", "XBTUSD", "type", "sell", "ordertype", "market",
                "volume", "0.1", "leverage", "2");
        assertThat(errors(placed)).isEmpty();
        String txid = placed.path("result").path("txid").get(0).asText();
        assertThat(placed.path("result").path("descr").path("order").asText())
                .isEqualTo("sell 0.10000000 XBTUSD @ market with 2:1 leverage");

        JsonNode order = call("QueryOrders", "txid", txid).path("result").path(txid);
        assertThat(order.path("status").asText()).isEqualTo("closed");
        assertThat(order.path("vol_exec").asText()).isEqualTo("0.10000000");
        assertThat(order.path("descr").path("leverage").asText()).isEqualTo("2");

        JsonNode positions = call("OpenPositions", "docalcs", "true").path("result");
        assertThat(positions.size()).isEqualTo(1);
        JsonNode position = positions.elements().next();
        assertThat(positions.fieldNames().next()).matches("T[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{6}");
        assertThat(position.path("ordertxid").asText()).isEqualTo(txid);
        assertThat(position.path("posstatus").asText()).isEqualTo("open");
        assertThat(position.path("pair").asText()).isEqualTo("XXBTZUSD");
        assertThat(position.path("type").asText()).isEqualTo("sell");
        assertThat(position.path("vol").asText()).isEqualTo("0.10000000");
        assertThat(position.path("vol_closed").asText()).isEqualTo("0.00000000");
        assertThat(position.path("cost").asText()).isEqualTo("6000.00000");
        assertThat(position.path("margin").asText()).isEqualTo("3000.00000");
        assertThat(position.path("net").asText()).isEqualTo("0.00000");

        JsonNode balance = call("Balance").path("result");
        assertThat(new BigDecimal(balance.path("ZUSD").asText())).isEqualByComparingTo("10000");
        assertThat(new BigDecimal(balance.path("XXBT").asText())).isEqualByComparingTo("0");
    }

    @Test
    void aBuyTheOtherWayClosesTheShortOldestFirstAndSettlesItsProfit() throws Exception {
        call("AddOrder", "pair", "XBTUSD", "type", "sell", "ordertype", "market", "volume", "0.1",
                "leverage", "2");
        exchange.setPrice("XXBTZUSD", new BigDecimal("59000.0"));
        call("AddOrder", "pair", "XBTUSD", "type", "sell", "ordertype", "market", "volume", "0.1",
                "leverage", "2");
        exchange.setPrice("XXBTZUSD", new BigDecimal("58000.0"));

        JsonNode closing = call("AddOrder", "pair", "XBTUSD", "type", "buy", "ordertype", "market",
                "volume", "0.15", "leverage", "2", "reduce_only", "true");
        assertThat(errors(closing)).isEmpty();

        // the first short (60000) closed in full: +200; half of the second (59000): +50
        JsonNode balance = call("Balance").path("result");
        assertThat(new BigDecimal(balance.path("ZUSD").asText())).isEqualByComparingTo("10250");
        JsonNode positions = call("OpenPositions").path("result");
        assertThat(positions.size()).isEqualTo(1);
        JsonNode left = positions.elements().next();
        assertThat(left.path("vol").asText()).isEqualTo("0.10000000");
        assertThat(left.path("vol_closed").asText()).isEqualTo("0.05000000");

        JsonNode consolidated = call("OpenPositions", "consolidation", "market").path("result");
        assertThat(consolidated.isArray()).isTrue();
        assertThat(consolidated.get(0).path("pair").asText()).isEqualTo("XXBTZUSD");
        assertThat(consolidated.get(0).path("positions").asInt()).isEqualTo(1);
        assertThat(consolidated.get(0).path("vol_closed").asText()).isEqualTo("0.05000000");
    }

    @Test
    void aReduceOnlyOrderExecutesOnlyWhatItCanCloseAndIsRefusedWithNothingToClose() throws Exception {
        JsonNode nothing = call("AddOrder", "pair", "XBTUSD", "type", "buy", "ordertype", "market",
                "volume", "0.1", "leverage", "2", "reduce_only", "true");
        assertThat(errors(nothing)).containsExactly(PaperAccount.REDUCE_ONLY_NOTHING_TO_REDUCE);

        call("AddOrder", "pair", "XBTUSD", "type", "sell", "ordertype", "market", "volume", "0.05",
                "leverage", "2");
        JsonNode reduce = call("AddOrder", "pair", "XBTUSD", "type", "buy", "ordertype", "market",
                "volume", "0.2", "leverage", "2", "reduce_only", "true");
        String txid = reduce.path("result").path("txid").get(0).asText();
        JsonNode order = call("QueryOrders", "txid", txid).path("result").path(txid);
        assertThat(order.path("vol").asText()).isEqualTo("0.20000000");
        assertThat(order.path("vol_exec").asText()).isEqualTo("0.05000000");
        assertThat(call("OpenPositions").path("result").size()).isZero();
    }

    @Test
    void aPositionNeedsItsMarginAndAPairsOfferedLeverage() throws Exception {
        // 10000 USD covers 2:1 on 0.3 XBT (9000 margin), not on 0.4 (12000)
        assertThat(errors(call("AddOrder", "pair", "XBTUSD", "type", "sell", "ordertype", "market",
                "volume", "0.4", "leverage", "2"))).containsExactly("EOrder:Insufficient margin");
        assertThat(call("OpenPositions").path("result").size()).isZero();
        assertThat(errors(call("AddOrder", "pair", "XBTUSD", "type", "sell", "ordertype", "market",
                "volume", "0.3", "leverage", "2"))).isEmpty();
        assertThat(errors(call("AddOrder", "pair", "XBTUSD", "type", "sell", "ordertype", "market",
                "volume", "0.1", "leverage", "2"))).containsExactly("EOrder:Insufficient margin");

        assertThat(errors(call("AddOrder", "pair", "XBTUSD", "type", "sell", "ordertype", "market",
                "volume", "0.01", "leverage", "7"))).containsExactly("EGeneral:Invalid arguments:leverage");
        assertThat(errors(call("AddOrder", "pair", "XBTUSD", "type", "sell", "ordertype", "market",
                "volume", "0.01", "reduce_only", "true"))).containsExactly("EGeneral:Invalid arguments:reduce_only");
    }

    /** A signed call; {@code pairs} are names and values in turn. */
    private JsonNode call(String method, String... pairs) throws Exception {
        String[] parameters = new String[pairs.length / 2];
        for (int i = 0; i < parameters.length; i++) {
            parameters[i] = pairs[2 * i] + "=" + pairs[2 * i + 1];
        }
        return kraken.call(method, parameters);
    }

    private static List<String> errors(JsonNode reply) {
        List<String> errors = new ArrayList<>();
        reply.path("error").forEach(e -> errors.add(e.asText()));
        return errors;
    }
}
