package io.tvkraken.order;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tvkraken.alert.RefusedException;
import io.tvkraken.journal.DeadLetter;
import java.util.List;
import java.util.Map;

/**
 * How an alert ended, as its caller is told (the JSON body of every webhook answer, docs/answers.md) and as the
 * journal keeps it for duplicates. Fields that do not apply are left out. The HTTP status that goes with it is decided
 * where answers are written ({@code io.tvkraken.ops.Answers#status}), from {@link #status} and the error's code.
 *
 * @param status   one of {@code executed}, {@code validated}, {@code in_position}, {@code superseded},
 *                 {@code rejected}, {@code dead_lettered}, {@code pending}, {@code duplicate}, {@code error}
 * @param position for a target-position alert: its book, the target and what was done about it
 * @param legs     for a reversal, its close and its open leg, each as it ended
 * @param orders   for an alert for several accounts (docs/accounts.md#fan-out), each account's order as it ended
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Outcome(
        String status,
        @JsonProperty("request_id") String requestId,
        @JsonProperty("alert_id") String alertId,
        String mode,
        Order order,
        Error error,
        @JsonProperty("dead_letter_id") String deadLetterId,
        @JsonProperty("first_status") String firstStatus,
        @JsonProperty("first_request_id") String firstRequestId,
        Position position,
        List<Leg> legs,
        List<AccountOrder> orders) {

    public Outcome(String status, String requestId, String alertId, String mode, Order order, Error error,
            String deadLetterId, String firstStatus, String firstRequestId, Position position, List<Leg> legs) {
        this(status, requestId, alertId, mode, order, error, deadLetterId, firstStatus, firstRequestId, position,
                legs, null);
    }

    public static final String EXECUTED = "executed";
    public static final String VALIDATED = "validated";
    public static final String REJECTED = "rejected";
    public static final String DEAD_LETTERED = "dead_lettered";
    public static final String PENDING = "pending";
    public static final String DUPLICATE = "duplicate";
    /** A target-position alert whose book is at its target already: nothing to order. */
    public static final String IN_POSITION = "in_position";
    /** A target-position alert older than the last one applied to its book: nothing changed. */
    public static final String SUPERSEDED = "superseded";
    public static final String ERROR = "error";
    /** An alert for several accounts whose orders did not all end the same way: each is in {@link #orders}. */
    public static final String PARTIAL = "partial";
    /** The error code of an alert that could not even be journaled: the one answer a sender should resend. */
    public static final String NOT_STORED = "not_stored";

    /** The order as sent to Kraken (volume and price after rounding), Kraken's description and its txids. */
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

    /**
     * One leg of a reversal: {@code close} (to flat) or {@code open} (to the target), with its own outcome and order.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Leg(String leg, String status, @JsonProperty("alert_id") String alertId, Order order,
            Error error) {

        public static final String CLOSE = "close";
        public static final String OPEN = "open";

        static Leg of(String leg, Outcome outcome) {
            return new Leg(leg, outcome.status, outcome.alertId, outcome.order, outcome.error);
        }
    }

    /** One account's order of an alert for several: its account, its own alert id, and how it ended. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AccountOrder(String account, String status, @JsonProperty("alert_id") String alertId, Order order,
            Error error, @JsonProperty("dead_letter_id") String deadLetterId, Position position, List<Leg> legs) {

        public static AccountOrder of(String account, Outcome outcome) {
            return new AccountOrder(account, outcome.status, outcome.alertId, outcome.order, outcome.error,
                    outcome.deadLetterId, outcome.position, outcome.legs);
        }
    }

    /**
     * The answer of an alert for several accounts, each account's order decided (or pending): when they all ended the
     * same way (status and error code), that status and the first one's error, so that its HTTP status is the one a
     * single order would have had; else {@link #PARTIAL}. Every account's order is listed in {@code orders}.
     */
    public static Outcome fannedOut(AlertCase alert, String mode, List<AccountOrder> orders) {
        AccountOrder first = orders.get(0);
        boolean alike = orders.stream().allMatch(o -> o.status().equals(first.status())
                && java.util.Objects.equals(code(o.error()), code(first.error())));
        return new Outcome(alike ? first.status() : PARTIAL, alert.requestId(), alert.alertId(), mode, null,
                alike ? first.error() : null, null, null, null, null, null, List.copyOf(orders));
    }

    private static String code(Error error) {
        return error == null ? null : error.code();
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Error(String code, String message, List<String> details) {
    }

    /**
     * A target-position alert's book (docs/alerts.md#target-positions): the strategy ({@code null} for the pair's
     * default book), the pair, the book's position when the alert was planned, the target, and what was decided.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Position(String strategy, String pair, String book, String target, String message) {
    }

    /** Placed ({@code executed}) or, for {@code validate=true}, {@code validated}: nothing placed. */
    public static Outcome placed(AlertCase alert, String mode, Map<String, String> sent, String description,
            List<String> txids, boolean validate) {
        Order view = new Order(sent.get("pair"), sent.get("type"), sent.get("ordertype"), sent.get("volume"),
                sent.get("price"), description, validate ? null : txids);
        return new Outcome(validate ? VALIDATED : EXECUTED, alert.requestId(), alert.alertId(), mode, view, null, null,
                null, null, null, null);
    }

    /** Refused, by a rule of ours, the kill switch or Kraken: nothing was placed. */
    public static Outcome refused(AlertCase alert, String mode, RefusedException refusal) {
        return refused(alert.requestId(), alert.alertId(), mode, refusal);
    }

    public static Outcome refused(String requestId, String alertId, String mode, RefusedException refusal) {
        return new Outcome(REJECTED, requestId, alertId, mode, null,
                new Error(refusal.code(), refusal.getMessage(), refusal.details()), null, null, null, null, null);
    }

    /** Stored for replay: nothing is sent again without the trader. */
    public static Outcome deadLettered(AlertCase alert, String mode, DeadLetter letter) {
        return new Outcome(DEAD_LETTERED, alert.requestId(), alert.alertId(), mode, null,
                new Error(letter.reason(), letter.message(), List.of()), letter.id(), null, null, null, null);
    }

    /** Still running, or being looked up at Kraken: the outcome lands in the journal. */
    public static Outcome pending(AlertCase alert, String mode) {
        return new Outcome(PENDING, alert.requestId(), alert.alertId(), mode, null, null, null, null, null, null, null);
    }

    /** Nothing could be stored, so nothing was sent: the sender should send it again. */
    public static Outcome notStored(String requestId, String alertId, String mode, String message) {
        return new Outcome(ERROR, requestId, alertId, mode, null, new Error(NOT_STORED, message, List.of()), null,
                null, null, null, null);
    }

    /** This alert repeats {@code first}, whose outcome is repeated; nothing is sent again. */
    public Outcome asDuplicate(String requestIdOfRepeat, String alertIdOfRepeat, String firstRequest) {
        return new Outcome(DUPLICATE, requestIdOfRepeat, alertIdOfRepeat, mode, order, error, deadLetterId, status,
                firstRequest, position, legs, orders);
    }

    /** A repeat of an alert still running: pending, naming the first request. */
    public static Outcome pendingDuplicate(AlertCase alert, String mode, String firstRequest) {
        return new Outcome(PENDING, alert.requestId(), alert.alertId(), mode, null, null, null, null, firstRequest,
                null, null);
    }

    /** No order: the book is at its target ({@code in_position}) or the alert is older than the last applied. */
    public static Outcome noOrder(AlertCase alert, String mode, String status, Position position) {
        return new Outcome(status, alert.requestId(), alert.alertId(), mode, null, null, null, null, null, position, null);
    }

    /** The same outcome, with its target-position alert's book. */
    public Outcome withPosition(Position of) {
        return new Outcome(status, requestId, alertId, mode, order, error, deadLetterId, firstStatus, firstRequestId,
                of, legs);
    }

    /**
     * A reversal's answer (docs/strategies.md#reversals), once its open leg is decided: the open leg's outcome (status,
     * order, error) with both legs listed, close first, and the book as it ends.
     */
    public static Outcome reversal(Outcome close, Outcome open, Position position) {
        return new Outcome(open.status, close.requestId, close.alertId, close.mode, open.order, open.error,
                open.deadLetterId, null, null, position, List.of(Leg.of(Leg.CLOSE, close), Leg.of(Leg.OPEN, open)));
    }

    public String errorCode() {
        return error == null ? null : error.code();
    }
}
