package io.tvkraken.journal;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;

/** Where a journaled alert stands (docs/order-lifecycle.md). Stored, answered and logged in lower case. */
public enum AlertState {
    /** Journaled, nothing sent yet. */
    RECEIVED,
    /** An AddOrder is leaving (or left): from here on the order may exist at Kraken. */
    SENDING,
    /** The AddOrder got no clear answer; the order is being looked up before anything is sent again. */
    RECONCILING,
    EXECUTED,
    VALIDATED,
    /**
     * An alert for several accounts (docs/accounts.md#fan-out): it places nothing itself; each account's order is a
     * row of its own under it, and its answer lists them all.
     */
    FANNED_OUT,
    /** A target-position alert whose book was at its target: nothing to order. */
    IN_POSITION,
    /** A target-position alert older than the last one applied to its book: nothing done. */
    SUPERSEDED,
    /** Refused, by us or by Kraken: nothing was placed. */
    REJECTED,
    /** A repeat of an alert seen before ({@code duplicate_of}); nothing was done. */
    DUPLICATE,
    /** Could not be carried out; kept in the dead-letter store for replay. */
    DEAD_LETTERED;

    /** {@code dead_lettered}: as stored in the journal's {@code state} column. */
    @JsonValue
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Nothing more happens to the alert on its own. */
    public boolean finished() {
        return this != RECEIVED && this != SENDING && this != RECONCILING;
    }

    public static AlertState of(String value) {
        return Arrays.stream(values()).filter(s -> s.value().equals(value)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no alert state " + value));
    }

    /** The stored value, so that a state can be written into SQL and log lines as it is stored. */
    @Override
    public String toString() {
        return value();
    }
}
