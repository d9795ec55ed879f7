package io.tvkraken.strategy;

import io.tvkraken.alert.CloseOrder;
import io.tvkraken.alert.OrderType;
import io.tvkraken.alert.Price;
import io.tvkraken.alert.Side;
import io.tvkraken.journal.Books;
import io.tvkraken.order.AlertCase;
import io.tvkraken.order.OrderRequest;
import java.math.BigDecimal;
import org.apache.camel.Body;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A strategy's stop on the exchange (docs/strategies.md#a-stop-on-the-exchange): every entry of a strategy whose
 * settings give a {@code stop} policy, and that brings no {@code close} of its own, carries Kraken's conditional close
 * (docs/kraken.md#conditional-close). Kraken places it when the entry fills, so the protection lives at Kraken even
 * while this service is down. An entry is an order that takes the book further from flat; an order that reduces it
 * carries none.
 */
public class EntryStops {

    private static final Logger LOG = LoggerFactory.getLogger(EntryStops.class);

    private final StrategyFile file;
    private final Books books;

    public EntryStops(StrategyFile file, Books books) {
        this.file = file;
        this.books = books;
    }

    /** The route step: the order with its strategy's stop attached, if it is an entry; else unchanged. */
    public OrderRequest attach(@Variable("case") AlertCase alertCase, @Body OrderRequest order) {
        String name = alertCase.alert().strategy();
        StrategySettings.StopPolicy stop = file.settings().strategy(name).stop();
        if (stop == null || order.close() != null || name == null) {
            return order;
        }
        BigDecimal position = books.get(new Books.Key(name, order.pair().altname(), alertCase.account())).map(Books.Book::position)
                .orElse(BigDecimal.ZERO);
        boolean entry = order.side() == Side.BUY ? position.signum() >= 0 : position.signum() <= 0;
        if (!entry) {
            return order;
        }
        CloseOrder close = close(stop, order.side());
        LOG.info("strategy '{}': its entry carries a {} close at {}{}", name, stop.orderType(), close.price().kraken(),
                close.price2() == null ? "" : " / " + close.price2().kraken());
        return order.withClose(close);
    }

    /**
     * The close for an entry on {@code side}: a loss is below a buy's price and above a sell's, a profit the other
     * way; relative to the last trade when Kraken places it (docs/kraken.md#prices).
     */
    static CloseOrder close(StrategySettings.StopPolicy stop, Side entry) {
        OrderType type = OrderType.parse(stop.orderType()).orElseThrow();
        boolean loss = stop.orderType().startsWith("stop-loss");
        String sign = (entry == Side.BUY) == loss ? "-" : "+";
        Price price = Price.parse(sign + stop.percent().toPlainString() + "%").orElseThrow();
        Price price2 = stop.limitPercent() == null ? null
                : Price.parse(sign + stop.limitPercent().toPlainString() + "%").orElseThrow();
        return new CloseOrder(type, price, price2);
    }
}
