package io.tvkraken.order;

import io.tvkraken.alert.Alert;
import io.tvkraken.strategy.StrategySettings;
import java.math.BigDecimal;

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

    /** How the account sized it, for the log: {@code multiplier 0.5}, {@code cost 100}, {@code percent 5}. */
    public static String describe(StrategySettings.Sizing sizing) {
        if (sizing.multiplier() != null) {
            return "multiplier " + sizing.multiplier().toPlainString();
        }
        return sizing.cost() != null ? "cost " + sizing.cost().toPlainString()
                : "percent " + sizing.percent().toPlainString() + " of its balance";
    }
}
