package io.tvkraken.order;

import io.tvkraken.alert.Alert;
import io.tvkraken.alert.AlertRejectedException;
import io.tvkraken.kraken.AssetPair;
import io.tvkraken.kraken.KrakenCall;
import io.tvkraken.kraken.KrakenReply;
import io.tvkraken.kraken.MarketData;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The order steps of the execute and validate branches (routes/orders.camel.yaml): resolve the pair and plan the
 * order ({@link #plan}), build the AddOrder call ({@link #addOrder}), and read Kraken's answer ({@link #outcome}).
 */
public class OrderDesk {

    private static final Logger LOG = LoggerFactory.getLogger(OrderDesk.class);

    public static final String ALERT = "alert";
    public static final String ORDER = "order";
    public static final String RESULT = "orderResult";
    /** Set just before an AddOrder leaves: from then on, a failure means the order may have been placed. */
    public static final String ADD_ORDER_SENT = "addOrderSent";

    private final MarketData market;
    private final OrderPlanner planner;

    public OrderDesk(MarketData market, OrderPlanner planner) {
        this.market = market;
        this.planner = planner;
    }

    /** Alert → Kraken order: pair resolved through AssetPairs, sized, rounded, minimums checked. Nothing is sent. */
    public OrderRequest plan(Exchange exchange, boolean validateOnly) {
        Alert alert = exchange.getVariable(ALERT, Alert.class);
        AssetPair pair = market.pairFor(alert.ticker()).orElseThrow(() -> new AlertRejectedException(422,
                "unknown_pair", "ticker '" + alert.ticker() + "' is not a Kraken spot pair",
                List.of("ticker: use a Kraken pair such as BTCUSD, KRAKEN:XBTUSD, BTC/USD or XXBTZUSD")));
        OrderRequest order = planner.plan(alert, pair, () -> market.lastPrice(pair), market::balances);
        if (validateOnly && !order.validate()) {
            order = order.asValidation();
        }
        exchange.setVariable(ORDER, order);
        LOG.info("planned {} {} {} {}{}{}", order.side().kraken(), order.volume().toPlainString(), pair.altname(),
                order.orderType().kraken(), order.price() == null ? "" : " @ " + order.price().kraken(),
                order.validate() ? " (validate only)" : "");
        return order;
    }

    public KrakenCall addOrder(Exchange exchange) {
        OrderRequest order = exchange.getVariable(ORDER, OrderRequest.class);
        if (!order.validate()) {
            exchange.setVariable(ADD_ORDER_SENT, true);
        }
        return KrakenCall.privateMethod("AddOrder", order.addOrderParams());
    }

    /** Kraken's answer to AddOrder: its error strings become a 422 that carries them (SPEC §4). */
    public OrderResult outcome(Exchange exchange) {
        KrakenReply reply = exchange.getMessage().getBody(KrakenReply.class);
        OrderRequest order = exchange.getVariable(ORDER, OrderRequest.class);
        if (!reply.errors().isEmpty()) {
            throw new AlertRejectedException(422, "kraken_rejected", "Kraken refused the order", reply.errors());
        }
        List<String> txids = new ArrayList<>();
        reply.result().path("txid").forEach(t -> txids.add(t.asText()));
        var descr = reply.result().path("descr");
        String description = descr.path("order").asText(null);
        if (descr.hasNonNull("close")) {
            description = description + "; " + descr.path("close").asText();
        }
        OrderResult result = new OrderResult(order, description, List.copyOf(txids));
        exchange.setVariable(RESULT, result);
        LOG.info("{}: {} txid={}", order.validate() ? "validated" : "placed", description, txids);
        return result;
    }
}
