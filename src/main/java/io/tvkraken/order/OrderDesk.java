package io.tvkraken.order;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.alert.Alert;
import io.tvkraken.alert.Refusal;
import io.tvkraken.alert.RefusedException;
import io.tvkraken.journal.Journal;
import io.tvkraken.kraken.AssetPair;
import io.tvkraken.kraken.KrakenCall;
import io.tvkraken.kraken.MarketData;
import io.tvkraken.telemetry.RequestLog;
import java.util.List;
import java.util.Map;
import org.apache.camel.Body;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The order steps of the execute and validate branches (routes/orders.camel.yaml): resolve the pair and plan the
 * order ({@link #plan}) and build the AddOrder call ({@link #addOrder}). Kraken's answer is read by
 * {@link OrderOutcomes}.
 */
public class OrderDesk {

    private static final Logger LOG = LoggerFactory.getLogger(OrderDesk.class);

    private final MarketData market;
    private final OrderPlanner planner;
    private final Journal journal;
    private final ObjectMapper json;
    /** Each account's sizing, as the strategies file says it now (docs/accounts.md#sizing-and-limits). */
    private final java.util.function.Function<String, io.tvkraken.strategy.StrategySettings.Sizing> sizingOf;

    public OrderDesk(MarketData market, OrderPlanner planner, Journal journal, ObjectMapper json) {
        this(market, planner, journal, json, account -> io.tvkraken.strategy.StrategySettings.Sizing.AS_SENT);
    }

    public OrderDesk(MarketData market, OrderPlanner planner, Journal journal, ObjectMapper json,
            java.util.function.Function<String, io.tvkraken.strategy.StrategySettings.Sizing> sizingOf) {
        this.market = market;
        this.planner = planner;
        this.journal = journal;
        this.json = json;
        this.sizingOf = sizingOf;
    }

    /** Alert → Kraken order: pair resolved through AssetPairs, sized, rounded, minimums checked. Nothing is sent. */
    public OrderRequest plan(@Variable("case") AlertCase alertCase) {
        Alert alert = alertCase.alert();
        AssetPair pair = pairOf(alert);
        // from here on the order's lines carry its pair and side, as the AddOrder will (a refusal by sizing included)
        RequestLog.order(pair.altname(), alert.action().kraken());
        // sized as its account sizes its orders; percent sizing spends that account's own balance
        String account = alertCase.account();
        var sizing = sizingOf.apply(account);
        if (!sizing.asSent()) {
            alert = AccountSizing.apply(alert, sizing);
            LOG.info("sized for account {}: {}", account == null ? io.tvkraken.kraken.Accounts.DEFAULT : account,
                    AccountSizing.describe(sizing));
        }
        OrderRequest order = planner.plan(alert, pair, () -> market.lastPrice(pair), () -> market.balances(account));
        if (alertCase.validation() && !order.validate()) {
            order = order.asValidation();
        }
        LOG.info("planned {} {} {} {}{}{}", order.side().kraken(), order.volume().toPlainString(), pair.altname(),
                order.orderType().kraken(), order.price() == null ? "" : " @ " + order.price().kraken(),
                order.validate() ? " (validate only)" : "");
        return order;
    }

    /** The alert's Kraken pair, resolved through AssetPairs: 422 {@code unknown_pair} when there is none. */
    public AssetPair pairOf(Alert alert) {
        return market.pairFor(alert.ticker()).orElseThrow(() -> new RefusedException(Refusal.UNKNOWN_PAIR,
                "ticker '" + alert.ticker() + "' is not a Kraken spot pair",
                List.of("ticker: use a Kraken pair such as BTCUSD, KRAKEN:XBTUSD, BTC/USD or XXBTZUSD")));
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
                .ofAlert(alertCase.requestId(), alertCase.alertId()).withOrder(params.get("pair"), params.get("type")))
                .onAccount(alertCase.account());
        return order.validate() ? call : call.forJournalEntry(row);
    }

    private String json(Map<String, String> params) {
        try {
            return json.writeValueAsString(params);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
