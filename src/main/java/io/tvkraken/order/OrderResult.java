package io.tvkraken.order;

import io.tvkraken.kraken.KrakenReply;
import java.util.ArrayList;

import java.util.List;
import java.util.Map;

/**
 * What Kraken said about an AddOrder: the parameters sent (without nonce), its description and the transaction ids
 * (none for {@code validate=true}).
 */
public record OrderResult(Map<String, String> sent, String description, List<String> txids, boolean validate) {

    /** An AddOrder success envelope: its {@code txid} list and {@code descr} (with the close order's, if any). */
    public static OrderResult of(Map<String, String> sent, KrakenReply reply, boolean validate) {
        List<String> txids = new ArrayList<>();
        reply.result().path("txid").forEach(t -> txids.add(t.asText()));
        var descr = reply.result().path("descr");
        String description = descr.path("order").asText(null);
        if (descr.hasNonNull("close")) {
            description = description + "; " + descr.path("close").asText();
        }
        return new OrderResult(sent, description, List.copyOf(txids), validate);
    }
}
