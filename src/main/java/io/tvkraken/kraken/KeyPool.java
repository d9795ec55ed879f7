package io.tvkraken.kraken;

import java.util.List;
import org.apache.camel.Body;
import org.apache.camel.Variable;

/**
 * The API keys this instance signs with, and which of them a private call goes out with (docs/kraken.md#key-pool).
 *
 * <p>Each key has its own nonce stream and its own sender route ({@code seda:kraken-private-<index>}, one consumer),
 * so the calls of one key leave strictly one at a time while N keys have N calls in flight. {@link #assign} gives a
 * private call the key with the fewest calls queued or in flight, ties going round robin; a look-up (any call but
 * AddOrder and CancelOrder, which do not count on the REST counter) first prefers the keys whose REST call counter has
 * room for it. {@link #release} ends the call's turn, whatever its outcome (route {@code kraken}, {@code doFinally}).
 *
 * <p>Which key places an order does not matter to Kraken: every key of one account sees the account's orders in
 * OpenOrders and ClosedOrders, and an order re-sent after a look-up keeps its client order id whichever key sends it.
 * Which account does: a call is assigned one of the keys of its own account ({@link KrakenCall#account()},
 * docs/accounts.md), never another account's.
 */
public class KeyPool {

    private final List<KrakenKey> keys;
    private final Accounts accounts;
    private final RateBudget budget;
    /** Calls assigned to each key and not yet released: queued for its sender, or in flight. Guarded by this. */
    private final int[] busy;
    /** Where the next round-robin search for a tie starts. Guarded by this. */
    private int next;
    /** Calls of one key in flight at once: 1, or more with a nonce window (docs/kraken.md#bursts-on-one-key). */
    private final int inFlightPerKey;

    /** Calls with a nonce window at most in flight per key. */
    public static final int IN_FLIGHT_WITH_WINDOW = 8;

    /**
     * @param keys   the keys, in the order of {@code KRAKEN_API_KEY}; key {@code i} has index {@code i}
     * @param budget Kraken's counters as this instance keeps them: the REST call counter per key
     */
    public KeyPool(List<KrakenKey> keys, RateBudget budget) {
        this(keys, budget, 1);
    }

    /** @param inFlightPerKey how many calls each key's sender route has in flight at once (its consumers) */
    public KeyPool(List<KrakenKey> keys, RateBudget budget, int inFlightPerKey) {
        this(keys, Accounts.single(Math.max(1, keys.size()), null), budget, inFlightPerKey);
    }

    /** @param accounts which keys belong to which account: every key of {@code keys} to exactly one */
    public KeyPool(List<KrakenKey> keys, Accounts accounts, RateBudget budget, int inFlightPerKey) {
        if (inFlightPerKey < 1) {
            throw new IllegalArgumentException("at least one call per key in flight");
        }
        this.inFlightPerKey = inFlightPerKey;
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("a key pool needs at least one key");
        }
        for (int i = 0; i < keys.size(); i++) {
            if (keys.get(i).index() != i) {
                throw new IllegalArgumentException("key " + i + " has index " + keys.get(i).index());
            }
        }
        if (accounts.keys() != keys.size()) {
            throw new IllegalArgumentException("the accounts own " + accounts.keys() + " keys, the pool has "
                    + keys.size());
        }
        this.keys = List.copyOf(keys);
        this.accounts = accounts;
        this.budget = budget;
        this.busy = new int[keys.size()];
    }

    /** How many calls of one key are in flight at once: its sender route's consumers. */
    public int inFlightPerKey() {
        return inFlightPerKey;
    }

    /** How many keys the pool has: as many sender routes run. */
    public int size() {
        return keys.size();
    }

    /** The key a call was assigned. */
    public KrakenKey key(int index) {
        return keys.get(index);
    }

    /**
     * The route step before a private call is counted and queued: the call with the key it goes out with. A public
     * call is returned as it is: it is not signed.
     */
    public synchronized KrakenCall assign(@Body KrakenCall call) {
        if (!call.privateCall()) {
            return call;
        }
        Accounts.Account account = accounts.find(call.account()).orElseThrow(() -> new IllegalArgumentException(
                "Kraken " + call.method() + " on an account that is not configured: " + call.account()));
        int chosen = choose(call, account);
        busy[chosen]++;
        next = chosen + 1;
        return call.withKey(chosen);
    }

    /** The call assigned to key {@code index} is done (answered, failed, or given up): null for a public call. */
    public synchronized void release(@Variable("krakenKey") Integer index) {
        if (index != null && busy[index] > 0) {
            busy[index]--;
        }
    }

    /** Whether some key has no call queued or in flight: a call assigned now would leave at once. */
    public synchronized boolean anyIdle() {
        for (int count : busy) {
            if (count == 0) {
                return true;
            }
        }
        return false;
    }

    /** Whether some key of {@code account} has no call queued or in flight. */
    public synchronized boolean anyIdle(Accounts.Account account) {
        for (int i = account.firstKey(); i <= account.lastKey(); i++) {
            if (busy[i] == 0) {
                return true;
            }
        }
        return false;
    }

    /** Which keys belong to which account. */
    public Accounts accounts() {
        return accounts;
    }

    /** Calls assigned to key {@code index} and not yet released (for tests and the status page). */
    public synchronized int busy(int index) {
        return busy[index];
    }

    private int choose(KrakenCall call, Accounts.Account account) {
        int cost = RateBudget.restCost(call);
        boolean preferRoom = cost > 0;
        boolean anyRoom = false;
        if (preferRoom) {
            for (int i = account.firstKey(); i <= account.lastKey(); i++) {
                anyRoom |= budget.restRoomFor(i, cost);
            }
        }
        int chosen = -1;
        int start = account.owns(next) ? next : account.firstKey();
        for (int step = 0; step < account.keys(); step++) {
            int i = account.firstKey() + (start - account.firstKey() + step) % account.keys();
            if (anyRoom && !budget.restRoomFor(i, cost)) {
                continue;
            }
            if (chosen < 0 || busy[i] < busy[chosen]) {
                chosen = i;
            }
        }
        return chosen;
    }
}
