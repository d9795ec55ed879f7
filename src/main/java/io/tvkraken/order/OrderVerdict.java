package io.tvkraken.order;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.tvkraken.alert.RefusedException;
import io.tvkraken.kraken.KrakenRefusedException;
import io.tvkraken.kraken.KrakenReply;
import io.tvkraken.kraken.KrakenUnavailableException;
import java.io.IOException;
import java.net.ConnectException;
import java.util.List;
import java.util.Locale;
import org.apache.camel.util.ObjectHelper;

/**
 * What Kraken's answer to an AddOrder, or the failure in its place, means for the alert: the one decision table of
 * the service (docs/order-lifecycle.md#what-an-answer-or-a-failure-means). The first send, a re-send after a look-up
 * and a replay all reach it through {@link OrderOutcomes}; nothing else reads an AddOrder's answer or failure.
 *
 * <p>Four verdicts: {@link Kind#PLACED}; {@link Kind#REFUSED} (nothing placed, the alert id is given up);
 * {@link Kind#IN_DOUBT} (the order may exist: it is looked up before anything is sent again); {@link Kind#NOT_PLACED}
 * (surely not placed: dead-lettered for the trader to replay or drop).
 *
 * @param kind    the verdict
 * @param reason  for IN_DOUBT and NOT_PLACED, the dead-letter reason ({@code too_late}, {@code circuit_open},
 *                {@code kraken_unavailable}, {@code internal_error}); for REFUSED the refusal's code; null for PLACED
 * @param message what happened, in words, for the journal and the trader
 * @param refusal for REFUSED, the refusal the trader is answered with
 * @param noAnswer when the call got no answer at all (a timeout, a reset, a refused connection), the Kraken error to
 *                count for it ({@code no answer: SocketTimeoutException}), since no reply was there to be counted;
 *                null otherwise
 */
public record OrderVerdict(Kind kind, String reason, String message, RefusedException refusal, String noAnswer) {

    public enum Kind { PLACED, REFUSED, IN_DOUBT, NOT_PLACED }

    static final String TOO_LATE = "too_late";
    static final String CIRCUIT_OPEN = "circuit_open";
    static final String KRAKEN_UNAVAILABLE = "kraken_unavailable";
    static final String INTERNAL_ERROR = "internal_error";

    /**
     * Kraken answered. {@code placesOrder}: the call was a real AddOrder (not {@code validate=true}), so it left and
     * reached Kraken.
     *
     * <p>Error strings are Kraken refusing the order — except two that say nothing about this order: a refusal that the
     * client order id is taken (the order may exist already: an earlier send of it arrived; Kraken documents no string
     * for it, docs/kraken.md#idempotency) and {@code EAPI:Invalid nonce} (refused before the order was looked at, but an
     * earlier send of the same order may have overtaken it, docs/replicas.md#nonces). Both are looked up first.
     */
    public static OrderVerdict ofAnswer(KrakenReply reply, boolean placesOrder) {
        if (reply.errors().isEmpty()) {
            return new OrderVerdict(Kind.PLACED, null, null, null, null);
        }
        return ofErrors(reply.errors(), placesOrder, new KrakenRefusedException("AddOrder", reply.errors()));
    }

    /**
     * No usable answer: the call failed, or something of ours refused it. {@code sent}: an AddOrder had left when it
     * happened (its journal row was {@code sending}, or the journal could not say). A refused connection or an open
     * breaker never reached Kraken; a timeout, a reset or an outage answer after sending may have placed the order.
     */
    public static OrderVerdict ofFailure(Throwable failure, boolean sent) {
        KrakenRefusedException kraken = ObjectHelper.getException(KrakenRefusedException.class, failure);
        if (kraken != null) {
            // Kraken answered with errors, thrown by a caller that reads only successful answers
            return ofErrors(kraken.details(), sent, kraken);
        }
        RefusedException refused = ObjectHelper.getException(RefusedException.class, failure);
        if (refused != null) {
            // the kill switch, a rule of ours (sizing, minimums, pair status): nothing left
            return refused(refused);
        }
        BookUnavailableException book = ObjectHelper.getException(BookUnavailableException.class, failure);
        if (book != null) {
            // the strategy's book could not be taken or settled: nothing was planned, nothing left
            return notPlaced(book.reason(), book.getMessage());
        }
        TooLateException late = ObjectHelper.getException(TooLateException.class, failure);
        if (late != null) {
            return notPlaced(TOO_LATE, late.getMessage());
        }
        if (ObjectHelper.getException(CallNotPermittedException.class, failure) != null) {
            return notPlaced(CIRCUIT_OPEN, "Kraken failed repeatedly and the circuit breaker is open: nothing was sent");
        }
        KrakenUnavailableException unavailable = ObjectHelper.getException(KrakenUnavailableException.class, failure);
        if (unavailable != null) {
            // an outage answer (5xx, EService:Unavailable/Busy) after sending: may be placed. A rate limit - ours
            // before sending, or Kraken's EAPI:Rate limit exceeded / EService:Throttled - placed nothing
            // (KrakenReply#outcomeUnknown, docs/kraken.md#error-model)
            return new OrderVerdict(sent && unavailable.outcomeUnknown() ? Kind.IN_DOUBT : Kind.NOT_PLACED,
                    KRAKEN_UNAVAILABLE, unavailable.getMessage(), null, null);
        }
        IOException io = ObjectHelper.getException(IOException.class, failure);
        if (io != null) {
            // a connection that was never opened carried nothing; a timeout or a reset after sending may have
            return new OrderVerdict(sent && !(io instanceof ConnectException) ? Kind.IN_DOUBT : Kind.NOT_PLACED,
                    KRAKEN_UNAVAILABLE, "Kraken did not answer: " + io.getClass().getSimpleName()
                            + (io.getMessage() == null ? "" : " " + io.getMessage()), null,
                    "no answer: " + io.getClass().getSimpleName());
        }
        // a failure of ours: if it happened after the AddOrder left, the order may still exist
        return new OrderVerdict(sent ? Kind.IN_DOUBT : Kind.NOT_PLACED, INTERNAL_ERROR,
                "unexpected failure: " + (failure == null ? "unknown" : failure.getClass().getName()), null, null);
    }

    /** The dead letter's reason and message, and whether it may have been placed (IN_DOUBT). */
    public DeadLetters.Failure failure() {
        return new DeadLetters.Failure(reason, message, kind == Kind.IN_DOUBT);
    }

    private static OrderVerdict ofErrors(List<String> errors, boolean placesOrder, RefusedException refusal) {
        if (placesOrder && errors.stream().anyMatch(e -> saysOrderMayExist(e) || nonceRefused(e))) {
            return new OrderVerdict(Kind.IN_DOUBT, KRAKEN_UNAVAILABLE, "Kraken AddOrder failed: "
                    + String.join(", ", errors), null, null);
        }
        return refused(refusal);
    }

    private static OrderVerdict refused(RefusedException refusal) {
        return new OrderVerdict(Kind.REFUSED, refusal.code(), refusal.getMessage(), refusal, null);
    }

    private static OrderVerdict notPlaced(String reason, String message) {
        return new OrderVerdict(Kind.NOT_PLACED, reason, message, null, null);
    }

    static boolean nonceRefused(String error) {
        return error.toLowerCase(Locale.ROOT).startsWith("eapi:invalid nonce");
    }

    static boolean saysOrderMayExist(String error) {
        String lower = error.toLowerCase(Locale.ROOT);
        return lower.contains("cl_ord_id") && !lower.startsWith("egeneral:invalid arguments")
                || lower.contains("duplicate");
    }
}
