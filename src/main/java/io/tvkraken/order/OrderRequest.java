package io.tvkraken.order;

import io.tvkraken.alert.CloseOrder;
import io.tvkraken.alert.OrderType;
import io.tvkraken.alert.Price;
import io.tvkraken.alert.Side;
import io.tvkraken.kraken.AssetPair;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Objects;

/**
 * A Kraken AddOrder, sized, rounded and checked, ready to send (docs/kraken.md#addorder). Optional fields are
 * {@code null} when absent.
 *
 * @param volume        base amount, already rounded to the pair's lot decimals
 * @param price         limit or trigger price, already rounded; {@code null} for market orders
 * @param close         conditional close with rounded prices, or {@code null}
 * @param validate      true: Kraken checks the order and does not place it
 * @param estimatedCost volume × the price used for sizing, in the quote currency; for the answer and the log only,
 *                      {@code null} when no price was needed
 */
public record OrderRequest(
        AssetPair pair,
        Side side,
        OrderType orderType,
        BigDecimal volume,
        Price price,
        Price price2,
        String trigger,
        String leverage,
        boolean reduceOnly,
        boolean postOnly,
        String timeInForce,
        String expireTime,
        CloseOrder close,
        Integer userref,
        boolean validate,
        BigDecimal estimatedCost) {

    public OrderRequest {
        Objects.requireNonNull(pair, "pair");
        Objects.requireNonNull(side, "side");
        Objects.requireNonNull(orderType, "orderType");
        Objects.requireNonNull(volume, "volume");
    }

    /** The same order, to be checked by Kraken with {@code validate=true} and not placed. */
    public OrderRequest asValidation() {
        return new OrderRequest(pair, side, orderType, volume, price, price2, trigger, leverage, reduceOnly, postOnly,
                timeInForce, expireTime, close, userref, true, estimatedCost);
    }

    /** The same order, carrying {@code conditional} as its conditional close. */
    public OrderRequest withClose(CloseOrder conditional) {
        return new OrderRequest(pair, side, orderType, volume, price, price2, trigger, leverage, reduceOnly, postOnly,
                timeInForce, expireTime, conditional, userref, validate, estimatedCost);
    }

    /**
     * AddOrder's form parameters, without {@code nonce} (the client adds it when it signs), in a fixed order so that
     * the same order always gives the same body. Values are not URL-encoded: the sender must encode them, in
     * particular {@code +} as {@code %2B} (docs/kraken.md#encoding), or {@code +100} arrives as {@code " 100"}.
     */
    public LinkedHashMap<String, String> addOrderParams() {
        LinkedHashMap<String, String> params = new LinkedHashMap<>();
        // AddOrder takes the id or the altname (docs/kraken.md#pair-names); the altname is what Kraken answers with in
        // descr.
        params.put("pair", pair.altname());
        params.put("type", side.kraken());
        params.put("ordertype", orderType.kraken());
        params.put("volume", plain(volume));
        putIfPresent(params, "price", price);
        putIfPresent(params, "price2", price2);
        putIfPresent(params, "trigger", trigger);
        putIfPresent(params, "leverage", leverage);
        if (reduceOnly) {
            params.put("reduce_only", "true");
        }
        if (postOnly) {
            params.put("oflags", "post");
        }
        putIfPresent(params, "timeinforce", timeInForce);
        putIfPresent(params, "expiretm", expireTime);
        if (close != null) {
            params.put("close[ordertype]", close.orderType().kraken());
            putIfPresent(params, "close[price]", close.price());
            putIfPresent(params, "close[price2]", close.price2());
        }
        if (userref != null) {
            params.put("userref", userref.toString());
        }
        // Never validate=false: historically Kraken read any validate parameter as "validate only", so a live order
        // must omit it (docs/kraken.md#validate-only).
        if (validate) {
            params.put("validate", "true");
        }
        return params;
    }

    /** {@code 0.12345000} → {@code 0.12345}, never an exponent ({@code 1E+1}), which Kraken would not read. */
    public static String plain(BigDecimal amount) {
        return amount.stripTrailingZeros().toPlainString();
    }

    private static void putIfPresent(LinkedHashMap<String, String> params, String key, Object value) {
        if (value == null) {
            return;
        }
        String text = value instanceof Price p ? p.kraken() : value.toString();
        if (!text.isBlank()) {
            params.put(key, text);
        }
    }
}
