package io.tvkraken.paper;

import java.math.BigDecimal;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The exchange's state: balances, prices, orders and the last nonce per key. Every method holds the one lock
 * ({@code this}) for its whole read-check-write, so concurrent requests see each state change whole; no I/O is done
 * under it.
 *
 * <p>Resting orders reserve nothing and never fill: the paper exchange has no order book. Only market orders
 * trade, at the configured price, in full, without fees.
 */
final class PaperAccount {

    private static final char[] TXID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();

    private final Map<String, BigDecimal> balances;
    private final Map<String, BigDecimal> prices;
    private final Map<String, PaperOrder> orders = new LinkedHashMap<>();
    private final Map<String, Long> lastNonce = new HashMap<>();
    private final String duplicateClOrdIdError;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    PaperAccount(PaperConfig config, Clock clock) {
        this.balances = new LinkedHashMap<>(config.balances());
        this.prices = new HashMap<>(config.prices());
        this.duplicateClOrdIdError = config.duplicateClOrdIdError();
        this.clock = clock;
    }

    /**
     * docs/kraken.md#nonces: the nonce must be strictly greater than the last one accepted for the key (an unsigned
     * 64-bit integer), else {@code EAPI:Invalid nonce}. Check and update are one step, and a refused nonce leaves the
     * counter where it was, so a late duplicate cannot push the next honest request out.
     */
    synchronized boolean acceptNonce(String apiKey, long nonce) {
        Long last = lastNonce.get(apiKey);
        if (last != null && Long.compareUnsigned(nonce, last) <= 0) {
            return false;
        }
        lastNonce.put(apiKey, nonce);
        return true;
    }

    synchronized BigDecimal price(String pairId) {
        BigDecimal price = prices.get(pairId);
        if (price == null) {
            // A pair with no configured price cannot fill or resolve a relative price; say so in Kraken's words.
            throw new KrakenReject("EGeneral:Internal error:no paper price for " + pairId);
        }
        return price;
    }

    synchronized BigDecimal priceOrNull(String pairId) {
        return prices.get(pairId);
    }

    synchronized void setPrice(String pairId, BigDecimal price) {
        prices.put(pairId, price);
    }

    synchronized Map<String, BigDecimal> balances() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(balances));
    }

    synchronized List<PaperOrder> orders() {
        return List.copyOf(orders.values());
    }

    /**
     * Places a checked order. A request whose {@code deadline} has passed is refused first
     * ({@code EService:Deadline elapsed}, docs/kraken.md#deadline), judged by the same instant that would become the
     * order's {@code opentm}. A market order fills at once at the current price or, if the account cannot pay
     * ({@code EOrder:Insufficient funds}), changes nothing. Anything else rests as open.
     */
    synchronized PaperOrder place(OrderTicket ticket) {
        Instant now = clock.instant();
        AddOrderRules.requireNotElapsed(ticket.deadline(), now);
        if (ticket.clOrdId() != null && orders.values().stream()
                .anyMatch(o -> o.isOpen() && ticket.clOrdId().equals(o.clOrdId()))) {
            // docs/kraken.md#client-order-ids: cl_ord_id is unique among OPEN orders only; Kraken's string is
            // undocumented (docs/kraken.md#error-model).
            throw new KrakenReject(duplicateClOrdIdError);
        }
        String txid = newTxid();
        PaperPair pair = ticket.pair();
        PaperOrder order;
        if (ticket.isMarket()) {
            BigDecimal fillPrice = price(pair.id());
            BigDecimal cost = ticket.volume().multiply(fillPrice);
            boolean buy = ticket.type().equals("buy");
            String payAsset = buy ? pair.quote() : pair.base();
            BigDecimal payAmount = buy ? cost : ticket.volume();
            if (balance(payAsset).compareTo(payAmount) < 0) {
                throw new KrakenReject("EOrder:Insufficient funds");
            }
            String getAsset = buy ? pair.base() : pair.quote();
            BigDecimal getAmount = buy ? ticket.volume() : cost;
            balances.put(payAsset, balance(payAsset).subtract(payAmount));
            balances.put(getAsset, balance(getAsset).add(getAmount));
            order = new PaperOrder(txid, pair.id(), pair.altname(), ticket.type(), ticket.ordertype(), ticket.volume(),
                    null, null, ticket.leverage(), ticket.oflags(), ticket.userref(), ticket.clOrdId(), PaperOrder.CLOSED,
                    now, now, ticket.volume(), cost, BigDecimal.ZERO, fillPrice, ticket.description(),
                    ticket.closeDescription());
        } else {
            order = new PaperOrder(txid, pair.id(), pair.altname(), ticket.type(), ticket.ordertype(), ticket.volume(),
                    ticket.price(), ticket.price2(), ticket.leverage(), ticket.oflags(), ticket.userref(),
                    ticket.clOrdId(), PaperOrder.OPEN, now, null, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, null,
                    ticket.description(), ticket.closeDescription());
        }
        orders.put(txid, order);
        return order;
    }

    synchronized List<PaperOrder> find(Predicate<PaperOrder> filter) {
        return orders.values().stream().filter(filter).toList();
    }

    /** @return the orders asked for, in the order asked; {@code EOrder:Invalid order} if one is unknown */
    synchronized List<PaperOrder> query(List<String> txids) {
        List<PaperOrder> found = new ArrayList<>();
        for (String txid : txids) {
            PaperOrder order = orders.get(txid);
            if (order == null) {
                throw new KrakenReject("EOrder:Invalid order");
            }
            found.add(order);
        }
        return found;
    }

    /**
     * Cancels every open order that matches; {@code EOrder:Unknown order} when none does
     * (docs/kraken.md#finding-an-order).
     */
    synchronized int cancel(Predicate<PaperOrder> which) {
        Instant now = clock.instant();
        int count = 0;
        for (Map.Entry<String, PaperOrder> entry : orders.entrySet()) {
            if (entry.getValue().isOpen() && which.test(entry.getValue())) {
                entry.setValue(entry.getValue().canceled(now));
                count++;
            }
        }
        if (count == 0) {
            throw new KrakenReject("EOrder:Unknown order");
        }
        return count;
    }

    synchronized int cancelAll() {
        Instant now = clock.instant();
        int count = 0;
        for (Map.Entry<String, PaperOrder> entry : orders.entrySet()) {
            if (entry.getValue().isOpen()) {
                entry.setValue(entry.getValue().canceled(now));
                count++;
            }
        }
        return count;
    }

    private BigDecimal balance(String asset) {
        return balances.getOrDefault(asset, BigDecimal.ZERO);
    }

    /** Kraken's shape, e.g. {@code OU22CG-KLAF2-FWUDD7}: an O, then 5, 5 and 6 capitals or digits. */
    private String newTxid() {
        String txid;
        do {
            txid = "O" + chunk(5) + "-" + chunk(5) + "-" + chunk(6);
        } while (orders.containsKey(txid));
        return txid;
    }

    private String chunk(int length) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = TXID_ALPHABET[random.nextInt(TXID_ALPHABET.length)];
        }
        return new String(chars);
    }

    static final Set<String> CLOSED_STATES = Set.of(PaperOrder.CLOSED, PaperOrder.CANCELED, "expired");
}
