package io.tvkraken.paper;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Request parameters as Kraken reads them: a form body, a query string, or a JSON object
 * (https://docs.kraken.com/api/docs/guides/spot-rest-auth).
 */
final class FormParams {

    private FormParams() {
    }

    /**
     * Decodes {@code application/x-www-form-urlencoded} text. Keys are decoded as well as values, because clients
     * send the conditional close both as {@code close[ordertype]} (ccxt) and as {@code close%5Bordertype%5D}
     * (Python's urlencode). A literal {@code +} decodes to a space, as form encoding says:
     * that is why clients must send {@code %2B} for relative prices like {@code +100}.
     *
     * @throws KrakenReject {@code EGeneral:Invalid arguments} on broken percent-encoding
     */
    static Map<String, String> decodeForm(String text) {
        Map<String, String> params = new LinkedHashMap<>();
        if (text == null || text.isEmpty()) {
            return params;
        }
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                params.put(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new KrakenReject("EGeneral:Invalid arguments");
            }
        }
        return params;
    }

    /**
     * A private call's body: JSON when {@code contentType} says so, a form otherwise. Kraken takes JSON bodies too
     * (https://docs.kraken.com/api/docs/guides/spot-rest-auth); the signature still covers the bytes as sent.
     */
    static Map<String, String> decodeBody(ObjectMapper json, String contentType, byte[] body) {
        if (contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            return decodeJson(json, body);
        }
        return decodeForm(new String(body, StandardCharsets.UTF_8));
    }

    /** A JSON body ({@code {"nonce":1616492376594,"pair":"XBTUSD",...}}), each value as its text. */
    static Map<String, String> decodeJson(ObjectMapper json, byte[] body) {
        Map<String, String> params = new LinkedHashMap<>();
        try {
            JsonNode root = json.readTree(body);
            if (root == null || !root.isObject()) {
                throw new KrakenReject("EGeneral:Invalid arguments");
            }
            Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                JsonNode value = field.getValue();
                params.put(field.getKey(), value.isValueNode() ? value.asText() : value.toString());
            }
            return params;
        } catch (IOException e) {
            throw new KrakenReject("EGeneral:Invalid arguments");
        }
    }
}
