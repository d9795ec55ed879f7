package io.tvkraken;

import io.tvkraken.kraken.RateBudget;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The service's configuration, read once at start-up from Camel's properties: {@code application.properties}, with
 * environment variables overriding it (Camel maps {@code KRAKEN_API_SECRET} onto {@code kraken.api.secret}). The
 * keys are listed in docs/configuration.md#the-services-settings.
 *
 * <p>{@link #toString()} never prints a secret: it says only whether each one is set.
 */
public record Settings(
        int port,
        Mode mode,
        String krakenApiUrl,
        String krakenApiKey,
        String krakenApiSecret,
        String webhookSecret,
        String webhookPassphrase,
        String allowedIps,
        boolean tradingEnabled,
        String adminToken,
        Path dataDir,
        long maxBodyBytes,
        int krakenConnectTimeoutMs,
        int krakenResponseTimeoutMs,
        String dbUrl,
        String dbUser,
        String dbPassword,
        int maxAlertAgeSeconds,
        RateBudget.Tier krakenTier,
        Orders orders) {

    /**
     * How an order is carried out (docs/order-lifecycle.md): the answer is due {@code answerWithinMs} after the alert
     * arrived; every AddOrder carries a {@code deadline} {@code deadlineSeconds} ahead; after an ambiguous failure the
     * order is looked up every {@code reconcilePollMs}, re-sent at most {@code maxAttempts - 1} times once proven
     * absent {@code reconcileGraceMs} after its deadline, and dead-lettered if Kraken cannot be asked for
     * {@code reconcileGiveUpSeconds}. A row in flight is leased to its instance for {@code leaseSeconds}, renewed
     * every {@code leaseRenewMs} while the instance lives (docs/replicas.md#leases).
     */
    public record Orders(int answerWithinMs, int deadlineSeconds, int reconcilePollMs, int reconcileGraceMs,
            int reconcileGiveUpSeconds, int maxAttempts, int workers, int leaseSeconds, int leaseRenewMs) {
    }

    public enum Mode { PAPER, LIVE }

    /** Reads the settings through a property lookup ({@code key -> value or null}). */
    public static Settings from(Function<String, String> property) {
        Function<String, String> p = key -> {
            String v = property.apply(key);
            return v == null || v.isBlank() ? null : v.trim();
        };
        List<String> problems = new ArrayList<>();
        Mode mode;
        String modeText = orDefault(p.apply("kraken.mode"), "paper");
        try {
            mode = Mode.valueOf(modeText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            problems.add("KRAKEN_MODE must be 'paper' or 'live', not '" + modeText + "'");
            mode = Mode.PAPER;
        }
        Settings s = new Settings(
                intOf(p, "port", 8080, problems),
                mode,
                orDefault(p.apply("kraken.api.url"), "https://api.kraken.com"),
                p.apply("kraken.api.key"),
                p.apply("kraken.api.secret"),
                p.apply("webhook.secret"),
                p.apply("webhook.passphrase"),
                orDefault(p.apply("allowed.ips"), ""),
                Boolean.parseBoolean(orDefault(p.apply("trading.enabled"), "true")),
                p.apply("admin.token"),
                Path.of(orDefault(p.apply("data.dir"), "./data")),
                intOf(p, "webhook.max-body-bytes", 65536, problems),
                intOf(p, "kraken.http.connect-timeout-ms", 1000, problems),
                intOf(p, "kraken.http.response-timeout-ms", 2000, problems),
                p.apply("db.url"),
                p.apply("db.user"),
                p.apply("db.password"),
                intOf(p, "max-alert-age-seconds", 60, problems),
                tierOf(p.apply("kraken.tier"), problems),
                new Orders(
                        intOf(p, "orders.answer-within-ms", 2500, problems),
                        intOf(p, "orders.deadline-seconds", 5, problems),
                        intOf(p, "orders.reconcile.poll-ms", 500, problems),
                        intOf(p, "orders.reconcile.grace-ms", 2000, problems),
                        intOf(p, "orders.reconcile.give-up-seconds", 30, problems),
                        intOf(p, "orders.max-attempts", 2, problems),
                        intOf(p, "orders.workers", 16, problems),
                        intOf(p, "orders.lease-seconds", 15, problems),
                        intOf(p, "orders.lease-renew-ms", 3000, problems)));
        // Kraken accepts a deadline between 2 and 60 seconds ahead (docs/kraken.md#deadline).
        if (s.orders.deadlineSeconds < 2 || s.orders.deadlineSeconds > 60) {
            problems.add("orders.deadline-seconds must be between 2 and 60 (Kraken's limits), not "
                    + s.orders.deadlineSeconds);
        }
        if (s.orders.maxAttempts < 1 || s.orders.workers < 1 || s.maxAlertAgeSeconds < 0) {
            problems.add("orders.max-attempts and orders.workers must be at least 1, max-alert-age-seconds 0 or more");
        }
        // a lease must outlive at least two renewals missed by a busy instance, or a live instance loses its rows
        if (s.orders.leaseSeconds < 5 || s.orders.leaseRenewMs < 100
                || 3L * s.orders.leaseRenewMs > 1000L * s.orders.leaseSeconds) {
            problems.add("orders.lease-seconds must be 5 or more and orders.lease-renew-ms at most a third of it");
        }
        if (s.mode == Mode.LIVE) {
            // docs/configuration.md#paper-and-live-mode: live mode never trades real money for unauthenticated callers,
            // nor without keys.
            if (s.krakenApiKey == null || s.krakenApiSecret == null) {
                problems.add("KRAKEN_MODE=live needs KRAKEN_API_KEY and KRAKEN_API_SECRET");
            } else {
                problems.addAll(keyPoolProblems(s.krakenApiKey, s.krakenApiSecret));
            }
            if (!s.webhookAuthenticationOn()) {
                problems.add("KRAKEN_MODE=live needs WEBHOOK_SECRET or WEBHOOK_PASSPHRASE: "
                        + "refusing to trade real money for unauthenticated callers");
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException(String.join("; ", problems));
        }
        return s;
    }

    /**
     * {@code KRAKEN_API_KEY} and {@code KRAKEN_API_SECRET} as comma lists of one or more entries, key {@code i} with
     * secret {@code i} (docs/kraken.md#key-pool). Every message names entries by position only: keys and secrets are
     * never repeated, not even in part.
     */
    static List<String> keyPoolProblems(String keyList, String secretList) {
        List<String> problems = new ArrayList<>();
        List<String> keys = entries(keyList);
        List<String> secrets = entries(secretList);
        if (keys.size() != secrets.size()) {
            problems.add("KRAKEN_API_KEY lists " + keys.size() + " key(s) but KRAKEN_API_SECRET lists "
                    + secrets.size() + " secret(s): give one secret per key, in the same order, separated by commas");
        }
        emptyEntries("KRAKEN_API_KEY", keys).ifPresent(problems::add);
        emptyEntries("KRAKEN_API_SECRET", secrets).ifPresent(problems::add);
        for (int i = 0; i < keys.size(); i++) {
            for (int j = i + 1; j < keys.size(); j++) {
                if (!keys.get(i).isEmpty() && keys.get(i).equals(keys.get(j))) {
                    problems.add("KRAKEN_API_KEY lists the same key twice (entries " + (i + 1) + " and " + (j + 1)
                            + "): a key has one nonce stream, so each key may be listed once");
                }
            }
        }
        List<Integer> notBase64 = new ArrayList<>();
        for (int i = 0; i < secrets.size(); i++) {
            if (!secrets.get(i).isEmpty() && !isBase64(secrets.get(i))) {
                notBase64.add(i + 1);
            }
        }
        if (!notBase64.isEmpty()) {
            problems.add("KRAKEN_API_SECRET entry " + positions(notBase64) + " of " + secrets.size()
                    + " is not base64, as Kraken shows a secret");
        }
        return problems;
    }

    private static java.util.Optional<String> emptyEntries(String variable, List<String> entries) {
        List<Integer> empty = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).isEmpty()) {
                empty.add(i + 1);
            }
        }
        return empty.isEmpty() ? java.util.Optional.empty()
                : java.util.Optional.of(variable + " entry " + positions(empty) + " of " + entries.size()
                        + " is empty (a stray comma?)");
    }

    private static String positions(List<Integer> positions) {
        return positions.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "));
    }

    private static boolean isBase64(String text) {
        try {
            return java.util.Base64.getDecoder().decode(text).length > 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A comma list, each entry trimmed; empty entries kept (as empty strings) so that they can be reported. */
    static List<String> entries(String list) {
        if (list == null) {
            return List.of();
        }
        List<String> entries = new ArrayList<>();
        for (String entry : list.split(",", -1)) {
            entries.add(entry.trim());
        }
        return List.copyOf(entries);
    }

    /** The API keys of {@code KRAKEN_API_KEY}, in order (docs/kraken.md#key-pool); empty when unset. */
    public List<String> krakenApiKeys() {
        return entries(krakenApiKey);
    }

    /** The secrets of {@code KRAKEN_API_SECRET}, secret {@code i} for key {@code i}; empty when unset. */
    public List<String> krakenApiSecrets() {
        return entries(krakenApiSecret);
    }

    /** Kraken's verification tier of the account, which sets its rate limits (starter, intermediate, pro). */
    private static RateBudget.Tier tierOf(String value, List<String> problems) {
        try {
            return RateBudget.Tier.of(orDefault(value, "starter"));
        } catch (IllegalArgumentException e) {
            problems.add("KRAKEN_TIER must be starter, intermediate or pro, not '" + value + "'");
            return RateBudget.Tier.STARTER;
        }
    }

    public boolean webhookAuthenticationOn() {
        return webhookSecret != null || webhookPassphrase != null;
    }

    /**
     * The one start-up line (docs/operations.md#request-ids-and-logs): mode, in live mode how many API keys, port, and
     * whether webhook authentication is on.
     */
    public String startupLine() {
        return startupLine(tradingEnabled, null);
    }

    /**
     * @param tradingOn the kill switch as the journal database holds it (TRADING_ENABLED only seeds it)
     * @param replica   this instance's name in the journal's leases, or null
     */
    public String startupLine(boolean tradingOn, String replica) {
        String auth;
        if (webhookAuthenticationOn()) {
            List<String> ways = new ArrayList<>();
            if (webhookSecret != null) {
                ways.add("X-Signature HMAC-SHA256");
            }
            if (webhookPassphrase != null) {
                ways.add("passphrase");
            }
            auth = "on (" + String.join(" or ", ways) + ")";
        } else {
            auth = "OFF: alerts are accepted unauthenticated (paper mode only)";
        }
        // live mode signs with the keys of KRAKEN_API_KEY, as many as it lists; paper mode with its exchange's own
        String keys = mode == Mode.LIVE ? " api-keys=" + krakenApiKeys().size() : "";
        return String.format("tradingview-kraken-webhook ready: mode=%s%s port=%d webhook-authentication=%s "
                        + "ip-allow-list=%s trading=%s admin-api=%s journal=%s%s",
                mode.name().toLowerCase(Locale.ROOT), keys, port, auth,
                allowedIps.isEmpty() ? "all" : allowedIps,
                tradingOn ? "enabled" : "DISABLED",
                adminToken == null ? "off" : "on", journalLocation(), replica == null ? "" : " replica=" + replica);
    }

    @Override
    public String toString() {
        return "Settings[mode=" + mode + ", port=" + port + ", krakenApiUrl=" + krakenApiUrl
                + ", krakenApiKey=" + (krakenApiKey == null ? "unset" : "***")
                + ", krakenApiSecret=" + (krakenApiSecret == null ? "unset" : "***")
                + ", webhookSecret=" + (webhookSecret == null ? "unset" : "***")
                + ", webhookPassphrase=" + (webhookPassphrase == null ? "unset" : "***")
                + ", adminToken=" + (adminToken == null ? "unset" : "***")
                + ", dbUrl=" + (dbUrl == null ? "embedded" : redactUrl(dbUrl))
                + ", dbPassword=" + (dbPassword == null ? "unset" : "***")
                + ", allowedIps=" + allowedIps + ", dataDir=" + dataDir + "]";
    }

    /** Where the journal lives, for the start-up line: a JDBC URL without its user info or parameters. */
    public String journalLocation() {
        return dbUrl == null ? "embedded H2 in " + dataDir.resolve("journal") : redactUrl(dbUrl);
    }

    /** {@code jdbc:postgresql://db:5432/tvk?password=x} → {@code jdbc:postgresql://db:5432/tvk}: URLs can carry secrets. */
    static String redactUrl(String url) {
        String noParams = url.replaceAll("[?;].*$", "");
        return noParams.replaceAll("//[^/@]*@", "//");
    }

    private static String orDefault(String value, String fallback) {
        return value == null ? fallback : value;
    }

    private static int intOf(Function<String, String> p, String key, int fallback, List<String> problems) {
        String v = p.apply(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            problems.add(key + " must be a whole number, not '" + v + "'");
            return fallback;
        }
    }
}
