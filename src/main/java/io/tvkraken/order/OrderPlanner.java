package io.tvkraken.order;

import io.tvkraken.alert.Alert;
import io.tvkraken.alert.Refusal;
import io.tvkraken.alert.RefusedException;
import io.tvkraken.alert.CloseOrder;
import io.tvkraken.alert.OrderType;
import io.tvkraken.alert.Price;
import io.tvkraken.alert.Side;
import io.tvkraken.kraken.AssetPair;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Turns a validated alert into the AddOrder for one pair: sizes it, rounds it to what the pair accepts and checks
 * Kraken's minimums and the pair's status first, so that an order Kraken would refuse is refused here, with a
 * message a trader can act on, and never sent (docs/alerts.md#sizing-rounding-and-minimums: rounded and checked
 * against ordermin / costmin before anything is sent to Kraken).
 *
 * <p>The last price and the balances cost a call to Kraken each, so they are asked for only when the alert needs
 * them: the last price when there is no absolute price to size with or to estimate the cost with, the balances
 * only for {@code percent} sizing.
 */
public final class OrderPlanner {

    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    public OrderRequest plan(Alert alert, AssetPair pair, Supplier<BigDecimal> lastPrice,
                             Supplier<Map<String, BigDecimal>> balances) {
        checkStatus(alert, pair);

        Side side = alert.action();
        OrderType type = alert.orderType();
        Price price = round(alert.price(), pair, "price", limitRounding(type, false, side));
        Price price2 = round(alert.price2(), pair, "price2", limitRounding(type, true, side));
        // The conditional close trades the opposite side (docs/kraken.md#conditional-close).
        Side closeSide = side == Side.BUY ? Side.SELL : Side.BUY;
        CloseOrder close = alert.close() == null ? null : new CloseOrder(
                alert.close().orderType(),
                round(alert.close().price(), pair, "close.price",
                        limitRounding(alert.close().orderType(), false, closeSide)),
                round(alert.close().price2(), pair, "close.price2",
                        limitRounding(alert.close().orderType(), true, closeSide)));

        SizingPrice sizingPrice = new SizingPrice(price, pair, lastPrice);
        Sized sized = size(alert, pair, sizingPrice, balances);
        checkOrderMin(sized, pair);
        BigDecimal estimatedCost = checkCostMin(sized, pair, sizingPrice);

        return new OrderRequest(pair, alert.action(), alert.orderType(), sized.volume(), price, price2, alert.trigger(),
                alert.leverage(), alert.reduceOnly(), alert.postOnly(), alert.timeInForce(), alert.expireTime(),
                close, alert.userref(), alert.validate(), estimatedCost);
    }

    /** Kraken refuses a volume below ordermin ({@code EOrder:Order minimum not met}, docs/kraken.md#asset-pairs). */
    private static void checkOrderMin(Sized sized, AssetPair pair) {
        BigDecimal volume = sized.volume();
        if (volume.signum() <= 0 || volume.compareTo(pair.orderMin()) < 0) {
            throw new RefusedException(Refusal.BELOW_MINIMUM, "volume " + plain(volume) + " is below the minimum order size " + plain(pair.orderMin()) + " "
                            + pair.baseSymbol() + " for " + pair.altname(),
                    List.of("volume: " + sized.derivation(),
                            "ordermin: " + plain(pair.orderMin()) + " " + pair.baseSymbol()));
        }
    }

    /**
     * Kraken refuses volume x price below costmin ({@code EOrder:Cost minimum not met}, docs/kraken.md#asset-pairs).
     * Without an absolute price the price is the last trade, worth a call only when there is a minimum to check or the
     * sizing already asked for it.
     *
     * @return the estimated cost in the quote currency, or {@code null} when no price was needed
     */
    private static BigDecimal checkCostMin(Sized sized, AssetPair pair, SizingPrice sizingPrice) {
        if (pair.costMin().signum() <= 0 && !sizingPrice.known()) {
            return null;
        }
        BigDecimal at = sizingPrice.get();
        BigDecimal cost = sized.volume().multiply(at);
        if (cost.compareTo(pair.costMin()) < 0) {
            String quote = pair.quoteSymbol();
            throw new RefusedException(Refusal.BELOW_MINIMUM, "estimated cost " + plain(cost) + " " + quote + " (volume " + plain(sized.volume()) + " x price "
                            + plain(at) + ") is below the minimum order cost (costmin) " + plain(pair.costMin())
                            + " " + quote + " for " + pair.altname(),
                    List.of("volume: " + sized.derivation(),
                            "price: " + plain(at) + " " + quote + " (" + sizingPrice.source() + ")",
                            "costmin: " + plain(pair.costMin()) + " " + quote));
        }
        return cost.setScale(pair.costDecimals(), RoundingMode.HALF_UP);
    }

