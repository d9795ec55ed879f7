package io.tvkraken.journal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.Map;

/**
 * An alert that could not be carried out because Kraken was unavailable (or the breaker was open, or something
 * unexpected failed), stored durably for replay.
 *
 * @param journalEntry      the alert's row in the journal; a replay runs that row again, under the same idempotency
 *                          key (null only for letters imported from the file store of earlier versions)
 * @param mayHaveBeenPlaced true when an AddOrder left and no answer came back: Kraken may have placed the order, so
 *                          a replay looks it up before sending anything again (docs/kraken.md#resending)
 * @param order             the Kraken AddOrder parameters that were (or would have been) sent, without nonce
 * @param state             {@code pending}, or {@code replayed} once a replay has settled it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeadLetter(
        String id,
        @JsonProperty("journal_entry") Long journalEntry,
        @JsonProperty("request_id") String requestId,
        @JsonProperty("alert_id") String alertId,
        @JsonProperty("received_at") Instant receivedAt,
        String reason,
        String message,
        @JsonProperty("may_have_been_placed") boolean mayHaveBeenPlaced,
        String intent,
        Map<String, String> order,
        String body,
        String state,
        @JsonProperty("resolved_at") Instant resolvedAt,
        String resolution) {

    public static final String PENDING = "pending";
    public static final String REPLAYED = "replayed";
}
