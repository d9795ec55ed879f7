package io.tvkraken.order;

import io.tvkraken.alert.Alert;
import io.tvkraken.alert.Refusal;
import io.tvkraken.alert.RefusedException;
import io.tvkraken.alert.Target;
import io.tvkraken.strategy.StrategySettings;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.function.Supplier;

/**
 * An account's sizing applied to an alert before its order on that account is planned (docs/accounts.md#sizing-and-limits):
 * a multiplier of the alert's own size (its volume, cost or percent), a fixed cost in the quote currency, or a percent of
 * the account's own balance. The planner then rounds, prices and checks the minimums as for any alert.
 */
public final class AccountSizing {

    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    private AccountSizing() {
    }

    /** The alert as the account sizes it: unchanged for {@link StrategySettings.Sizing#AS_SENT}. */
    public static Alert apply(Alert alert, StrategySettings.Sizing sizing) {
        if (sizing.asSent()) {
            return alert;
        }
        BigDecimal volume = null;
        BigDecimal cost = null;
        BigDecimal percent = null;
        if (sizing.multiplier() != null) {
            BigDecimal m = sizing.multiplier();
            volume = alert.volume() == null ? null : alert.volume().multiply(m);
            cost = alert.cost() == null ? null : alert.cost().multiply(m);
            // a percent of the balance cannot spend more than all of it
            percent = alert.percent() == null ? null : alert.percent().multiply(m).min(HUNDRED);
        } else if (sizing.cost() != null) {
            cost = sizing.cost();
        } else {
            percent = sizing.percent();
        }
        return new Alert(alert.ticker(), alert.action(), alert.orderType(), volume, cost, percent, alert.price(),
                alert.price2(), alert.trigger(), alert.leverage(), alert.reduceOnly(), alert.postOnly(),
                alert.timeInForce(), alert.expireTime(), alert.close(), alert.id(), alert.time(), alert.validate(),
                alert.userref(), alert.comment(), alert.strategy(), alert.target(), alert.accounts());
    }

    /**
     * A target position (docs/alerts.md#target-positions) as the account sizes it
     * (docs/accounts.md#strategies-on-several-accounts): a {@code multiplier} scales it; a fixed {@code cost}, or a
     * {@code percent} of the account's quote balance, is the size of a position when it opens (TradersPost's "amount
     * per position"), so a target on the side the book holds already keeps the book as it is. Flat stays flat, and the
     * side is always the alert's.
     *
     * @param book  the book's position now
     * @param price the pair's last trade, asked for only when used
     * @param quote the account's spendable quote currency, asked for only when used
     */
    public static Target target(Target target, BigDecimal book, StrategySettings.Sizing sizing,
            Supplier<BigDecimal> price, Supplier<BigDecimal> quote) {
        if (sizing.asSent() || target.flat()) {
            return target;
        }
        if (sizing.multiplier() != null) {
            return new Target(target.position().multiply(sizing.multiplier()), target.source() + " x "
                    + sizing.multiplier().toPlainString());
        }
        if (book.signum() == target.position().signum()) {
            return new Target(book, target.source() + ", held at the size it opened with");
        }
        BigDecimal value = sizing.cost();
        if (value == null) {
            BigDecimal held = quote.get();
            if (held == null || held.signum() <= 0) {
                throw new RefusedException(Refusal.INSUFFICIENT_BALANCE, "no quote balance on the account to size "
                        + target.source() + " at percent " + sizing.percent().toPlainString() + " of it",
                        List.of("balance: 0"));
            }
            value = held.multiply(sizing.percent()).divide(HUNDRED, MathContext.DECIMAL64);
        }
        BigDecimal size = value.divide(price.get(), MathContext.DECIMAL64);
        return new Target(target.isShort() ? size.negate() : size, target.source() + " sized at " + describe(sizing));
    }

    /** How the account sized it, for the log: {@code multiplier 0.5}, {@code cost 100}, {@code percent 5}. */
    public static String describe(StrategySettings.Sizing sizing) {
        if (sizing.multiplier() != null) {
            return "multiplier " + sizing.multiplier().toPlainString();
        }
        return sizing.cost() != null ? "cost " + sizing.cost().toPlainString()
                : "percent " + sizing.percent().toPlainString() + " of its balance";
    }
}
