package io.tvkraken.paper;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The private methods that read the account's history and worth: {@code TradesHistory}, {@code QueryTrades},
 * {@code Ledgers} and {@code TradeBalance}, with Kraken's shapes (docs/paper-exchange.md#methods). Called by
 * {@link PrivateEndpoints} once a request is authenticated and charged.
 */
final class AccountHistory {

    /** TradesHistory and Ledgers hand out 50 a page (their pages on docs.kraken.com). */
    static final int PAGE = 50;

    private final PaperPairs pairs;
    private final PaperAccount account;

    AccountHistory(PaperPairs pairs, PaperAccount account) {
        this.pairs = pairs;
        this.account = account;
    }

    /**
     * TradesHistory (https://docs.kraken.com/api/docs/rest-api/get-trade-history): newest first, 50 a page from
     * {@code ofs}, between {@code start} and {@code end} (Unix seconds, exclusive); {@code count} is every match.
     */
    Map<String, Object> tradesHistory(Map<String, String> params) {
        Predicate<Instant> within = within(params);
        List<PaperTrade> found = account.trades().stream().filter(t -> within.test(t.time())).toList();
        Map<String, Object> trades = new LinkedHashMap<>();
        found.stream().skip(offset(params)).limit(PAGE).forEach(t -> trades.put(t.id(), trade(t)));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("trades", trades);
        result.put("count", found.size());
        return result;
    }

    /** QueryTrades (https://docs.kraken.com/api/docs/rest-api/get-trades-info): up to 20 trade ids, each known. */
    Map<String, Object> queryTrades(Map<String, String> params) {
        String txid = params.get("txid");
        if (txid == null || txid.isBlank()) {
            throw KrakenReject.invalidArguments("txid");
        }
        List<String> wanted = Arrays.stream(txid.split(",")).map(String::trim).toList();
        if (wanted.size() > 20) {
            throw KrakenReject.invalidArguments("txid");
        }
        Map<String, PaperTrade> byId = new LinkedHashMap<>();
        account.trades().forEach(t -> byId.put(t.id(), t));
        Map<String, Object> result = new LinkedHashMap<>();
        for (String id : wanted) {
            PaperTrade trade = byId.get(id);
            if (trade == null) {
                throw new KrakenReject("EOrder:Invalid order");
            }
            result.put(id, trade(trade));
        }
        return result;
    }

    /**
     * Ledgers (https://docs.kraken.com/api/docs/rest-api/get-ledgers): newest first, 50 a page from {@code ofs},
     * filtered by {@code asset} (a comma list, {@code all} by default), {@code type} and {@code start}/{@code end}.
     */
    Map<String, Object> ledgers(Map<String, String> params) {
        Predicate<Instant> within = within(params);
        String assets = params.getOrDefault("asset", "all");
        List<String> wanted = assets.isBlank() || assets.equals("all") ? null
                : Arrays.stream(assets.split(",")).map(String::trim).toList();
        String type = params.getOrDefault("type", "all");
        List<PaperLedgerEntry> found = account.ledger().stream()
                .filter(e -> within.test(e.time()))
                .filter(e -> wanted == null || wanted.contains(e.asset()))
                .filter(e -> type.equals("all") || type.equals(e.type())).toList();
        Map<String, Object> ledger = new LinkedHashMap<>();
        found.stream().skip(offset(params)).limit(PAGE).forEach(e -> ledger.put(e.id(), entry(e)));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("ledger", ledger);
        result.put("count", found.size());
        return result;
    }

