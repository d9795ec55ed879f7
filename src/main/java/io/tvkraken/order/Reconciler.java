package io.tvkraken.order;

import com.fasterxml.jackson.databind.JsonNode;
import io.tvkraken.Settings;
import io.tvkraken.kraken.KrakenApi;
import io.tvkraken.kraken.KrakenReply;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds out whether an AddOrder that got no clear answer was placed (kraken-rest.md §9): {@code OpenOrders} filtered
 * by the order's client id, then {@code ClosedOrders}; "absent" counts as proof only once the order's
 * {@code deadline} has passed (plus a grace for clock skew and for orders that show up late), because until then
 * Kraken's engine may still accept it.
 */
public class Reconciler {

    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

    public enum Verdict { FOUND, ABSENT, UNKNOWN }

    /**
     * @param txids       the orders found (FOUND)
     * @param description Kraken's description of the order found
     * @param detail      what was asked and answered, for the journal
     */
    public record Finding(Verdict verdict, List<String> txids, String description, String detail) {
    }

    private final KrakenApi kraken;
    private final Clock clock;
    private final Settings.Orders settings;

    public Reconciler(KrakenApi kraken, Clock clock, Settings.Orders settings) {
        this.kraken = kraken;
        this.clock = clock;
        this.settings = settings;
    }

    /**
     * Polls until the order is found, or proven absent after {@code deadline} + grace, or Kraken could not be asked
     * for {@code reconcile.give-up-seconds}.
     */
    public Finding settle(Map<String, String> sent, Instant firstSentAt, Instant deadline) {
        Instant giveUp = clock.instant().plusSeconds(settings.reconcileGiveUpSeconds());
        Instant provenAfter = deadline.plusMillis(settings.reconcileGraceMs());
        while (true) {
            Finding finding = lookUp(sent, firstSentAt);
            Instant now = clock.instant();
            if (finding.verdict() == Verdict.FOUND) {
                return finding;
            }
            if (finding.verdict() == Verdict.ABSENT && !now.isBefore(provenAfter)) {
                return finding;
            }
            if (finding.verdict() == Verdict.UNKNOWN && now.isAfter(giveUp)) {
                return finding;
            }
            if (!pause(Duration.ofMillis(settings.reconcilePollMs()))) {
                return new Finding(Verdict.UNKNOWN, List.of(), null, "interrupted while reconciling");
            }
        }
    }

    /** One look: OpenOrders, then ClosedOrders, both filtered by the order's tag. */
    public Finding lookUp(Map<String, String> sent, Instant firstSentAt) {
        Map<String, String> filter = new LinkedHashMap<>();
        String clOrdId = sent.get("cl_ord_id");
        if (clOrdId != null) {
            filter.put("cl_ord_id", clOrdId);
        } else {
            filter.put("userref", sent.get("userref"));
        }
        try {
            List<String> txids = new ArrayList<>();
            String description = matching(kraken.privateCall("OpenOrders", filter), "open", sent, firstSentAt, txids);
            if (txids.isEmpty()) {
                Map<String, String> closed = new LinkedHashMap<>(filter);
                // Closed orders are many; those opened well before our first send cannot be ours.
                closed.put("start", Long.toString(firstSentAt.minusSeconds(60).getEpochSecond()));
                description = matching(kraken.privateCall("ClosedOrders", closed), "closed", sent, firstSentAt,
                        txids);
            }
            String asked = clOrdId != null ? "cl_ord_id " + clOrdId : "userref " + sent.get("userref");
            if (txids.isEmpty()) {
                return new Finding(Verdict.ABSENT, List.of(), null, "not in OpenOrders or ClosedOrders by " + asked);
            }
            LOG.info("order found at Kraken by {}: {} {}", asked, txids, description);
            return new Finding(Verdict.FOUND, List.copyOf(txids), description, "found by " + asked + ": " + txids);
        } catch (RuntimeException e) {
            LOG.warn("order look-up failed: {}", e.getMessage());
            return new Finding(Verdict.UNKNOWN, List.of(), null, "look-up failed: " + e.getMessage());
        }
    }

    /** Adds the txids of the orders in {@code result.<key>} that are this order; returns the first one's description. */
    private static String matching(KrakenReply reply, String key, Map<String, String> sent, Instant firstSentAt,
            List<String> txids) {
        String description = null;
        var orders = reply.result().path(key).fields();
        while (orders.hasNext()) {
            var entry = orders.next();
            if (isThisOrder(entry.getValue(), sent, firstSentAt)) {
                txids.add(entry.getKey());
                if (description == null) {
                    description = entry.getValue().path("descr").path("order").asText(null);
                }
            }
        }
        return description;
    }

    /**
     * A cl_ord_id is unique among open orders and names this alert alone. A userref is not unique: the order must
     * also have this pair, side, type and volume, and have been opened around or after the first send.
     */
    static boolean isThisOrder(JsonNode order, Map<String, String> sent, Instant firstSentAt) {
        String clOrdId = sent.get("cl_ord_id");
        if (clOrdId != null) {
            return clOrdId.equals(order.path("cl_ord_id").asText(null));
        }
        JsonNode descr = order.path("descr");
        return sent.get("userref").equals(order.path("userref").asText())
                && sent.get("pair").equalsIgnoreCase(descr.path("pair").asText())
                && sent.get("type").equals(descr.path("type").asText())
                && sent.get("ordertype").equals(descr.path("ordertype").asText())
                && sameAmount(sent.get("volume"), order.path("vol").asText(null))
                && order.path("opentm").asDouble(0) >= firstSentAt.minusSeconds(5).getEpochSecond();
    }

    private static boolean sameAmount(String a, String b) {
        try {
            return a != null && b != null && new BigDecimal(a).compareTo(new BigDecimal(b)) == 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
