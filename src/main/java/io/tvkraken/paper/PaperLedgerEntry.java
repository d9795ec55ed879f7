package io.tvkraken.paper;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One change of one asset's balance, as Ledgers lists it (https://docs.kraken.com/api/docs/rest-api/get-ledgers): a
 * spot trade makes two (the base and the quote), a margin position's close one (its profit or loss in the quote).
 *
 * @param refid   the trade that made it; for a margin close, the order that closed the position
 * @param type    {@code trade} or {@code margin}
 * @param balance the asset's balance after it
 */
record PaperLedgerEntry(String id, String refid, Instant time, String type, String asset, BigDecimal amount,
        BigDecimal fee, BigDecimal balance) {
}