    /**
     * Kraken's pair status (docs/kraken.md#asset-pairs): {@code cancel_only} takes no new order, {@code post_only} only
     * post-only limit orders, {@code limit_only} only limit orders, {@code reduce_only} only orders that reduce a
     * position. Any status we do not know is treated as closed. Only the primary order is checked: whether Kraken
     * applies the status to a conditional close placed later is not documented.
     */
    private static void checkStatus(Alert alert, AssetPair pair) {
        String status = pair.status();
        String accepts = switch (status) {
            case AssetPair.ONLINE -> null;
            case "post_only" -> alert.orderType() == OrderType.LIMIT && alert.postOnly()
                    ? null : "only post-only limit orders (order_type limit with post_only true)";
            case "limit_only" -> alert.orderType() == OrderType.LIMIT ? null : "only limit orders (order_type limit)";
            case "reduce_only" -> alert.reduceOnly() ? null : "only orders that reduce a position (reduce_only true)";
            default -> "no new orders";
        };
        if (accepts != null) {
            throw new RefusedException(Refusal.PAIR_UNAVAILABLE, pair.altname() + " is in status " + status + " on Kraken, which accepts " + accepts,
                    List.of("status: " + status));
        }
    }

    /**
     * How a price is brought onto the tick grid. A limit price ({@code price} of a limit order, {@code price2} of the
     * {@code *-limit} kinds) rounds in the trader's favour: a buy never pays more and a sell never takes less than
     * the price the trader sent. A trigger price goes to the nearest tick.
     */
    private static RoundingMode limitRounding(OrderType type, boolean isPrice2, Side side) {
        boolean limitPrice = isPrice2 ? type.needsPrice2() : type == OrderType.LIMIT;
        if (!limitPrice) {
            return RoundingMode.HALF_UP;
        }
        return side == Side.BUY ? RoundingMode.FLOOR : RoundingMode.CEILING;
    }

    /**
     * Kraken refuses a price with more decimals than the pair allows ({@code EOrder:Invalid price:XXBTZEUR price can
     * only be specified up to 1 decimals}) or off the tick grid ({@code EOrder:Tick size check failed},
     * docs/kraken.md#error-model). An absolute price goes onto the tick grid ({@link #limitRounding}), then to
     * pair_decimals; a relative amount ({@code +100}, {@code -2.5}) to pair_decimals; a percent offset is Kraken's to
     * compute, so it stays as sent.
     */
    private static Price round(Price price, AssetPair pair, String field, RoundingMode mode) {
        if (price == null || price.percent()) {
            return price;
        }
        if (!price.absolute()) {
            BigDecimal offset = price.amount().setScale(pair.pairDecimals(), RoundingMode.HALF_UP);
            // "+0" is meaningful (trailing-stop-limit: limit equals trigger), but an offset the trader asked for
            // must not silently become zero: a trailing stop at +0 would trigger at once.
            if (offset.signum() == 0 && price.amount().signum() != 0) {
                throw new RefusedException(Refusal.INVALID_PRICE, field + " offset " + price.kraken() + " rounds to 0 at the " + pair.pairDecimals()
                                + " price decimals of " + pair.altname(),
                        List.of(field + ": " + price.kraken(), "pair_decimals: " + pair.pairDecimals()));
            }
            return price.withAmount(offset.stripTrailingZeros());
        }
        BigDecimal ticks = price.amount().divide(pair.tickSize(), 0, mode);
        BigDecimal rounded = ticks.multiply(pair.tickSize()).setScale(pair.pairDecimals(), mode);
        if (rounded.signum() <= 0) {
            throw new RefusedException(Refusal.INVALID_PRICE, field + " " + plain(price.amount()) + " rounds to 0 at the tick size " + plain(pair.tickSize())
                            + " of " + pair.altname(),
                    List.of(field + ": " + plain(price.amount()), "tick_size: " + plain(pair.tickSize())));
        }
        return price.withAmount(rounded.stripTrailingZeros());
    }

