package io.tvkraken.kraken;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The Kraken accounts this service trades on (docs/accounts.md): the default account of {@code KRAKEN_API_KEY}, and
 * the named accounts of {@code KRAKEN_ACCOUNTS}, each with its own API keys. The keys of every account make one list,
 * numbered from 0: an account owns the consecutive keys {@link Account#firstKey()} to {@link Account#lastKey()}, each
 * with its own nonce stream, its own REST call counter and its own sender route, exactly as the keys of one account
 * always had. What an account has of its own besides its keys - its circuit breakers, its pair trading counters, its
 * balances, its orders - is looked up by its name.
 */
public final class Accounts {

    /** The account of {@code KRAKEN_API_KEY}, which an alert that names none trades on. */
    public static final String DEFAULT = "default";

    /** An account's name: lower case, as alerts, metrics and the journal spell it, and short. */
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    /**
     * One account.
     *
     * @param name     {@link #DEFAULT} or a name of {@code KRAKEN_ACCOUNTS}
     * @param firstKey its first key's index in the list of every account's keys
     * @param keys     how many keys it has (1 or more)
     * @param baseUrl  where its private calls go: Kraken's API, or in paper mode its own paper exchange
     */
    public record Account(String name, int firstKey, int keys, String baseUrl) {

        public Account {
            if (keys < 1) {
                throw new IllegalArgumentException("account " + name + " needs at least one API key");
            }
        }

        public int lastKey() {
            return firstKey + keys - 1;
        }

        public boolean owns(int key) {
            return key >= firstKey && key <= lastKey();
        }

        public boolean isDefault() {
            return DEFAULT.equals(name);
        }
    }

    private final Map<String, Account> byName;
    private final List<Account> all;

    /** @param accounts the default account first, then the named ones; their keys numbered one after the other */
    public Accounts(List<Account> accounts) {
        if (accounts.isEmpty() || !accounts.get(0).isDefault()) {
            throw new IllegalArgumentException("the default account comes first");
        }
        Map<String, Account> named = new LinkedHashMap<>();
        int next = 0;
        for (Account account : accounts) {
            if (account.firstKey() != next) {
                throw new IllegalArgumentException("account " + account.name() + " starts at key "
                        + account.firstKey() + ", not " + next);
            }
            if (named.put(account.name(), account) != null) {
                throw new IllegalArgumentException("account " + account.name() + " twice");
            }
            next += account.keys();
        }
        this.byName = named;
        this.all = List.copyOf(accounts);
    }

    /** One account, the default, with {@code keys} keys: the service as it was before accounts had names. */
    public static Accounts single(int keys, String baseUrl) {
        return new Accounts(List.of(new Account(DEFAULT, 0, keys, baseUrl)));
    }

    /** Whether {@code name} can name an account ({@code KRAKEN_ACCOUNTS} refuses the others at start-up). */
    public static boolean validName(String name) {
        // 'open' is the suffix of a reversal's open leg: an account of that name would share its alert ids
        return name != null && NAME.matcher(name).matches() && !DEFAULT.equals(name) && !"open".equals(name);
    }

    /** The account of this name; null (or absent) is the default account. */
    public Optional<Account> find(String name) {
        return Optional.ofNullable(byName.get(name == null ? DEFAULT : name));
    }

    /** The account of this name, which must exist: null is the default account. */
    public Account get(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("no Kraken account " + name));
    }

    public Account defaultAccount() {
        return all.get(0);
    }

    /** Every account, the default first. */
    public List<Account> all() {
        return all;
    }

    /** The names of every account, the default first. */
    public List<String> names() {
        List<String> names = new ArrayList<>();
        all.forEach(a -> names.add(a.name()));
        return names;
    }

    /** Whether there are named accounts besides the default one. */
    public boolean several() {
        return all.size() > 1;
    }

    /** The account that owns key {@code index}. */
    public Account ofKey(int index) {
        for (Account account : all) {
            if (account.owns(index)) {
                return account;
            }
        }
        throw new IllegalArgumentException("no account owns API key " + index);
    }

    /** How many keys all accounts have together. */
    public int keys() {
        Account last = all.get(all.size() - 1);
        return last.lastKey() + 1;
    }

    /** The stored and answered name: null for the default account, whose rows and answers stay as they were. */
    public static String stored(String name) {
        return name == null || DEFAULT.equals(name) ? null : name;
    }
}
