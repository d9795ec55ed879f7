package io.tvkraken.order;

import io.tvkraken.alert.Refusal;
import io.tvkraken.alert.RefusedException;
import io.tvkraken.journal.DeadLetter;
import io.tvkraken.telemetry.Notice;
import java.util.List;
import java.util.Map;

/**
 * The notices of an order's outcomes and of the kill switch (docs/notifications.md#events), written from what the
 * journal keeps: the alert id, the order as sent, Kraken's error strings, the dead letter's id and reason. The alert's
 * body is never quoted.
 */
public final class OrderNotices {

    private OrderNotices() {
    }

    /** Kraken refused an order (not a validation, not a refusal of ours): nothing was placed. */
    public static Notice rejected(AlertCase alert, RefusedException refusal) {
        if (refusal.refusal() != Refusal.KRAKEN_REJECTED || !AlertCase.EXECUTE.equals(alert.intent())) {
            return null;
        }
        return Notice.of(Notice.Event.ORDER_REJECTED, Notice.Severity.WARNING, "Order rejected by Kraken",
                "alert " + alert.alertId() + ": " + String.join(", ", refusal.details().isEmpty()
                        ? List.of(refusal.getMessage()) : refusal.details()) + ". Nothing was placed.");
    }

    /**
     * An alert stored as a dead letter: an order whose AddOrder left without a clear answer and could not be looked up
     * is "outcome unknown" (critical: it may exist at Kraken), anything else "dead-lettered".
     */
    public static Notice deadLettered(AlertCase alert, DeadLetter letter, Map<String, String> order) {
        String what = "alert " + alert.alertId() + describe(order) + " is dead letter " + letter.id() + " ("
                + letter.reason() + "): " + letter.message();
        if (letter.mayHaveBeenPlaced()) {
            return Notice.of(Notice.Event.ORDER_OUTCOME_UNKNOWN, Notice.Severity.CRITICAL,
                    "Order outcome unknown: check Kraken", what + ". Its client order id at Kraken: "
                            + clientOrderId(order) + ".");
        }
        return Notice.of(Notice.Event.ALERT_DEAD_LETTERED, Notice.Severity.WARNING, "Alert dead-lettered",
                what + ". Replay it with POST /admin/dead-letters/" + letter.id() + "/replay.");
    }

    /** An order placed: its description and txids as Kraken gave them. */
    public static Notice executed(AlertCase alert, Map<String, String> sent, String description, List<String> txids) {
        return Notice.of(Notice.Event.ORDER_EXECUTED, Notice.Severity.INFO, "Order executed",
                "alert " + alert.alertId() + ": " + (description == null ? describe(sent).strip() : description)
                        + (txids == null || txids.isEmpty() ? "" : ", txid " + String.join(", ", txids)) + ".");
    }

    public static Notice killSwitch(boolean on) {
        return on
                ? Notice.of(Notice.Event.KILL_SWITCH_CHANGED, Notice.Severity.WARNING, "Trading switched ON",
                        "Trading was switched on: new orders are sent to Kraken again.")
                : Notice.of(Notice.Event.KILL_SWITCH_CHANGED, Notice.Severity.WARNING, "Trading switched OFF",
                        "Trading was switched off (kill switch): every new order is refused 423, nothing is sent to "
                                + "Kraken.");
    }

    private static String describe(Map<String, String> order) {
        if (order == null || order.get("pair") == null) {
            return "";
        }
        return " (" + order.getOrDefault("type", "?") + " " + order.getOrDefault("volume", "?") + " "
                + order.get("pair") + " " + order.getOrDefault("ordertype", "") + ")";
    }

    private static String clientOrderId(Map<String, String> order) {
        if (order == null) {
            return "unknown";
        }
        return order.getOrDefault("cl_ord_id", order.containsKey("userref") ? "userref " + order.get("userref")
                : "unknown");
    }
}
