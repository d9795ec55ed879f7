package io.tvkraken.paper;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One fill of an order, as TradesHistory and QueryTrades list it (https://docs.kraken.com/api/docs/rest-api/get-trade-history):
 * a market order fills in one trade, a resting order in one trade for each {@link PaperAccount#trade} that reaches it.
 *
 * @param id        the trade's id ({@code T…}), the key of the listing and the {@code refid} of its ledger entries
 * @param tradeId   Kraken's running number of the pair's trades
 * @param maker     whether the order rested in the book (a limit order filled by a trade)
 */
record PaperTrade(String id, long tradeId, String orderTxid, String pairId, Instant time, String type,
        String ordertype, BigDecimal price, BigDecimal cost, BigDecimal fee, BigDecimal volume, String leverage,
        boolean maker) {
}
