package io.tvkraken.kraken;

import io.tvkraken.telemetry.RequestLog;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One call to Kraken's REST API: {@code GET /0/public/<method>?params} or {@code POST /0/private/<method>} with the
 * params form-encoded (the nonce is added when the call is signed, just before it is sent).
 *
 * @param journalEntry for an AddOrder that places an alert's order: its journal row, which the sender marks
 *                     {@code sending} right before it leaves
 * @param log          the logging context of the request it is made for, if any (request id, alert id, and for an
 *                     order its pair and side): Kraken's log lines carry it on the sender's thread too
 * @param keyIndex     for a private call, the API key of the pool that signs and sends it ({@link KeyPool}); null
 *                     until the pool has assigned one (docs/kraken.md#key-pool)
 * @param orders       for an {@code AddOrderBatch}, the AddOrder calls it carries, each with its own journal row
 *                     (docs/kraken.md#bursts-on-one-key); null for every other call
 * @param account      the Kraken account a private call is made on ({@link Accounts}): null for the default account
 *                     (docs/accounts.md)
 */
public record KrakenCall(String method, boolean privateCall, Map<String, String> params, Long journalEntry,
        RequestLog.Context log, Integer keyIndex, List<KrakenCall> orders, String account) {

    public static final String ADD_ORDER_BATCH = "AddOrderBatch";

    public KrakenCall {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        orders = orders == null ? null : List.copyOf(orders);
        account = Accounts.stored(account);
    }

    public KrakenCall(String method, boolean privateCall, Map<String, String> params, Long journalEntry,
            RequestLog.Context log, Integer keyIndex) {
        this(method, privateCall, params, journalEntry, log, keyIndex, null, null);
    }

    /**
     * One AddOrderBatch for {@code orders}, AddOrders of one pair assigned to the same key: {@code pair} and
     * {@code deadline} are the batch's, everything else each order's own.
     */
    public static KrakenCall batchOf(List<KrakenCall> orders, String deadline) {
        KrakenCall first = orders.get(0);
        Map<String, String> params = new LinkedHashMap<>();
        params.put("pair", first.params().get("pair"));
        params.put("deadline", deadline);
        return new KrakenCall(ADD_ORDER_BATCH, true, params, null, first.log(), first.keyIndex(), orders,
                first.account());
    }

    /** An AddOrderBatch: its {@link #orders()} leave together. */
    public boolean batch() {
        return orders != null;
    }

    public static KrakenCall publicMethod(String method, Map<String, String> params) {
        return new KrakenCall(method, false, params, null, null, null);
    }

    public static KrakenCall privateMethod(String method, Map<String, String> params) {
        return new KrakenCall(method, true, params, null, null, null);
    }

    /**
     * An AddOrder for an alert in the journal: right before it leaves, the sender journals it as {@code sending}
     * (compare-and-set) with the deadline it carries.
     */
    public KrakenCall forJournalEntry(long entry) {
        return new KrakenCall(method, privateCall, params, entry, log, keyIndex, orders, account);
    }

    /** Made for a request: its lines are logged under {@code context}, on whichever thread sends it. */
    public KrakenCall loggedAs(RequestLog.Context context) {
        return new KrakenCall(method, privateCall, params, journalEntry, context, keyIndex, orders, account);
    }

    public KrakenCall withParams(Map<String, String> changed) {
        return new KrakenCall(method, privateCall, changed, journalEntry, log, keyIndex, orders, account);
    }

    /** The same call, to be signed and sent with the pool's key {@code index} (its own nonces, its own sender). */
    public KrakenCall withKey(int index) {
        return new KrakenCall(method, privateCall, params, journalEntry, log, index, orders, account);
    }

    /** The same call, made on Kraken account {@code name} (null or {@link Accounts#DEFAULT}: the default one). */
    public KrakenCall onAccount(String name) {
        return new KrakenCall(method, privateCall, params, journalEntry, log, keyIndex, orders, name);
    }

    /** The account's name as routes use it: {@link Accounts#DEFAULT} for the default account. */
    public String accountName() {
        return account == null ? Accounts.DEFAULT : account;
    }

    public String path() {
        return (privateCall ? "/0/private/" : "/0/public/") + method;
    }

    /** True for the call whose outcome is unknown after a timeout or outage: it may have placed an order. */
    public boolean placesOrder() {
        return privateCall && ("AddOrder".equals(method) || ADD_ORDER_BATCH.equals(method))
                && !"true".equals(params.get("validate"));
    }
}
