package io.tvkraken.alert;

import java.math.BigDecimal;
import java.util.List;

/**
 * A TradingView alert after parsing and field validation (docs/alerts.md#fields). Exactly one of
 * {@code volume}, {@code cost}, {@code percent} is set. Optional fields are {@code null} when absent.
 *
 * @param ticker      as sent, e.g. {@code KRAKEN:BTCUSD}; resolved to a Kraken pair later
 * @param volume      base-currency amount
 * @param cost        quote-currency amount
 * @param percent     percent of the available balance (quote for buys, base for sells), in (0, 100]
 * @param id          the caller's idempotency key, or {@code null}
 * @param time        when the alert fired, as sent ({@code {{timenow}}}), or {@code null}
 * @param validate    true when the alert asks for validation only
 * @param strategy    the strategy whose book the alert trades on ({@code strategy}), or {@code null}: the pair's
 *                    default book
 * @param target      the position wanted after the signal, for a target-position alert; {@code null} for an order
 *                    alert. A target alert has no {@code action} and no sizing of its own: the difference to the book
 *                    decides both
 */
public record Alert(
        String ticker,
        Side action,
        OrderType orderType,
        BigDecimal volume,
        BigDecimal cost,
        BigDecimal percent,
        Price price,
        Price price2,
        String trigger,
        String leverage,
        boolean reduceOnly,
        boolean postOnly,
        String timeInForce,
        String expireTime,
        CloseOrder close,
        String id,
        String time,
        boolean validate,
        Integer userref,
        String comment,
        String strategy,
        Target target,
        List<String> accounts) {

    public Alert {
        accounts = accounts == null ? List.of() : List.copyOf(accounts);
    }

    /**
     * The accounts whose orders this alert places (docs/accounts.md#fan-out) when it names any but the default account
     * alone: one order per account, each a row of its own. Empty for an alert on the default account only, which is
     * placed as it always was.
     */
    public List<String> fanOutAccounts() {
        return accounts.isEmpty() || accounts.equals(List.of(io.tvkraken.kraken.Accounts.DEFAULT)) ? List.of()
                : accounts;
    }

    /** How the order is sized. */
    public enum Sizing { VOLUME, COST, PERCENT }

    /** A target-position alert: the order is the difference between {@link #target} and the book. */
    public boolean targetsPosition() {
        return target != null;
    }

    /** Trades on a strategy's book: a target position, or an order naming its {@code strategy}. */
    public boolean onBook() {
        return target != null || strategy != null;
    }

    /** The same alert wanting {@code sized} instead: its target as an account sizes it. */
    public Alert withTarget(Target sized) {
        return new Alert(ticker, action, orderType, volume, cost, percent, price, price2, trigger, leverage, reduceOnly,
                postOnly, timeInForce, expireTime, close, id, time, validate, userref, comment, strategy, sized,
                accounts);
    }

    /**
     * The same alert for {@code names}: the accounts its strategy trades on by default when it names none, or those
     * journaled for it (docs/accounts.md#fan-out).
     */
    public Alert withAccounts(List<String> names) {
        return new Alert(ticker, action, orderType, volume, cost, percent, price, price2, trigger, leverage, reduceOnly,
                postOnly, timeInForce, expireTime, close, id, time, validate, userref, comment, strategy, target,
                names);
    }

    public Sizing sizing() {
        if (volume != null) {
            return Sizing.VOLUME;
        }
        return cost != null ? Sizing.COST : Sizing.PERCENT;
    }
}
