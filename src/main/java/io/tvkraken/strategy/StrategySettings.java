package io.tvkraken.strategy;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The strategies file (setting {@code strategies.file}, docs/strategies.md#the-strategies-file): risk limits for the
 * whole account and per strategy, the pairs a strategy may trade, the stop a strategy's entries carry to Kraken, and
 * the leverage its shorts are opened with.
 * Read by {@link StrategyFile}, reloaded while the service runs; every field is optional, and what is absent is not
 * limited.
 *
 * @param account    limits on every order of the account, whatever its strategy
 * @param strategies per strategy name, as alerts send it in {@code strategy}
 * @param accounts   per Kraken account of {@code KRAKEN_ACCOUNTS} (and {@code default}), its sizing and, for a named
 *                   account, its own limits (docs/accounts.md#sizing-and-limits)
 */
public record StrategySettings(Limits account, Map<String, Strategy> strategies, Map<String, AccountRules> accounts) {

    /** No file: nothing limited, no stop attached. */
    public static final StrategySettings NONE = new StrategySettings(Limits.NONE, Map.of(), Map.of());

    public StrategySettings(Limits account, Map<String, Strategy> strategies) {
        this(account, strategies, Map.of());
    }

    @JsonCreator
    public StrategySettings(@JsonProperty("account") Limits account,
            @JsonProperty("strategies") Map<String, Strategy> strategies,
            @JsonProperty("accounts") Map<String, AccountRules> accounts) {
        this.account = account == null ? Limits.NONE : account;
        this.accounts = accounts == null ? Map.of() : Map.copyOf(accounts);
        this.accounts.forEach((name, rules) -> {
            if (io.tvkraken.kraken.Accounts.DEFAULT.equals(name) && rules.limits().any()) {
                throw new IllegalArgumentException("accounts: the default account's limits are under 'account'");
            }
        });
        this.strategies = strategies == null ? Map.of() : Map.copyOf(new LinkedHashMap<>(strategies));
        this.strategies.forEach((name, s) -> {
            if (name.isBlank() || name.length() > 64) {
                throw new IllegalArgumentException("strategies: a name of 1 to 64 characters, got '" + name + "'");
            }
        });
    }

    /** A strategy's settings; one the file does not name (or no strategy) is not limited beyond the account. */
    public Strategy strategy(String name) {
        Strategy strategy = name == null ? null : strategies.get(name);
        return strategy == null ? Strategy.NONE : strategy;
    }

    /** The limits of the account {@code name} (null: the default account, whose limits are {@link #account}). */
    public Limits limitsOf(String name) {
        if (name == null || io.tvkraken.kraken.Accounts.DEFAULT.equals(name)) {
            return account;
        }
        AccountRules rules = accounts.get(name);
        return rules == null ? Limits.NONE : rules.limits();
    }

    /** The sizing of the account {@code name} (null: the default account); {@link Sizing#AS_SENT} when it has none. */
    public Sizing sizingOf(String name) {
        AccountRules rules = accounts.get(name == null ? io.tvkraken.kraken.Accounts.DEFAULT : name);
        return rules == null || rules.sizing() == null ? Sizing.AS_SENT : rules.sizing();
    }

    /**
     * One account's rules: how its orders are sized from the alert's, and its limits (the same keys as
     * {@code account}'s), on every order placed on it.
     */
    public record AccountRules(Sizing sizing, Limits limits) {

        @JsonCreator
        public static AccountRules of(@JsonProperty("sizing") Sizing sizing,
                @JsonProperty("max-order-cost") BigDecimal maxOrderCost,
                @JsonProperty("max-position") BigDecimal maxPosition,
                @JsonProperty("max-orders-per-hour") Integer maxOrdersPerHour,
                @JsonProperty("max-orders-per-day") Integer maxOrdersPerDay,
                @JsonProperty("max-quote-per-day") BigDecimal maxQuotePerDay,
                @JsonProperty("max-loss-per-day") BigDecimal maxLossPerDay) {
            // max-position and max-loss-per-day are counted on the account's own books
            return new AccountRules(sizing, new Limits(maxOrderCost, maxPosition, maxOrdersPerHour, maxOrdersPerDay,
                    maxQuotePerDay, maxLossPerDay));
        }
    }

    /**
     * How an account's order is sized from the alert's (docs/accounts.md#sizing-and-limits), as TradersPost's
     * subscriptions do: {@code multiplier} times the alert's volume, cost or percent; a fixed {@code cost} in the
     * quote currency; or a {@code percent} of that account's own balance. One of the three, or none: as sent.
     */
    public record Sizing(BigDecimal multiplier, BigDecimal cost, BigDecimal percent) {

        public static final Sizing AS_SENT = new Sizing(null, null, null);

        @JsonCreator
        public Sizing(@JsonProperty("multiplier") BigDecimal multiplier, @JsonProperty("cost") BigDecimal cost,
                @JsonProperty("percent") BigDecimal percent) {
            int given = (multiplier == null ? 0 : 1) + (cost == null ? 0 : 1) + (percent == null ? 0 : 1);
            if (given > 1) {
                throw new IllegalArgumentException("sizing: one of multiplier, cost or percent");
            }
            for (BigDecimal value : java.util.Arrays.asList(multiplier, cost, percent)) {
                if (value != null && value.signum() <= 0) {
                    throw new IllegalArgumentException("sizing: must be greater than 0, got " + value.toPlainString());
                }
            }
            if (percent != null && percent.compareTo(BigDecimal.valueOf(100)) > 0) {
                throw new IllegalArgumentException("sizing: percent at most 100, got " + percent.toPlainString());
            }
            this.multiplier = multiplier;
            this.cost = cost;
            this.percent = percent;
        }

        public boolean asSent() {
            return multiplier == null && cost == null && percent == null;
        }
    }

    /**
     * One strategy.
     *
     * @param pairs  the pairs it may trade, in any spelling an alert's ticker accepts; absent: any pair
     * @param limits its own limits, on top of the account's
     * @param stop   the conditional close attached to each of its entries that brings none of its own, or null
     * @param leverage the leverage its shorts are opened with on Kraken's spot margin (2 for 2:1), or null: it trades
     *               spot only, and a short target is refused (docs/strategies.md#margin-shorts)
     * @param accounts the Kraken accounts its alerts trade on when they name none, each with its own books
     *               (docs/accounts.md#strategies-on-several-accounts); empty: the default account
     */
    public record Strategy(List<String> pairs, Limits limits, StopPolicy stop, Integer leverage,
            List<String> accounts) {

        public static final Strategy NONE = new Strategy(null, Limits.NONE, null, null, List.of());

        public Strategy {
            accounts = accounts == null ? List.of() : List.copyOf(accounts);
            if (accounts.size() > io.tvkraken.alert.AlertParser.MAX_ACCOUNTS) {
                throw new IllegalArgumentException("accounts: at most " + io.tvkraken.alert.AlertParser.MAX_ACCOUNTS
                        + ", as an alert names, got " + accounts.size());
            }
            if (accounts.size() != new java.util.HashSet<>(accounts).size()) {
                throw new IllegalArgumentException("accounts: each account once, got " + accounts);
            }
            if (leverage != null && leverage < 2) {
                throw new IllegalArgumentException("leverage: 2 or more (Kraken's margin starts at 2:1), got "
                        + leverage + "; leave it out for a strategy that trades spot only");
            }
        }

        /** Whether its shorts may be opened, on margin. */
        public boolean onMargin() {
            return leverage != null;
        }

        @JsonCreator
        public static Strategy of(@JsonProperty("pairs") List<String> pairs,
                @JsonProperty("max-order-cost") BigDecimal maxOrderCost,
                @JsonProperty("max-position") BigDecimal maxPosition,
                @JsonProperty("max-orders-per-hour") Integer maxOrdersPerHour,
                @JsonProperty("max-orders-per-day") Integer maxOrdersPerDay,
                @JsonProperty("max-quote-per-day") BigDecimal maxQuotePerDay,
                @JsonProperty("max-loss-per-day") BigDecimal maxLossPerDay,
                @JsonProperty("stop") StopPolicy stop,
                @JsonProperty("leverage") Integer leverage,
                @JsonProperty("accounts") List<String> accounts) {
            return new Strategy(pairs == null ? null : List.copyOf(pairs), new Limits(maxOrderCost, maxPosition,
                    maxOrdersPerHour, maxOrdersPerDay, maxQuotePerDay, maxLossPerDay), stop, leverage, accounts);
        }
    }

    /**
     * Risk limits (docs/strategies.md#risk-limits); null: not limited.
     *
     * @param maxOrderCost     an order's cost at most, in its pair's quote currency (volume x the price it is sized
     *                         at, or the last trade)
     * @param maxPosition      a position on one pair at most, in its base currency: a strategy's book, or for the
     *                         account every book on the pair together
     * @param maxOrdersPerHour orders placed in the last 60 minutes at most
     * @param maxOrdersPerDay  orders placed since 00:00 UTC at most
     * @param maxQuotePerDay   the quote currency spent on buys since 00:00 UTC at most, per quote currency
     * @param maxLossPerDay    the loss realised since 00:00 UTC (from executed prices, fees included) at most, per
     *                         quote currency: once reached, orders that take a position further from flat are refused
     */
    public record Limits(BigDecimal maxOrderCost, BigDecimal maxPosition, Integer maxOrdersPerHour,
            Integer maxOrdersPerDay, BigDecimal maxQuotePerDay, BigDecimal maxLossPerDay) {

        public static final Limits NONE = new Limits(null, null, null, null, null, null);

        public Limits {
            positive("max-order-cost", maxOrderCost);
            positive("max-position", maxPosition);
            positive("max-orders-per-hour", maxOrdersPerHour == null ? null : BigDecimal.valueOf(maxOrdersPerHour));
            positive("max-orders-per-day", maxOrdersPerDay == null ? null : BigDecimal.valueOf(maxOrdersPerDay));
            positive("max-quote-per-day", maxQuotePerDay);
            positive("max-loss-per-day", maxLossPerDay);
        }

        @JsonCreator
        public static Limits of(@JsonProperty("max-order-cost") BigDecimal maxOrderCost,
                @JsonProperty("max-position") BigDecimal maxPosition,
                @JsonProperty("max-orders-per-hour") Integer maxOrdersPerHour,
                @JsonProperty("max-orders-per-day") Integer maxOrdersPerDay,
                @JsonProperty("max-quote-per-day") BigDecimal maxQuotePerDay,
                @JsonProperty("max-loss-per-day") BigDecimal maxLossPerDay) {
            return new Limits(maxOrderCost, maxPosition, maxOrdersPerHour, maxOrdersPerDay, maxQuotePerDay,
                    maxLossPerDay);
        }

        /** Whether anything is limited. */
        public boolean any() {
            return maxOrderCost != null || maxPosition != null || maxOrdersPerHour != null || maxOrdersPerDay != null
                    || maxQuotePerDay != null || maxLossPerDay != null;
        }

        private static void positive(String field, BigDecimal value) {
            if (value != null && value.signum() <= 0) {
                throw new IllegalArgumentException(field + ": must be greater than 0, got " + value.toPlainString());
            }
        }
    }

    /**
     * The conditional close a strategy's entries carry (docs/strategies.md#a-stop-on-the-exchange): Kraken places it
     * when the entry fills, so the protection is at Kraken even while the service is down.
     *
     * @param orderType    {@code stop-loss}, {@code take-profit}, {@code stop-loss-limit} or {@code take-profit-limit}
     * @param percent      the trigger's distance from the last trade when the close is placed, in percent
     * @param limitPercent for the {@code *-limit} types: the limit price's distance, the same way, in percent
     */
    public record StopPolicy(String orderType, BigDecimal percent, BigDecimal limitPercent) {

        static final Set<String> TYPES = Set.of("stop-loss", "take-profit", "stop-loss-limit", "take-profit-limit");

        @JsonCreator
        public StopPolicy(@JsonProperty("order-type") String orderType, @JsonProperty("percent") BigDecimal percent,
                @JsonProperty("limit-percent") BigDecimal limitPercent) {
            String type = orderType == null ? null : orderType.trim().toLowerCase(Locale.ROOT);
            if (type == null || !TYPES.contains(type)) {
                throw new IllegalArgumentException("stop.order-type: one of " + TYPES.stream().sorted().toList()
                        + ", got " + orderType);
            }
            if (percent == null || percent.signum() <= 0 || percent.compareTo(BigDecimal.valueOf(100)) >= 0) {
                throw new IllegalArgumentException("stop.percent: required, greater than 0 and below 100");
            }
            boolean limit = type.endsWith("-limit");
            if (limit != (limitPercent != null)) {
                throw new IllegalArgumentException(limit ? "stop.limit-percent: required for " + type
                        : "stop.limit-percent: only for stop-loss-limit and take-profit-limit");
            }
            if (limit && (limitPercent.signum() <= 0 || limitPercent.compareTo(BigDecimal.valueOf(100)) >= 0)) {
                throw new IllegalArgumentException("stop.limit-percent: greater than 0 and below 100");
            }
            this.orderType = type;
            this.percent = percent.stripTrailingZeros();
            this.limitPercent = limitPercent == null ? null : limitPercent.stripTrailingZeros();
        }
    }
}
