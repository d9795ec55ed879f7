package io.tvkraken.order;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.UUID;

/**
 * How an order is tagged at Kraken so that it can be found again after an ambiguous failure
 * (docs/operations.md#guarantees, docs/kraken.md#client-order-ids, docs/kraken.md#idempotency). Derived from the alert
 * id alone, so that the same alert always gets the same tag: in this process, after a restart, and in another instance.
 *
 * <ul>
 *   <li>{@code cl_ord_id}: a name-based UUID of the alert id. Kraken refuses it together with {@code userref} and with
 *       a conditional close, so it is used only when neither is present.</li>
 *   <li>{@code userref}: the trader's own (it tags a strategy and is kept), or, for an order with a conditional close,
 *       a positive int32 derived from the alert id. A userref is not unique at Kraken, so a look-up by userref also
 *       matches the order's pair, side, type and volume.</li>
 * </ul>
 *
 * @param clOrdId the client order id sent, or null when the order is tagged by userref
 * @param userref the userref sent, or null
 */
public record ClientOrderId(String clOrdId, Integer userref) {

    public static ClientOrderId forOrder(String alertId, Map<String, String> addOrderParams) {
        String given = addOrderParams.get("userref");
        if (given != null) {
            return new ClientOrderId(null, Integer.valueOf(given));
        }
        if (addOrderParams.containsKey("close[ordertype]")) {
            return new ClientOrderId(null, derivedUserref(alertId));
        }
        return new ClientOrderId(clOrdId(alertId), null);
    }

    /** Adds the tag to AddOrder's parameters. */
    public void applyTo(Map<String, String> addOrderParams) {
        if (clOrdId != null) {
            addOrderParams.put("cl_ord_id", clOrdId);
        } else {
            addOrderParams.put("userref", userref.toString());
        }
    }

    /** A long-form UUID, one of the three shapes Kraken accepts for cl_ord_id. */
    public static String clOrdId(String alertId) {
        return UUID.nameUUIDFromBytes(("tradingview-kraken-webhook:" + alertId).getBytes(StandardCharsets.UTF_8))
                .toString();
    }

    /** 1 … 2^31-1 from the alert id's SHA-256 (0 is what Kraken reports for "no userref"). */
    static int derivedUserref(String alertId) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(alertId.getBytes(StandardCharsets.UTF_8));
            int value = ((hash[0] & 0x7f) << 24) | ((hash[1] & 0xff) << 16) | ((hash[2] & 0xff) << 8) | (hash[3] & 0xff);
            return value == 0 ? 1 : value;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
