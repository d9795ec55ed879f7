package io.tvkraken.kraken;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;

/** The paper exchange's AssetPairs response ({@code /paper/asset-pairs.json}), as tests read it. */
public final class AssetPairsFixture {

    private static final JsonNode RESULT = read();
    private static final PairCatalog CATALOG = PairCatalog.fromAssetPairsResult(RESULT);

    private AssetPairsFixture() {
    }

    public static JsonNode result() {
        return RESULT;
    }

    public static PairCatalog catalog() {
        return CATALOG;
    }

    /** The pair with this Kraken id, e.g. {@code XXBTZUSD}. */
    public static AssetPair pair(String id) {
        return CATALOG.pairs().stream().filter(p -> p.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no pair " + id + " in the fixture"));
    }

    public static AssetPair withStatus(AssetPair p, String status) {
        return new AssetPair(p.id(), p.altname(), p.wsname(), p.base(), p.quote(), p.pairDecimals(), p.lotDecimals(),
                p.costDecimals(), p.orderMin(), p.costMin(), p.tickSize(), status);
    }

    public static AssetPair withMinimums(AssetPair p, BigDecimal orderMin, BigDecimal costMin) {
        return new AssetPair(p.id(), p.altname(), p.wsname(), p.base(), p.quote(), p.pairDecimals(), p.lotDecimals(),
                p.costDecimals(), orderMin, costMin, p.tickSize(), p.status());
    }

    public static AssetPair withTickSize(AssetPair p, BigDecimal tickSize) {
        return new AssetPair(p.id(), p.altname(), p.wsname(), p.base(), p.quote(), p.pairDecimals(), p.lotDecimals(),
                p.costDecimals(), p.orderMin(), p.costMin(), tickSize, p.status());
    }

    private static JsonNode read() {
        try (InputStream in = AssetPairsFixture.class.getResourceAsStream("/paper/asset-pairs.json")) {
            if (in == null) {
                throw new IllegalStateException("/paper/asset-pairs.json is not on the class path");
            }
            return new ObjectMapper().readTree(in).get("result");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
