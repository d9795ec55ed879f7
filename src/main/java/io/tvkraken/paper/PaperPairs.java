package io.tvkraken.paper;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The pairs the paper exchange trades: the rows of an AssetPairs response (default {@code paper/asset-pairs.json}), found by id or altname. */
final class PaperPairs {

    private final byte[] rawResponse;
    private final Map<String, PaperPair> byId = new LinkedHashMap<>();
    private final Map<String, PaperPair> byAltname = new LinkedHashMap<>();

    private PaperPairs(byte[] rawResponse, JsonNode response) {
        this.rawResponse = rawResponse;
        Iterator<Map.Entry<String, JsonNode>> rows = response.path("result").fields();
        while (rows.hasNext()) {
            Map.Entry<String, JsonNode> row = rows.next();
            PaperPair pair = PaperPair.of(row.getKey(), row.getValue());
            byId.put(pair.id(), pair);
            byAltname.put(pair.altname(), pair);
        }
    }

    static PaperPairs load(ObjectMapper json, String resource) {
        try (InputStream in = PaperPairs.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the class path");
            }
            byte[] raw = in.readAllBytes();
            return new PaperPairs(raw, json.readTree(raw));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    /**
     * Kraken takes a pair's id or its altname (https://docs.kraken.com/api/docs/rest-api/get-tradable-asset-pairs).
     * Other spellings ({@code BTC/USD}, {@code BTCUSD})
     * are not documented as accepted, so the paper exchange refuses them: an application that relies on them
     * would fail on the live exchange.
     */
    Optional<PaperPair> find(String name) {
        PaperPair pair = byId.get(name);
        return pair != null ? Optional.of(pair) : Optional.ofNullable(byAltname.get(name));
    }

    Collection<PaperPair> all() {
        return byId.values();
    }

    /** The fixture's bytes, the whole AssetPairs response, served unchanged when no pair is asked for. */
    byte[] rawResponse() {
        return rawResponse.clone();
    }
}