    /**
     * TradeBalance (https://docs.kraken.com/api/docs/rest-api/get-trade-balance), in {@code asset} (ZUSD by default):
     * {@code eb} every balance valued at the last prices (an asset with no pair to the asset counts nothing),
     * {@code tb} the same (no collateral rules here), {@code m} the margin of open positions, {@code n} their unrealised
     * profit, {@code c} their cost, {@code v} their value, {@code e = tb + n}, {@code mf = e − m}, {@code ml} the
     * margin level in percent (only with positions open), {@code uv} the value of open orders not executed.
     */
    Map<String, Object> tradeBalance(Map<String, String> params) {
        String asset = params.getOrDefault("asset", "ZUSD");
        BigDecimal equivalent = BigDecimal.ZERO;
        for (Map.Entry<String, BigDecimal> balance : account.balances().entrySet()) {
            BigDecimal rate = rate(balance.getKey(), asset);
            if (rate != null) {
                equivalent = equivalent.add(balance.getValue().multiply(rate));
            }
        }
        BigDecimal margin = BigDecimal.ZERO;
        BigDecimal net = BigDecimal.ZERO;
        BigDecimal cost = BigDecimal.ZERO;
        BigDecimal value = BigDecimal.ZERO;
        for (PaperPosition position : account.positions()) {
            PaperPair pair = pairs.find(position.pairId()).orElseThrow();
            BigDecimal rate = rate(pair.quote(), asset);
            BigDecimal price = account.priceOrNull(position.pairId());
            if (rate == null || price == null) {
                continue;
            }
            margin = margin.add(position.marginOpen().multiply(rate));
            net = net.add(position.profitOn(position.open(), price).multiply(rate));
            cost = cost.add(position.openPrice().multiply(position.open()).multiply(rate));
            value = value.add(price.multiply(position.open()).multiply(rate));
        }
        BigDecimal unexecuted = BigDecimal.ZERO;
        for (PaperOrder order : account.open(null, o -> true)) {
            PaperPair pair = pairs.find(order.pairId()).orElseThrow();
            BigDecimal rate = rate(pair.quote(), asset);
            if (rate != null && order.price() != null) {
                unexecuted = unexecuted.add(order.volume().subtract(order.volumeExecuted()).multiply(order.price())
                        .multiply(rate));
            }
        }
        BigDecimal equity = equivalent.add(net);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("eb", four(equivalent));
        result.put("tb", four(equivalent));
        result.put("m", four(margin));
        result.put("uv", four(unexecuted));
        result.put("n", four(net));
        result.put("c", four(cost));
        result.put("v", four(value));
        result.put("e", four(equity));
        result.put("mf", four(equity.subtract(margin)));
        if (margin.signum() > 0) {
            result.put("ml", equity.multiply(BigDecimal.valueOf(100)).divide(margin, 2, RoundingMode.HALF_EVEN)
                    .toPlainString());
        }
        return result;
    }

    /** How much of {@code to} one unit of {@code from} is worth at the last prices, or null when no pair says. */
    private BigDecimal rate(String from, String to) {
        if (from.equals(to)) {
            return BigDecimal.ONE;
        }
        for (PaperPair pair : pairs.all()) {
            BigDecimal price = account.priceOrNull(pair.id());
            if (price == null || price.signum() == 0) {
                continue;
            }
            if (pair.base().equals(from) && pair.quote().equals(to)) {
                return price;
            }
            if (pair.base().equals(to) && pair.quote().equals(from)) {
                return BigDecimal.ONE.divide(price, MathContext.DECIMAL64);
            }
        }
        return null;
    }

    private Map<String, Object> trade(PaperTrade t) {
        PaperPair pair = pairs.find(t.pairId()).orElseThrow();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("ordertxid", t.orderTxid());
        row.put("postxid", "");
        row.put("pair", t.pairId());
        row.put("time", Replies.seconds(t.time()));
        row.put("type", t.type());
        row.put("ordertype", t.ordertype());
        row.put("price", Replies.plain(t.price(), pair.pairDecimals()));
        row.put("cost", Replies.plain(t.cost(), pair.costDecimals()));
        row.put("fee", Replies.plain(t.fee(), pair.costDecimals()));
        row.put("vol", Replies.plain(t.volume(), pair.lotDecimals()));
        row.put("margin", Replies.plain(BigDecimal.ZERO, pair.costDecimals()));
        row.put("leverage", t.leverage());
        row.put("misc", "");
        row.put("trade_id", t.tradeId());
        row.put("maker", t.maker());
        return row;
    }

    private static Map<String, Object> entry(PaperLedgerEntry e) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("refid", e.refid());
        row.put("time", Replies.seconds(e.time()));
        row.put("type", e.type());
        row.put("subtype", "");
        row.put("aclass", "currency");
        row.put("asset", e.asset());
        row.put("amount", Replies.plain(e.amount(), 10));
        row.put("fee", Replies.plain(e.fee(), 10));
        row.put("balance", Replies.plain(e.balance(), 10));
        return row;
    }

    private static String four(BigDecimal amount) {
        return amount.setScale(4, RoundingMode.HALF_EVEN).toPlainString();
    }

    private static int offset(Map<String, String> params) {
        return Math.max(OrderFilters.parseInt(params.get("ofs"), "ofs"), 0);
    }

    /** {@code start} and {@code end}, Unix seconds, both exclusive, as Kraken reads them; absent: open. */
    private static Predicate<Instant> within(Map<String, String> params) {
        BigDecimal start = seconds(params.get("start"), "start");
        BigDecimal end = seconds(params.get("end"), "end");
        return at -> {
            BigDecimal t = Replies.seconds(at);
            return (start == null || t.compareTo(start) > 0) && (end == null || t.compareTo(end) < 0);
        };
    }

    private static BigDecimal seconds(String text, String field) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return new BigDecimal(text.trim());
        } catch (NumberFormatException e) {
            throw KrakenReject.invalidArguments(field);
        }
    }
}
