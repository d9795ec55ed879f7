package io.tvkraken.order;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.alert.Alert;
import io.tvkraken.alert.Refusal;
import io.tvkraken.alert.RefusedException;
import io.tvkraken.journal.Journal;
import io.tvkraken.kraken.AssetPair;
import io.tvkraken.kraken.KrakenCall;
import io.tvkraken.kraken.KrakenRefusedException;
import io.tvkraken.kraken.KrakenReply;
import io.tvkraken.kraken.KrakenUnavailableException;
import io.tvkraken.kraken.MarketData;
import io.tvkraken.telemetry.RequestLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.Body;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The order steps of the execute and validate branches (routes/orders.camel.yaml): resolve the pair and plan the
 * order ({@link #plan}), build the AddOrder call ({@link #addOrder}), and read Kraken's answer ({@link #outcome}).
 */
public class OrderDesk {

    private static final Logger LOG = LoggerFactory.getLogger(OrderDesk.class);

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
    public OrderRequest plan(@Variable("case") AlertCase alertCase) {
        Alert alert = alertCase.alert();
        AssetPair pair = market.pairFor(alert.ticker()).orElseThrow(() -> new RefusedException(Refusal.UNKNOWN_PAIR,
                "ticker '" + alert.ticker() + "' is not a Kraken spot pair",
                List.of("ticker: use a Kraken pair such as BTCUSD, KRAKEN:XBTUSD, BTC/USD or XXBTZUSD")));
        // from here on the order's lines carry its pair and side, as the AddOrder will (a refusal by sizing included)
        RequestLog.order(pair.altname(), alert.action().kraken());
        OrderRequest order = planner.plan(alert, pair, () -> market.lastPrice(pair), market::balances);
        if (alertCase.validation() && !order.validate()) {
            order = order.asValidation();
        }
        LOG.info("planned {} {} {} {}{}{}", order.side().kraken(), order.volume().toPlainString(), pair.altname(),
                order.orderType().kraken(), order.price() == null ? "" : " @ " + order.price().kraken(),
                order.validate() ? " (validate only)" : "");
        return order;
    }

    /**
     * The AddOrder call: the planned order, tagged with its client order id ({@link ClientOrderId}); a validation is
     * journaled as planned here. A real order's {@code deadline} is added, and its row marked {@code sending} together
     * with the order it carries, by its key's serial sender as it leaves ({@link OrderLifecycle#leaving}).
     */
    public KrakenCall addOrder(@Variable("case") AlertCase alertCase, @Body OrderRequest order) {
        Map<String, String> params = order.addOrderParams();
        ClientOrderId tag = ClientOrderId.forOrder(alertCase.alertId(), params);
        tag.applyTo(params);
        long row = alertCase.journalEntry();
        if (order.validate()) {
            journal.planned(row, json(params), tag.clOrdId(), tag.userref());
        }
        // a real order is journaled with what it carries as it leaves, in the commit that marks it sending
        // the sender's lines about it carry the alert's request id and alert id, and the order's pair and side
        KrakenCall call = KrakenCall.privateMethod("AddOrder", params).loggedAs(RequestLog.Context
                .ofAlert(alertCase.requestId(), alertCase.alertId()).withOrder(params.get("pair"), params.get("type")));
        return order.validate() ? call : call.forJournalEntry(row);
    }

    /**
     * Kraken's answer to AddOrder: its error strings are a refusal that carries them — except a refusal that says the
     * client order id is taken, which means the order may exist already: that is reconciled like a timeout
     * (docs/kraken.md#idempotency: Kraken documents no string for a duplicate {@code cl_ord_id}).
     */
    public OrderResult outcome(@Variable("addOrder") KrakenCall sent, @Body KrakenReply reply) {
        boolean validate = !sent.placesOrder();
        if (!reply.errors().isEmpty()) {
            // EAPI:Invalid nonce: refused before the order was looked at, so this request placed nothing; but an
            // earlier send of the same order may have overtaken it. Looked up before anything is sent again, never
            // journaled as Kraken refusing the order (docs/replicas.md#nonces).
            if (!validate && reply.errors().stream().anyMatch(e -> saysOrderMayExist(e) || nonceRefused(e))) {
                throw new KrakenUnavailableException("AddOrder", String.join(", ", reply.errors()), true, null);
            }
            throw new KrakenRefusedException("AddOrder", reply.errors());
        }
        OrderResult result = result(sent.params(), reply, validate);
        if (!validate) {
            market.balancesChanged();
        }
        LOG.info("{}: {} txid={}", validate ? "validated" : "placed", result.description(), result.txids());
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

    static boolean nonceRefused(String error) {
        return error.toLowerCase(Locale.ROOT).startsWith("eapi:invalid nonce");
    }

    static boolean saysOrderMayExist(String error) {
        String lower = error.toLowerCase(Locale.ROOT);
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
