package io.tvkraken.deadletter;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * An alert that could not be carried out because Kraken was unavailable (or the breaker was open, or something
 * unexpected failed), stored durably for replay.
 *
 * @param mayHaveBeenPlaced true when an AddOrder left and no answer came back: Kraken may have placed the order, so
 *                          a replay must look it up before sending anything again (kraken-rest.md §9)
 * @param order             the Kraken AddOrder parameters that were (or would have been) sent, without nonce
 */
public record DeadLetter(
        String id,
        @JsonProperty("request_id") String requestId,
        @JsonProperty("alert_id") String alertId,
        @JsonProperty("received_at") String receivedAt,
        String reason,
        String message,
        @JsonProperty("may_have_been_placed") boolean mayHaveBeenPlaced,
        String intent,
        Map<String, String> order,
        String body) {
}
