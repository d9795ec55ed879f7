package io.tvkraken.paper;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Kraken's checks on an AddOrder (parameters: https://docs.kraken.com/api/docs/rest-api/add-order; error strings:
 * https://docs.kraken.com/api/docs/guides/spot-errors), in the order a client is most likely to trip over them.
 * Each failure is a {@link KrakenReject} with Kraken's string.
 *
 * <p>{@code deadline} is checked twice, as Kraken's engine does (docs/kraken.md): its form and range at receipt
 * ({@link #deadline}), and whether it has passed at the moment the order would be placed ({@link #requireNotElapsed}),
 * after the exchange's {@code addOrderLatency}.
 *
 * <p>Margin: {@code leverage} and {@code reduce_only} are checked here and filled by {@link PaperAccount} for market
 * orders (docs/kraken.md#margin). Not simulated: {@code viqc}
 * (refused rather than misread), {@code timeinforce}/{@code starttm}/{@code expiretm} (accepted and ignored), iceberg
 * {@code displayvol} rules.
 */
final class AddOrderRules {

    static final Set<String> ORDER_TYPES = Set.of("market", "limit", "iceberg", "stop-loss", "take-profit",
            "stop-loss-limit", "take-profit-limit", "trailing-stop", "trailing-stop-limit", "settle-position");
    /** The conditional close takes every type but market and settle-position (add-order, close[ordertype]). */
    static final Set<String> CLOSE_TYPES = Set.of("limit", "iceberg", "stop-loss", "take-profit",
            "stop-loss-limit", "take-profit-limit", "trailing-stop", "trailing-stop-limit");
    static final Set<String> OFLAGS = Set.of("post", "fcib", "fciq", "nompp");

    /** Plain decimal, no sign, no exponent: what Kraken's examples send and what a decimals check can count. */
    private static final Pattern DECIMAL = Pattern.compile("\\d+(\\.\\d*)?|\\.\\d+");
    private static final Pattern LONG_UUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern SHORT_UUID = Pattern.compile("[0-9a-fA-F]{32}");
    private static final Pattern FREE_TEXT_ID = Pattern.compile("[\\x21-\\x7e]{1,18}");
    /**
     * RFC 3339 date-time: seconds required, fraction optional (up to the nanoseconds an {@link Instant} holds), offset
     * {@code Z} or {@code ±hh:mm}; {@code T} and {@code Z} in either case, as RFC 3339 allows.
     */
    private static final Pattern RFC3339 =
            Pattern.compile("\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})");
    /** Kraken's add-order, {@code deadline}: "min now()+2 s, max now()+60 s". */
    static final Duration DEADLINE_MIN_AHEAD = Duration.ofSeconds(2);
    static final Duration DEADLINE_MAX_AHEAD = Duration.ofSeconds(60);

    private final PaperPairs pairs;
    private final Function<String, BigDecimal> lastPrice;

    AddOrderRules(PaperPairs pairs, Function<String, BigDecimal> lastPrice) {
        this.pairs = pairs;
        this.lastPrice = lastPrice;
    }

    /**
     * @param deadline the request's {@code deadline}, already checked at receipt by {@link #deadline}; null if none.
     *                 It travels with the ticket so that placement can refuse an order whose deadline has passed.
     */
    OrderTicket check(Map<String, String> params, Instant deadline) {
        String type = required(params, "type");
        String ordertype = required(params, "ordertype");
        String volumeText = required(params, "volume");
        String pairName = required(params, "pair");
        if (!type.equals("buy") && !type.equals("sell")) {
            throw KrakenReject.invalidArguments("type");
        }
        if (!ORDER_TYPES.contains(ordertype)) {
            throw KrakenReject.invalidArguments("ordertype");
        }
        if (ordertype.equals("settle-position")) {
            // Closes a margin position; the paper exchange has no margin positions.
            throw new KrakenReject("EOrder:Unknown position");
        }
        Integer userref = userref(params.get("userref"));
        String clOrdId = clOrdId(params.get("cl_ord_id"));
        if (userref != null && clOrdId != null) {
            // Kraken's add-order: userref and cl_ord_id are mutually exclusive.
            throw KrakenReject.invalidArguments("cl_ord_id");
        }
        String closeType = params.get("close[ordertype]");
        if (clOrdId != null && closeType != null && !closeType.isBlank()) {
            // Kraken is reported to reject cl_ord_id together with a conditional close. The error string is
            // not documented; this is the form Kraken uses for a parameter it will not take.
            throw KrakenReject.invalidArguments("cl_ord_id");
        }
        String oflags = oflags(params.get("oflags"));

        PaperPair pair = pairs.find(pairName).orElseThrow(() -> new KrakenReject("EQuery:Unknown asset pair"));
        checkMarketStatus(pair, ordertype, oflags);

        BigDecimal volume = volume(volumeText, pair);
        BigDecimal last = lastPrice.apply(pair.id());
        PriceSpec priceSpec = priceFor(params, pair, type, ordertype, last);

        if (volume.compareTo(pair.ordermin()) < 0) {
            throw new KrakenReject("EOrder:Order minimum not met");
        }
        BigDecimal costPrice = priceSpec.limit != null ? priceSpec.limit : priceSpec.trigger != null ? priceSpec.trigger : last;
        if (volume.multiply(costPrice).compareTo(pair.costmin()) < 0) {
            throw new KrakenReject("EOrder:Cost minimum not met");
        }

        String leverage = leverage(params.get("leverage"), pair, type);
        boolean reduceOnly = reduceOnly(params.get("reduce_only"), leverage);
        StringBuilder description = new StringBuilder()
                .append(type).append(' ').append(volume.setScale(pair.lotDecimals(), RoundingMode.UNNECESSARY).toPlainString())
                .append(' ').append(pair.altname()).append(" @ ").append(priceSpec.words);
        if (!leverage.equals("none")) {
            description.append(" with ").append(leverage).append(":1 leverage");
        }
        String closeDescription = closeDescription(params, pair, opposite(type), last);

        BigDecimal price = priceSpec.trigger != null ? priceSpec.trigger : priceSpec.limit;
        BigDecimal price2 = priceSpec.trigger != null ? priceSpec.limit : null;
        return new OrderTicket(pair, type, ordertype, volume, price, price2,
                leverage, reduceOnly, oflags, userref, clOrdId,
                description.toString(), closeDescription, validateOnly(params.get("validate")), deadline);
    }

    /**
     * The receipt check of {@code deadline} (Kraken's add-order: an RFC 3339 timestamp such as
     * {@code 2021-04-01T00:18:45Z}, "min now()+2 s, max now()+60 s"). Unparseable, or less than 2 s or more than 60 s
     * after {@code now}: {@code EGeneral:Invalid arguments:deadline}, and nothing is placed. Both bounds are
     * inclusive. An empty value is refused too, rather than read as "no deadline". Kraken's exact string for these
     * refusals is not documented; this is its usual form for a bad parameter
     * (https://docs.kraken.com/api/docs/guides/spot-errors).
     *
     * @param now the exchange's time when the request arrives, before any {@code addOrderLatency}
     * @return the deadline, or null when the request has none
     */
    static Instant deadline(String text, Instant now) {
        if (text == null) {
            return null;
        }
        String trimmed = text.trim();
        if (!RFC3339.matcher(trimmed).matches()) {
            throw KrakenReject.invalidArguments("deadline");
        }
        Instant deadline;
        try {
            deadline = OffsetDateTime.parse(trimmed, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            throw KrakenReject.invalidArguments("deadline"); // e.g. 2021-02-30, 24:00:00, a leap second
        }
        Duration ahead = Duration.between(now, deadline);
        if (ahead.compareTo(DEADLINE_MIN_AHEAD) < 0 || ahead.compareTo(DEADLINE_MAX_AHEAD) > 0) {
            throw KrakenReject.invalidArguments("deadline");
        }
        return deadline;
    }

    /**
     * The placement check of {@code deadline}: once {@code now} is after it, the engine rejects the request
     * (Kraken's add-order) with {@code EService:Deadline elapsed} (Kraken's error list) and places nothing. An order
     * placed with a deadline therefore always has {@code opentm} at or before it.
     *
     * @param deadline null when the request has none: nothing to check
     */
    static void requireNotElapsed(Instant deadline, Instant now) {
        if (deadline != null && now.isAfter(deadline)) {
            throw new KrakenReject("EService:Deadline elapsed");
        }
    }

    /**
     * {@code validate=true} only checks the order (Kraken's add-order). Any other value is read as a real order, as
     * a boolean parser would. Beware: Kraken once had the opposite quirk, where Kraken treated
     * {@code validate=false} as validate-only and placed nothing; the paper exchange does not reproduce that. The
     * safe client rule holds either way: omit the parameter for live orders.
     */
    private static boolean validateOnly(String validate) {
        return validate != null && validate.equalsIgnoreCase("true");
    }

    private static String required(Map<String, String> params, String name) {
        String value = params.get(name);
        if (value == null || value.isBlank()) {
            throw KrakenReject.invalidArguments(name);
        }
        return value.trim();
    }

    private static Integer userref(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(text.trim()); // int32 (Kraken's add-order)
        } catch (NumberFormatException e) {
            throw KrakenReject.invalidArguments("userref");
        }
    }

    /**
     * Long UUID, short (32 hex) UUID, or free ASCII up to 18 characters
     * (https://docs.kraken.com/api/docs/guides/spot-clordid).
     */
    private static String clOrdId(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        if (LONG_UUID.matcher(text).matches() || SHORT_UUID.matcher(text).matches()
                || FREE_TEXT_ID.matcher(text).matches()) {
            return text;
        }
        throw KrakenReject.invalidArguments("cl_ord_id");
    }

    private static String oflags(String text) {
        if (text == null || text.isBlank()) {
            return "";
        }
        for (String flag : text.split(",")) {
            // viqc (volume in quote) is refused rather than misread as a base volume.
            if (!OFLAGS.contains(flag.trim())) {
                throw KrakenReject.invalidArguments("oflags");
            }
        }
        return text;
    }

    /**
     * Pair status other than online restricts what may be sent
     * (https://docs.kraken.com/api/docs/rest-api/get-tradable-asset-pairs, {@code status}).
     */
    private static void checkMarketStatus(PaperPair pair, String ordertype, String oflags) {
        boolean allowed = switch (pair.status()) {
            case "online" -> true;
            case "post_only" -> ordertype.equals("limit") && oflags.contains("post");
            case "limit_only" -> ordertype.equals("limit");
            default -> false; // cancel_only, maintenance, reduce_only (no positions here) and anything new
        };
        if (!allowed) {
            throw new KrakenReject("EService:Market in " + pair.status() + " mode");
        }
    }

    /**
     * {@code leverage} (Kraken's add-order): absent or {@code none} for spot, else one of the pair's
     * {@code leverage_buy} / {@code leverage_sell} for the order's side (AssetPairs). Kraken's string for a leverage
     * the pair does not offer is not documented; this is its usual form for a bad parameter.
     */
    private static String leverage(String text, PaperPair pair, String type) {
        if (text == null || text.isBlank() || text.equals("none")) {
            return "none";
        }
        for (var offered : pair.row().path(type.equals("buy") ? "leverage_buy" : "leverage_sell")) {
            if (offered.asText().equals(text.trim())) {
                return text.trim();
            }
        }
        throw KrakenReject.invalidArguments("leverage");
    }

    /** {@code reduce_only} reduces a margin position: only {@code true} turns it on, and only with leverage. */
    private static boolean reduceOnly(String text, String leverage) {
        boolean on = "true".equals(text);
        if (on && leverage.equals("none")) {
            throw KrakenReject.invalidArguments("reduce_only");
        }
        return on;
    }

    /** Volume decimals are counted as written: a client that pads past lot_decimals would be refused live too. */
    private static BigDecimal volume(String text, PaperPair pair) {
        if (!DECIMAL.matcher(text).matches()) {
            throw KrakenReject.invalidArguments("volume");
        }
        BigDecimal volume = new BigDecimal(text);
        if (volume.scale() > pair.lotDecimals() || volume.signum() <= 0) {
            throw KrakenReject.invalidArguments("volume");
        }
        return volume;
    }

    /** The prices an order type takes (Kraken's add-order: price = limit or trigger, price2 = limit of *-limit). */
    private PriceSpec priceFor(Map<String, String> params, PaperPair pair, String type, String ordertype, BigDecimal last) {
        String priceText = params.get("price");
        String price2Text = params.get("price2");
        switch (ordertype) {
            case "market":
                return new PriceSpec(null, null, "market");
            case "limit":
            case "iceberg": {
                BigDecimal limit = price(requiredPrice(priceText, "price"), "price", pair, type, ordertype, last);
                return new PriceSpec(null, limit, (ordertype.equals("limit") ? "limit " : "iceberg ") + show(limit, pair));
            }
            case "stop-loss":
            case "take-profit": {
                BigDecimal trigger = price(requiredPrice(priceText, "price"), "price", pair, type, ordertype, last);
                return new PriceSpec(trigger, null, words(ordertype) + " " + show(trigger, pair));
            }
            case "stop-loss-limit":
            case "take-profit-limit": {
                BigDecimal trigger = price(requiredPrice(priceText, "price"), "price", pair, type, ordertype, last);
                BigDecimal limit = price(requiredPrice(price2Text, "price2"), "price2", pair, type, ordertype, last);
                return new PriceSpec(trigger, limit,
                        words(ordertype) + " " + show(trigger, pair) + " -> limit " + show(limit, pair));
            }
            default: { // trailing-stop, trailing-stop-limit
                String offset = requiredPrice(priceText, "price");
                // Kraken's add-order: a trailing stop's price must be relative with '+'; the direction is automatic.
                if (!offset.startsWith("+")) {
                    throw KrakenReject.invalidArguments("price");
                }
                BigDecimal trigger = price(offset, "price", pair, type, ordertype, last);
                if (ordertype.equals("trailing-stop")) {
                    return new PriceSpec(trigger, null, "trailing stop " + offset);
                }
                String limitOffset = requiredPrice(price2Text, "price2");
                // price2 of trailing-stop-limit is the '+' or '-' offset from the trigger to the limit.
                if (!limitOffset.startsWith("+") && !limitOffset.startsWith("-")) {
                    throw KrakenReject.invalidArguments("price2");
                }
                BigDecimal limit = relative(limitOffset, "price2", pair, trigger, limitOffset.charAt(0) == '+' ? 1 : -1);
                return new PriceSpec(trigger, limit, "trailing stop " + offset + " -> limit " + limitOffset);
            }
        }
    }

    private static String requiredPrice(String text, String field) {
        if (text == null || text.isBlank()) {
            throw KrakenReject.invalidArguments(field);
        }
        return text.trim();
    }

    /**
     * An absolute price is checked against pair_decimals and tick_size (AssetPairs). A relative one
     * ({@code +5}, {@code -2.5%}, {@code #1%}, Kraken's add-order) is resolved against the last price and rounded to
     * the tick: the client cannot know the resolved value, so it cannot be blamed for its decimals.
     */
    private BigDecimal price(String text, String field, PaperPair pair, String type, String ordertype, BigDecimal last) {
        char first = text.charAt(0);
        if (first == '+' || first == '-' || first == '#') {
            return relative(text, field, pair, last, direction(first, type, ordertype));
        }
        if (!DECIMAL.matcher(text).matches()) {
            throw KrakenReject.invalidArguments(field);
        }
        BigDecimal price = new BigDecimal(text);
        if (price.signum() <= 0) {
            throw KrakenReject.invalidArguments(field);
        }
        if (price.scale() > pair.pairDecimals()) {
            throw new KrakenReject("EOrder:Invalid price:" + pair.id() + " price can only be specified up to "
                    + pair.pairDecimals() + " decimals");
        }
        if (pair.tickSize().signum() > 0 && price.remainder(pair.tickSize()).signum() != 0) {
            throw new KrakenReject("EOrder:Tick size check failed");
        }
        return price;
    }

    private static BigDecimal relative(String text, String field, PaperPair pair, BigDecimal base, int direction) {
        String amount = text.substring(1);
        boolean percent = amount.endsWith("%");
        if (percent) {
            amount = amount.substring(0, amount.length() - 1);
        }
        if (!DECIMAL.matcher(amount).matches()) {
            throw KrakenReject.invalidArguments(field);
        }
        BigDecimal offset = new BigDecimal(amount);
        if (percent) {
            offset = base.multiply(offset).movePointLeft(2);
        }
        BigDecimal resolved = base.add(direction > 0 ? offset : offset.negate());
        BigDecimal tick = pair.tickSize().signum() > 0 ? pair.tickSize() : BigDecimal.ONE.movePointLeft(pair.pairDecimals());
        resolved = resolved.divide(tick, 0, RoundingMode.HALF_EVEN).multiply(tick).setScale(pair.pairDecimals(), RoundingMode.HALF_EVEN);
        if (resolved.signum() <= 0) {
            throw KrakenReject.invalidArguments(field);
        }
        return resolved;
    }

    /**
     * {@code +} adds, {@code -} subtracts; {@code #} goes the way the order type points (Kraken's add-order): above the
     * market for a buy stop and a sell take-profit or limit, below it otherwise. A trailing stop's {@code +} is
     * "direction automatic": it trails above the market for a buy, below for a sell.
     */
    private static int direction(char prefix, String type, String ordertype) {
        boolean buy = type.equals("buy");
        if (ordertype.startsWith("trailing-stop")) {
            return buy ? 1 : -1;
        }
        if (prefix == '+') {
            return 1;
        }
        if (prefix == '-') {
            return -1;
        }
        boolean stop = ordertype.startsWith("stop-loss");
        return (stop == buy) ? 1 : -1;
    }

    private String closeDescription(Map<String, String> params, PaperPair pair, String closeSide, BigDecimal last) {
        String closeType = params.get("close[ordertype]");
        if (closeType == null || closeType.isBlank()) {
            return null;
        }
        if (!CLOSE_TYPES.contains(closeType)) {
            throw KrakenReject.invalidArguments("close[ordertype]");
        }
        Map<String, String> closeParams = new java.util.HashMap<>();
        if (params.get("close[price]") != null) {
            closeParams.put("price", params.get("close[price]"));
        }
        if (params.get("close[price2]") != null) {
            closeParams.put("price2", params.get("close[price2]"));
        }
        PriceSpec spec;
        try {
            spec = priceFor(closeParams, pair, closeSide, closeType, last);
        } catch (KrakenReject e) {
            // Point at the close[] field, not the primary order's.
            String error = e.error();
            if (error.equals("EGeneral:Invalid arguments:price") || error.equals("EGeneral:Invalid arguments:price2")) {
                throw KrakenReject.invalidArguments("close[" + error.substring(error.lastIndexOf(':') + 1) + "]");
            }
            throw e;
        }
        return "close position @ " + spec.words;
    }

    private static String words(String ordertype) {
        return ordertype.startsWith("stop-loss") ? "stop loss" : "take profit";
    }

    private static String show(BigDecimal price, PaperPair pair) {
        return price.setScale(pair.pairDecimals(), RoundingMode.HALF_EVEN).toPlainString();
    }

    private static String opposite(String type) {
        return type.equals("buy") ? "sell" : "buy";
    }

    /** trigger: stop/take-profit/trailing price; limit: the limit price; words: the text after "@" in descr. */
    private record PriceSpec(BigDecimal trigger, BigDecimal limit, String words) {
    }
}
