package io.tvkraken.ops;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The JSON body of every webhook answer (SPEC §4 "Answers"); fields that do not apply are left out.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Answer(
        String status,
        @JsonProperty("request_id") String requestId,
        @JsonProperty("alert_id") String alertId,
        String mode,
        Order order,
        Error error,
        @JsonProperty("dead_letter_id") String deadLetterId,
        @JsonProperty("first_status") String firstStatus,
        @JsonProperty("first_request_id") String firstRequestId) {

    public Answer(String status, String requestId, String alertId, String mode, Order order, Error error,
            String deadLetterId) {
        this(status, requestId, alertId, mode, order, error, deadLetterId, null, null);
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Order(
            String pair,
            String side,
            @JsonProperty("order_type") String orderType,
            String volume,
            String price,
            String description,
            List<String> txid) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Error(String code, String message, List<String> details) {
    }
}
