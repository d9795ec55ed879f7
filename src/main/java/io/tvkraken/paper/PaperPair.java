package io.tvkraken.paper;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;

/**
 * The trading rules of one row of Kraken's AssetPairs that AddOrder enforces
 * (https://docs.kraken.com/api/docs/rest-api/get-tradable-asset-pairs).
 *
 * @param id            the pair id, the key of every response ({@code XXBTZUSD})
 * @param altname       the name orders describe themselves with ({@code XBTUSD})
 * @param pairDecimals  price decimals
 * @param lotDecimals   volume decimals
 * @param costDecimals  decimals of an order's cost
 * @param ordermin      minimum volume, in base
 * @param costmin       minimum cost, in quote
 * @param tickSize      price increment
 * @param status        {@code online}, {@code cancel_only}, {@code post_only}, {@code limit_only}, {@code reduce_only};
 *                      Kraken omits it on some pairs, read as online
 * @param row           the row as served, so AssetPairs answers with the fixture unchanged
 */
record PaperPair(String id, String altname, String base, String quote, int pairDecimals, int lotDecimals,
                 int costDecimals, BigDecimal ordermin, BigDecimal costmin, BigDecimal tickSize, String status,
                 JsonNode row) {

    static PaperPair of(String id, JsonNode row) {
        return new PaperPair(id,
                row.path("altname").asText(id),
                row.path("base").asText(),
                row.path("quote").asText(),
                row.path("pair_decimals").asInt(),
                row.path("lot_decimals").asInt(),
                row.path("cost_decimals").asInt(),
                new BigDecimal(row.path("ordermin").asText("0")),
                new BigDecimal(row.path("costmin").asText("0")),
                new BigDecimal(row.path("tick_size").asText("0")),
                row.path("status").asText("online"),
                row);
    }
}
