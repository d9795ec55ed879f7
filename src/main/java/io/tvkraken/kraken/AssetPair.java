package io.tvkraken.kraken;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;

/**
 * One row of Kraken's {@code GET /0/public/AssetPairs} (docs/kraken.md#asset-pairs): what an order on the pair must
 * respect.
 *
 * @param id           the key of the row, e.g. {@code XXBTZUSD}; Kraken keys responses by it
 * @param altname      e.g. {@code XBTUSD}; accepted by AddOrder and used as {@code descr.pair}
 * @param wsname       e.g. {@code XBT/USD}, or {@code null} when the row has none
 * @param base         Kraken asset code of the base, e.g. {@code XXBT}; the key of that asset in Balance
 * @param quote        Kraken asset code of the quote, e.g. {@code ZUSD}
 * @param pairDecimals decimals of a price
 * @param lotDecimals  decimals of a volume
 * @param costDecimals decimals of a cost (quote amount)
 * @param orderMin     minimum volume, in base; zero when Kraken publishes none
 * @param costMin      minimum cost, in quote; zero when Kraken publishes none
 * @param tickSize     price increment
 * @param status       {@code online}, {@code cancel_only}, {@code post_only}, {@code limit_only} or {@code reduce_only}
 */
public record AssetPair(
        String id,
        String altname,
        String wsname,
        String base,
        String quote,
        int pairDecimals,
        int lotDecimals,
        int costDecimals,
        BigDecimal orderMin,
        BigDecimal costMin,
        BigDecimal tickSize,
        String status) {

    public static final String ONLINE = "online";

    /**
     * Reads one AssetPairs row. Fails on a row without the fields an order cannot do without; the optional ones get
     * the defaults Kraken implies.
     */
    public static AssetPair fromKraken(String id, JsonNode row) {
        int pairDecimals = required(id, row, "pair_decimals").asInt();
        return new AssetPair(
                id,
                required(id, row, "altname").asText(),
                row.hasNonNull("wsname") ? row.get("wsname").asText() : null,
                required(id, row, "base").asText(),
                required(id, row, "quote").asText(),
                pairDecimals,
                required(id, row, "lot_decimals").asInt(),
                // Older rows (the example in Kraken's API spec, docs/kraken.md#asset-pairs) have no cost_decimals; it
                // is only used to show a cost.
                row.path("cost_decimals").asInt(pairDecimals),
                // Amounts are strings in Kraken's JSON; read them as text so no binary floating point is involved.
                decimal(row, "ordermin", BigDecimal.ZERO),
                decimal(row, "costmin", BigDecimal.ZERO),
                // A price with pair_decimals decimals is what Kraken accepts when it publishes no tick_size; a zero
                // or negative tick would make every price unroundable, so it counts as none.
                positiveOr(decimal(row, "tick_size", BigDecimal.ONE.movePointLeft(pairDecimals)),
                        BigDecimal.ONE.movePointLeft(pairDecimals)),
                // Kraken's SDK notes: status is missing on ~13 % of pairs; those trade normally
                // (docs/kraken.md#asset-pairs).
                row.hasNonNull("status") ? row.get("status").asText() : ONLINE);
    }

    /** The base as a trader reads it, e.g. {@code XBT} for {@code XXBT} (see {@link #symbol(String)}). */
    public String baseSymbol() {
        return symbol(base);
    }

    /** The quote as a trader reads it, e.g. {@code USD} for {@code ZUSD}. */
    public String quoteSymbol() {
        return symbol(quote);
    }

    /**
     * An asset code without Kraken's legacy class prefix: old assets carry {@code X} (crypto) or {@code Z} (fiat) in
     * front of a 3-letter code ({@code XXBT}, {@code ZUSD}); newer ones do not ({@code USDT}, {@code DOT}), and a
     * leading X or Z is not always a prefix ({@code XTZ}, {@code XRP}) (docs/kraken.md#pair-names). So only a 4-letter
     * code starting with X or Z loses its first letter.
     */
    public static String symbol(String assetCode) {
        boolean legacy = assetCode.length() == 4 && (assetCode.charAt(0) == 'X' || assetCode.charAt(0) == 'Z');
        return legacy ? assetCode.substring(1) : assetCode;
    }

    private static BigDecimal positiveOr(BigDecimal value, BigDecimal fallback) {
        return value.signum() > 0 ? value : fallback;
    }

    private static JsonNode required(String id, JsonNode row, String field) {
        JsonNode value = row.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("AssetPairs row " + id + " has no " + field);
        }
        return value;
    }

    private static BigDecimal decimal(JsonNode row, String field, BigDecimal absent) {
        return row.hasNonNull(field) ? new BigDecimal(row.get(field).asText()) : absent;
    }
}
