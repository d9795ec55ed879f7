package io.tvkraken.kraken;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One call to Kraken's REST API: {@code GET /0/public/<method>?params} or {@code POST /0/private/<method>} with the
 * params form-encoded (the nonce is added when the call is signed, just before it is sent).
 */
public record KrakenCall(String method, boolean privateCall, Map<String, String> params, Long journalEntry) {

    public KrakenCall {
        params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    public static KrakenCall publicMethod(String method, Map<String, String> params) {
        return new KrakenCall(method, false, params, null);
    }

    public static KrakenCall privateMethod(String method, Map<String, String> params) {
        return new KrakenCall(method, true, params, null);
    }

    /**
     * An AddOrder for an alert in the journal: right before it leaves, the sender journals it as {@code sending}
     * (compare-and-set) with the deadline it carries.
     */
    public KrakenCall forJournalEntry(long entry) {
        return new KrakenCall(method, privateCall, params, entry);
    }

    public String path() {
        return (privateCall ? "/0/private/" : "/0/public/") + method;
    }

    /** True for the call whose outcome is unknown after a timeout or outage: it may have placed an order. */
    public boolean placesOrder() {
        return privateCall && "AddOrder".equals(method) && !"true".equals(params.get("validate"));
    }
}
