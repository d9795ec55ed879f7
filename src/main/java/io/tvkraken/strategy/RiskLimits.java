package io.tvkraken.strategy;

import static io.tvkraken.order.OrderRequest.plain;

import io.tvkraken.alert.Refusal;
import io.tvkraken.alert.RefusedException;
import io.tvkraken.alert.Side;
import io.tvkraken.journal.RiskLedger;
import io.tvkraken.kraken.AssetPair;
import io.tvkraken.kraken.MarketData;
import io.tvkraken.order.AlertCase;
import io.tvkraken.order.OrderRequest;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.camel.Body;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The risk limits of the strategies file (docs/strategies.md#risk-limits), checked on every planned order right before
 * it is tagged and sent (routes/orders.camel.yaml, steps check-risk-limits): the account's limits on every order, a
 * strategy's on top of them for the orders on its book. A breach is 422 {@code risk_limit} naming the rule and the
 * numbers; nothing is sent. The verdict and the counting of the order are one transaction of the {@link RiskLedger}, so
 * two alerts cannot both pass a limit only one of them fits. A validation gets the same verdict and counts nothing.
 */
public class RiskLimits {

    private static final Logger LOG = LoggerFactory.getLogger(RiskLimits.class);

    private final StrategyFile file;
    private final RiskLedger ledger;
    private final MarketData market;

    public RiskLimits(StrategyFile file, RiskLedger ledger, MarketData market) {
        this.file = file;
        this.ledger = ledger;
        this.market = market;
    }

    /** The route step: the order, unchanged, if it fits every limit; counted against them unless a validation. */
    public OrderRequest check(@Variable("case") AlertCase alertCase, @Body OrderRequest order) {
        StrategySettings settings = file.settings();
        String name = alertCase.alert().strategy();
        StrategySettings.Strategy strategy = settings.strategy(name);
        AssetPair pair = order.pair();
        allowedPair(name, strategy, pair);
        // the limits of the account the order is placed on (docs/accounts.md#sizing-and-limits)
        String account = io.tvkraken.kraken.Accounts.stored(alertCase.account());
        StrategySettings.Limits accountLimits = settings.limitsOf(account);
        if (!accountLimits.any() && !strategy.limits().any()) {
            // nothing to count against: no transaction, no cost for an account without limits
            return order;
        }
        boolean onBook = alertCase.alert().onBook();
        BigDecimal signed = order.side() == Side.BUY ? order.volume() : order.volume().negate();
        BigDecimal cost = cost(order);
        RiskLedger.Order counted = new RiskLedger.Order(alertCase.journalEntry(), name, pair.altname(),
                pair.quoteSymbol(), order.side() == Side.BUY && cost != null ? cost : BigDecimal.ZERO,
                onBook ? signed : BigDecimal.ZERO, account);
        Optional<RefusedException> refused = ledger.reserve(counted, usages -> {
            List<Breach> breaches = new ArrayList<>();
            breaches.addAll(breaches(account == null ? "account" : "account '" + account + "'", accountLimits,
                    usages.account(), order, cost, signed,
                    onBook ? usages.booksOnPair().add(usages.account().openOnPair()) : null));
            if (name != null && usages.strategy() != null) {
                breaches.addAll(breaches("strategy '" + name + "'", strategy.limits(), usages.strategy(), order, cost,
                        signed, onBook ? usages.strategyBook() : null));
            }
            return breaches.isEmpty() ? Optional.empty() : Optional.of(refusal(breaches));
        }, !alertCase.validation());
        if (refused.isPresent()) {
            LOG.warn("risk limit: {}", refused.get().getMessage());
            throw refused.get();
        }
        return order;
    }

    /** One limit an order would pass: which, and the numbers. */
    private record Breach(String rule, String numbers) {
    }

    private static List<Breach> breaches(String scope, StrategySettings.Limits limits, RiskLedger.Usage used,
            OrderRequest order, BigDecimal cost, BigDecimal signed, BigDecimal position) {
        List<Breach> found = new ArrayList<>();
        String quote = order.pair().quoteSymbol();
        if (limits.maxOrderCost() != null && cost != null && cost.compareTo(limits.maxOrderCost()) > 0) {
            found.add(new Breach(scope + " max-order-cost " + plain(limits.maxOrderCost()) + " " + quote,
                    "this order costs " + plain(cost) + " " + quote));
        }
        if (limits.maxPosition() != null && position != null) {
            BigDecimal after = position.add(signed);
            // an order that brings the position closer to flat always passes: a lowered limit must not trap it
            if (after.abs().compareTo(limits.maxPosition()) > 0 && after.abs().compareTo(position.abs()) > 0) {
                found.add(new Breach(scope + " max-position " + plain(limits.maxPosition()) + " "
                        + order.pair().baseSymbol() + " on " + order.pair().altname(), "position " + plain(position)
                        + " + this order " + plain(signed) + " = " + plain(after)));
            }
        }
        if (limits.maxOrdersPerHour() != null && used.ordersLastHour() + 1 > limits.maxOrdersPerHour()) {
            found.add(new Breach(scope + " max-orders-per-hour " + limits.maxOrdersPerHour(),
                    used.ordersLastHour() + " orders in the last 60 minutes"));
        }
        if (limits.maxOrdersPerDay() != null && used.ordersToday() + 1 > limits.maxOrdersPerDay()) {
            found.add(new Breach(scope + " max-orders-per-day " + limits.maxOrdersPerDay(),
                    used.ordersToday() + " orders since 00:00 UTC"));
        }
        if (limits.maxQuotePerDay() != null && order.side() == Side.BUY && cost != null
                && used.quoteSpentToday().add(cost).compareTo(limits.maxQuotePerDay()) > 0) {
            found.add(new Breach(scope + " max-quote-per-day " + plain(limits.maxQuotePerDay()) + " " + quote,
                    plain(used.quoteSpentToday()) + " " + quote + " spent since 00:00 UTC + this order "
                            + plain(cost) + " " + quote));
        }
        if (limits.maxLossPerDay() != null && used.realisedToday().negate().compareTo(limits.maxLossPerDay()) >= 0) {
            // reached: only orders that bring a position closer to flat go on (on no book, only sells)
            boolean entry = position == null ? order.side() == Side.BUY
                    : position.add(signed).abs().compareTo(position.abs()) > 0;
            if (entry) {
                found.add(new Breach(scope + " max-loss-per-day " + plain(limits.maxLossPerDay()) + " " + quote,
                        plain(used.realisedToday()) + " " + quote + " realised since 00:00 UTC; only orders that "
                                + "reduce a position go on"));
            }
        }
        return found;
    }

    private static RefusedException refusal(List<Breach> breaches) {
        Breach first = breaches.get(0);
        List<String> details = breaches.stream().map(b -> b.rule() + ": " + b.numbers()).toList();
        return new RefusedException(Refusal.RISK_LIMIT, "risk limit " + first.rule() + ": " + first.numbers()
                + (breaches.size() > 1 ? " (and " + (breaches.size() - 1) + " more)" : "") + "; nothing was sent",
                details);
    }

    /** A strategy that lists its pairs trades only those. */
    private void allowedPair(String name, StrategySettings.Strategy strategy, AssetPair pair) {
        if (strategy.pairs() == null) {
            return;
        }
        for (String allowed : strategy.pairs()) {
            if (market.pairFor(allowed).map(AssetPair::altname).filter(pair.altname()::equals).isPresent()) {
                return;
            }
        }
        throw new RefusedException(Refusal.RISK_LIMIT, "risk limit strategy '" + name + "' pairs: "
                + pair.altname() + " is not one of " + strategy.pairs() + "; nothing was sent",
                List.of("strategy '" + name + "' pairs " + strategy.pairs() + ": " + pair.altname()));
    }

    /**
     * The order's cost in its quote currency: its estimate (volume x the price it was sized at), else volume x the last
     * trade (cached, docs/kraken.md#cached-prices-and-balances).
     */
    private BigDecimal cost(OrderRequest order) {
        if (order.estimatedCost() != null) {
            return order.estimatedCost();
        }
        BigDecimal last = Objects.requireNonNull(market.lastPrice(order.pair()), "no last price");
        return order.volume().multiply(last).setScale(order.pair().costDecimals(), RoundingMode.HALF_UP);
    }
}