    /** Volume rounded down to lot_decimals: rounding must never make the order bigger than the trader asked. */
    private static Sized size(Alert alert, AssetPair pair, SizingPrice price,
                              Supplier<Map<String, BigDecimal>> balances) {
        int lot = pair.lotDecimals();
        String base = pair.baseSymbol();
        String quote = pair.quoteSymbol();
        String roundedNote = ", rounded down to " + lot + " decimals";
        switch (alert.sizing()) {
            case VOLUME -> {
                return new Sized(alert.volume().setScale(lot, RoundingMode.DOWN),
                        plain(alert.volume()) + " " + base + " as sent" + roundedNote);
            }
            case COST -> {
                BigDecimal at = price.get();
                return new Sized(alert.cost().divide(at, lot, RoundingMode.DOWN),
                        "cost " + plain(alert.cost()) + " " + quote + " / price " + plain(at) + roundedNote);
            }
            default -> {
                boolean buy = alert.action() == Side.BUY;
                // Buys spend the quote, sells the base (docs/alerts.md#sizing-rounding-and-minimums); Balance is keyed
                // by Kraken's asset code.
                String asset = buy ? pair.quote() : pair.base();
                BigDecimal balance = balances.get().getOrDefault(asset, BigDecimal.ZERO);
                String symbol = AssetPair.symbol(asset);
                if (balance == null || balance.signum() <= 0) {
                    throw new RefusedException(Refusal.INSUFFICIENT_BALANCE, "no " + symbol + " balance (Kraken asset " + asset + ") to "
                                    + (buy ? "buy " + base + " with" : "sell") + " on " + pair.altname()
                                    + ": percent " + plain(alert.percent()) + " of it is 0",
                            List.of("balance: " + asset + " 0"));
                }
                BigDecimal share = balance.multiply(alert.percent()).divide(HUNDRED);
                String of = "percent " + plain(alert.percent()) + " of balance " + plain(balance) + " " + symbol;
                if (!buy) {
                    return new Sized(share.setScale(lot, RoundingMode.DOWN), of + roundedNote);
                }
                BigDecimal at = price.get();
                return new Sized(share.divide(at, lot, RoundingMode.DOWN),
                        of + " = cost " + plain(share) + " " + quote + " / price " + plain(at) + roundedNote);
            }
        }
    }

    private static String plain(BigDecimal amount) {
        return OrderRequest.plain(amount);
    }

    /** A volume and, for the trader, how it was obtained. */
    private record Sized(BigDecimal volume, String derivation) {
    }

    /**
     * The price to size with and to estimate the cost with: the alert's absolute price (limit or trigger) when it has
     * one, else Kraken's last trade, asked for at most once and only when used.
     */
    private static final class SizingPrice {
        private final AssetPair pair;
        private final Supplier<BigDecimal> lastPrice;
        private final boolean fromAlert;
        private BigDecimal value;

        SizingPrice(Price price, AssetPair pair, Supplier<BigDecimal> lastPrice) {
            this.pair = pair;
            this.lastPrice = lastPrice;
            this.fromAlert = price != null && price.absolute();
            this.value = fromAlert ? price.amount() : null;
        }

        boolean known() {
            return value != null;
        }

        String source() {
            return fromAlert ? "the alert's price" : "last trade on Kraken";
        }

        BigDecimal get() {
            if (value == null) {
                BigDecimal last = lastPrice.get();
                if (last == null || last.signum() <= 0) {
                    throw new IllegalStateException("no usable last price for " + pair.altname() + ": " + last);
                }
                value = last;
            }
            return value;
        }
    }
}
