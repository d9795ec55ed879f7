package io.tvkraken.journal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonRawValue;
import java.time.Instant;
import java.util.List;

/**
 * One row of the journal: an authenticated alert, what was (or would have been) sent to Kraken for it, and where it
 * stands. Served as is by {@code GET /admin/orders}.
 *
 * @param claimed      true while this row owns the alert id (the idempotency key)
 * @param orderRequest the AddOrder parameters as sent, without nonce (JSON), or null before planning
 * @param answer       the answer this alert got (JSON), replayed to duplicates
 * @param sendBy       the latest time an AddOrder for this alert may leave; every deadline is capped there
 * @param nextCheckAt  in {@code reconciling}: when the order is looked up next
 * @param inDoubtSince in {@code reconciling}: since when its outcome has been unknown
 * @param mayResend    in {@code reconciling}: it may be sent again once proven absent, while young enough
 * @param leaseOwner   the instance working the row, until {@code leaseUntil}
 * @param marketPrice  the price the service held for the alert's pair when its outcome was decided, and
 *                     {@code marketPriceAt} when that price was read (docs/journal.md#market-prices); null without one
 * @param account      for one account's order of an alert for several, that account ({@code default} included,
 *                     docs/accounts.md#fan-out); null for every other row, whose order is the default account's
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JournalEntry(
        long id,
        @JsonProperty("request_id") String requestId,
        @JsonProperty("alert_id") String alertId,
        boolean claimed,
        String intent,
        AlertState state,
        String body,
        @JsonProperty("order_request") @JsonRawValue String orderRequest,
        @JsonProperty("cl_ord_id") String clOrdId,
        Integer userref,
        int attempts,
        @JsonProperty("first_sent_at") Instant firstSentAt,
        @JsonProperty("deadline_at") Instant deadlineAt,
        List<String> txids,
        @JsonProperty("http_status") Integer httpStatus,
        @JsonRawValue String answer,
        @JsonProperty("duplicate_of") Long duplicateOf,
        @JsonProperty("received_at") Instant receivedAt,
        @JsonProperty("updated_at") Instant updatedAt,
        @JsonProperty("send_by") Instant sendBy,
        @JsonProperty("next_check_at") Instant nextCheckAt,
        @JsonProperty("in_doubt_since") Instant inDoubtSince,
        @JsonProperty("may_resend") boolean mayResend,
        @JsonProperty("lease_owner") String leaseOwner,
        @JsonProperty("lease_until") Instant leaseUntil,
        @JsonProperty("market_price") String marketPrice,
        @JsonProperty("market_price_at") Instant marketPriceAt,
        String account,
        @JsonProperty("fan_out") List<String> fanOut,
        List<Event> events) {

    /** A state the alert went through, and when. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Event(@JsonProperty("at") Instant at, String state, String detail) {
    }

    public boolean finished() {
        return state.finished();
    }

    JournalEntry withEvents(List<Event> list) {
        return new JournalEntry(id, requestId, alertId, claimed, intent, state, body, orderRequest, clOrdId, userref,
                attempts, firstSentAt, deadlineAt, txids, httpStatus, answer, duplicateOf, receivedAt, updatedAt, sendBy,
                nextCheckAt, inDoubtSince, mayResend, leaseOwner, leaseUntil, marketPrice, marketPriceAt, account, fanOut,
                list);
    }
}
