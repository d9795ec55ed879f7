package io.tvkraken.order;

import io.tvkraken.alert.Alert;
import io.tvkraken.alert.AlertRejectedException;
import io.tvkraken.kraken.AssetPair;
import io.tvkraken.kraken.KrakenCall;
import io.tvkraken.kraken.KrakenReply;
import io.tvkraken.kraken.MarketData;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.journal.Journal;
import io.tvkraken.kraken.KrakenUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    /** The alert's row in the journal. */
    public static final String JOURNAL_ROW = "journalRow";
    /** The alert id: its {@code id}, or the hash of its body. */
    public static final String ALERT_ID = "alertId";
    /** The alert's body as journaled (without secrets: see {@code SecretRedaction}). */
    public static final String JOURNALED_BODY = "journaledBody";
    /** AddOrder's parameters as sent (without nonce). */
    public static final String SENT_PARAMS = "sentParams";

    private final MarketData market;
    private final OrderPlanner planner;
    private final Journal journal;
    private final ObjectMapper json;

    public OrderDesk(MarketData market, OrderPlanner planner, Journal journal, ObjectMapper json) {
        this.market = market;
        this.planner = planner;
        this.journal = journal;
        this.json = json;
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

    /**
     * The AddOrder call: the planned order, tagged with its client order id ({@link ClientOrderId}), journaled as
     * planned. Its {@code deadline} is added, and a real order journaled as {@code sending}, by the serial sender as
     * it leaves ({@code KrakenRequests}).
     */
    public KrakenCall addOrder(Exchange exchange) {
        OrderRequest order = exchange.getVariable(ORDER, OrderRequest.class);
        long row = exchange.getVariable(JOURNAL_ROW, Long.class);
        String alertId = exchange.getVariable(ALERT_ID, String.class);
        Map<String, String> params = order.addOrderParams();
        ClientOrderId tag = ClientOrderId.forOrder(alertId, params);
        tag.applyTo(params);
        journal.planned(row, json(params), tag.clOrdId(), tag.userref());
        exchange.setVariable(SENT_PARAMS, params);
        KrakenCall call = KrakenCall.privateMethod("AddOrder", params);
        return order.validate() ? call : call.forJournalEntry(row);
    }

    /**
     * Kraken's answer to AddOrder: its error strings become a 422 that carries them (SPEC §4) — except a refusal that
     * says the client order id is taken, which means the order may exist already: that is reconciled like a timeout
     * (kraken-rest.md §6, duplicate cl_ord_id has no documented string).
     */
    public OrderResult outcome(Exchange exchange) {
        KrakenReply reply = exchange.getMessage().getBody(KrakenReply.class);
        OrderRequest order = exchange.getVariable(ORDER, OrderRequest.class);
        @SuppressWarnings("unchecked")
        Map<String, String> sent = exchange.getVariable(SENT_PARAMS, Map.class);
        if (!reply.errors().isEmpty()) {
            if (!order.validate() && reply.errors().stream().anyMatch(OrderDesk::saysOrderMayExist)) {
                throw new KrakenUnavailableException("AddOrder", String.join(", ", reply.errors()), true, null);
            }
            throw new AlertRejectedException(422, "kraken_rejected", "Kraken refused the order", reply.errors());
        }
        OrderResult result = result(sent, reply, order.validate());
        exchange.setVariable(RESULT, result);
        LOG.info("{}: {} txid={}", order.validate() ? "validated" : "placed", result.description(), result.txids());
        return result;
    }

    /** An AddOrder success envelope as an {@link OrderResult}. */
    public static OrderResult result(Map<String, String> sent, KrakenReply reply, boolean validate) {
        List<String> txids = new ArrayList<>();
        reply.result().path("txid").forEach(t -> txids.add(t.asText()));
        var descr = reply.result().path("descr");
        String description = descr.path("order").asText(null);
        if (descr.hasNonNull("close")) {
            description = description + "; " + descr.path("close").asText();
        }
        return new OrderResult(sent, description, List.copyOf(txids), validate);
    }

    static boolean saysOrderMayExist(String error) {
        String lower = error.toLowerCase(java.util.Locale.ROOT);
        return lower.contains("cl_ord_id") && !lower.startsWith("egeneral:invalid arguments")
                || lower.contains("duplicate");
    }

    private String json(Map<String, String> params) {
        try {
            return json.writeValueAsString(params);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
