package io.tvkraken;

import io.tvkraken.alert.AlertAge;
import io.tvkraken.ingress.ClientAddress;
import io.tvkraken.ingress.HttpEdge;
import io.tvkraken.ingress.IpAllowList;
import io.tvkraken.ingress.SourceRateLimit;
import io.tvkraken.journal.Database;
import io.tvkraken.kraken.Accounts;
import io.tvkraken.kraken.BalanceRefresh;
import io.tvkraken.kraken.RateBudget;
import io.tvkraken.notify.NotificationSettings;
import io.tvkraken.paper.RateLimitTier;
import io.tvkraken.secrets.SecretManagerConfig;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
        int journalRetentionDays,
        RateBudget.Tier krakenTier,
        Orders orders,
        int alertClockSkewSeconds,
        int shutdownTimeoutSeconds,
        Http http,
        Limits limits,
        Kraken kraken,
        Paper paper,
        SecretManager secretManager,
        Map<String, BigDecimal> lowBalanceThresholds,
        NotificationSettings notifications,
        Path strategiesFile,
        List<NamedAccount> accounts) {

    /**
     * A Kraken account of {@code KRAKEN_ACCOUNTS} besides the default one (docs/accounts.md): its keys and secrets
     * ({@code KRAKEN_ACCOUNT_<NAME>_API_KEY}, {@code KRAKEN_ACCOUNT_<NAME>_API_SECRET}, comma lists as
     * {@code KRAKEN_API_KEY}) and, in paper mode, its own starting balances ({@code PAPER_ACCOUNT_<NAME>_BALANCES},
     * else {@code PAPER_BALANCES}). {@link #toString()} says only whether the secrets are set.
     */
    public record NamedAccount(String name, String apiKey, String apiSecret, Map<String, BigDecimal> paperBalances) {

        /** The property key of one of its settings: {@code kraken.account.<name>.<setting>}. */
        static String key(String name, String setting) {
            return "kraken.account." + name + "." + setting;
        }

        /** The environment variable of one of its settings, as problems name it. */
        static String variable(String name, String setting) {
            return (key(name, setting)).toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
        }

        public List<String> apiKeys() {
            return entries(apiKey);
        }

        public List<String> apiSecrets() {
            return entries(apiSecret);
        }

        static List<NamedAccount> read(SettingsReader p, Map<String, BigDecimal> paperBalances) {
            List<NamedAccount> accounts = new ArrayList<>();
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (String name : entries(p.text("kraken.accounts"))) {
                if (!io.tvkraken.kraken.Accounts.validName(name)) {
                    p.problem("KRAKEN_ACCOUNTS: '" + name + "' cannot name an account: a lower-case letter, then up"
                            + " to 31 lower-case letters, digits or dashes, and not 'default' (the account of"
                            + " KRAKEN_API_KEY) nor 'open'");
                    continue;
                }
                if (!seen.add(name)) {
                    p.problem("KRAKEN_ACCOUNTS names '" + name + "' twice");
                    continue;
                }
                Map<String, BigDecimal> balances = p.amounts("paper.account." + name + ".balances");
                accounts.add(new NamedAccount(name, p.text(key(name, "api.key")), p.text(key(name, "api.secret")),
                        balances.isEmpty() ? paperBalances : balances));
            }
            return List.copyOf(accounts);
        }

        @Override
        public String toString() {
            return "NamedAccount[" + name + ", apiKey=" + (apiKey == null ? "unset" : "***") + ", apiSecret="
                    + (apiSecret == null ? "unset" : "***") + "]";
        }
    }

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

        static Orders read(SettingsReader p) {
            Orders o = new Orders(
                    p.intOf("orders.answer-within-ms", 1500),
                    p.intOf("orders.deadline-seconds", 5),
                    p.intOf("orders.reconcile.poll-ms", 500),
                    p.intOf("orders.reconcile.grace-ms", 2000),
                    p.intOf("orders.reconcile.give-up-seconds", 30),
                    p.intOf("orders.max-attempts", 2),
                    p.intOf("orders.workers", 16),
                    p.intOf("orders.lease-seconds", 15),
                    p.intOf("orders.lease-renew-ms", 3000));
            // Kraken accepts a deadline between 2 and 60 seconds ahead (docs/kraken.md#deadline).
            p.check(o.deadlineSeconds >= 2 && o.deadlineSeconds <= 60,
                    "orders.deadline-seconds must be between 2 and 60 (Kraken's limits), not " + o.deadlineSeconds);
            // a lease must outlive at least two renewals missed by a busy instance, or a live instance loses its rows
            p.check(o.leaseSeconds >= 5 && o.leaseRenewMs >= 100 && 3L * o.leaseRenewMs <= 1000L * o.leaseSeconds,
                    "orders.lease-seconds must be 5 or more and orders.lease-renew-ms at most a third of it");
            return o;
        }
    }

    /**
     * The HTTP server's limits (docs/operations.md#http-server-limits): the largest body it reads
     * ({@code camel.server.max-body-size}), how long a request head and body may take, when an idle connection is
     * closed, the largest head; and the reverse proxies whose X-Forwarded-For is believed.
     */
    public record Http(String trustedProxies, long serverMaxBodyBytes, int headerTimeoutMs, int bodyTimeoutMs,
            int idleTimeoutSeconds, int maxHeaderBytes, int maxRequestLineBytes) {

        static Http read(SettingsReader p) {
            return new Http(p.text("trusted.proxies", ""),
                    p.longOf("camel.server.max-body-size", 1048576L),
                    p.intOf("http.header-timeout-ms", 10000),
                    p.intOf("http.body-timeout-ms", 10000),
                    p.intOf("http.idle-timeout-seconds", 60),
                    p.intOf("http.max-header-bytes", 8192),
                    p.intOf("http.max-request-line-bytes", 4096));
        }

        /** The limits the HTTP edge enforces (HttpEdge.Limits refuses those it cannot work with). */
        public HttpEdge.Limits edgeLimits() {
            return new HttpEdge.Limits(serverMaxBodyBytes, headerTimeoutMs, bodyTimeoutMs, idleTimeoutSeconds,
                    maxHeaderBytes, maxRequestLineBytes);
        }
    }

    /** Rate limits per source address (docs/operations.md#rate-limits); a limit of 0 is none. */
    public record Limits(int webhookRateLimit, int webhookRateLimitPeriodSeconds, int adminAuthFailureLimit,
            int adminAuthFailurePeriodSeconds) {

        static Limits read(SettingsReader p) {
            return new Limits(p.intOf("webhook.rate-limit", 1000),
                    p.intOf("webhook.rate-limit-period-seconds", 10),
                    p.intOf("admin.auth-failure-limit", 10),
                    p.intOf("admin.auth-failure-period-seconds", 60));
        }
    }

    /**
     * Kraken's data cached and refreshed (docs/kraken.md#cached-prices-and-balances), how long a call may wait for its
     * rate counters, and the circuit breakers around Kraken (docs/reliability.md#circuit-breaker-defaults).
     */
    public record Kraken(int pairsRefreshSeconds, int pricesRefreshMs, int pricesMaxAgeMs, int balancesMaxAgeMs,
            int balancesRefreshMs, int rateLimitMaxWaitMs, Breaker breaker, long nonceWindow, int batchOrders) {

        /** Kraken takes 2 to 15 orders of one pair in one AddOrderBatch (docs/kraken.md#addorderbatch). */
        public static final int MAX_BATCH_ORDERS = 15;

        static Kraken read(SettingsReader p) {
            Kraken k = new Kraken(p.intOf("kraken.pairs.refresh-seconds", 3600),
                    p.intOf("kraken.prices.refresh-ms", 2000),
                    p.intOf("kraken.prices.max-age-ms", 5000),
                    p.intOf("kraken.balances.max-age-ms", 30000),
                    p.intOf("kraken.balances.refresh-ms", 60000),
                    p.intOf("kraken.rate-limit.max-wait-ms", 2000),
                    new Breaker(p.intOf("kraken.breaker.sliding-window-size", 10),
                            p.intOf("kraken.breaker.minimum-number-of-calls", 5),
                            p.intOf("kraken.breaker.failure-rate-threshold", 50),
                            p.intOf("kraken.breaker.wait-in-open-seconds", 30),
                            p.intOf("kraken.breaker.half-open-calls", 2)),
                    p.longOf("kraken.nonce-window", 0),
                    p.intOf("kraken.batch-orders", 0));
            p.check(k.nonceWindow >= 0, "kraken.nonce-window must be 0 (off) or the nonce window set on the keys at"
                    + " Kraken, not " + k.nonceWindow);
            p.check(k.batchOrders >= 0 && k.batchOrders <= MAX_BATCH_ORDERS, "kraken.batch-orders must be 0 or 1 (off)"
                    + " or up to " + MAX_BATCH_ORDERS + " orders per AddOrderBatch, not " + k.batchOrders);
            return k;
        }

        /** Orders of one pair sent together in one AddOrderBatch at most; 1 when batching is off. */
        public int ordersPerBatch() {
            return Math.max(1, batchOrders);
        }
    }

    /** Each circuit breaker around Kraken: judged over its last calls, open for a while, then a few trial calls. */
    public record Breaker(int slidingWindowSize, int minimumNumberOfCalls, int failureRateThreshold,
            int waitInOpenSeconds, int halfOpenCalls) {
    }

    /**
     * The built-in exchange of paper mode: its last-trade prices by pair id, its starting balances by asset code, and
     * whose rate limits it enforces: starter unless set, as a new Kraken account has it, so that paper trading meets
     * the limits live trading would (https://docs.kraken.com/api/docs/guides/spot-rest-ratelimits).
     */
    public record Paper(Map<String, BigDecimal> prices, Map<String, BigDecimal> balances,
            RateLimitTier rateLimitTier) {

        static Paper read(SettingsReader p) {
            String tierText = p.text("paper.rate-limit-tier", "starter");
            RateLimitTier tier = RateLimitTier.STARTER;
            try {
                tier = RateLimitTier.parse(tierText);
            } catch (IllegalArgumentException e) {
                p.problem("paper.rate-limit-tier must be starter, intermediate, pro or off, not '" + tierText + "'");
            }
            return new Paper(p.amounts("paper.prices"), p.amounts("paper.balances"), tier);
        }
    }

    /**
     * Where the secrets the environment does not give are read from (docs/secrets.md#settings), as written; read
     * before the other settings, whose secrets may come from there ({@link #config()} checks the rest).
     */
    public record SecretManager(String projectId, String emulatorHost, String versions, int timeoutMs) {

        /** Secret Manager not used. */
        public static final SecretManager UNUSED = new SecretManager("", "", "", 10000);

        public static SecretManager read(SettingsReader p) {
            return new SecretManager(p.text("gcp.project-id", ""), p.text("gcp.secret-manager.emulator-host", ""),
                    p.text("gcp.secret-manager.versions", ""), p.intOf("gcp.secret-manager.timeout-ms", 10000));
        }

        public SecretManagerConfig config() {
            return SecretManagerConfig.of(projectId, emulatorHost, versions, timeoutMs);
        }

        /** The config, or null when its settings are wrong (noted in {@code p}, one problem each). */
        static SecretManagerConfig configOrNull(SecretManager read, SettingsReader p) {
            try {
                return read.config();
            } catch (InvalidConfigurationException e) {
                p.problem(e.getMessage().replaceFirst("^Invalid configuration: ", ""));
                return null;
            }
        }

        /**
         * Where to read the secrets from: {@link #UNUSED} when the settings of Secret Manager cannot be read or make
         * no sense, which {@link Settings#from} then refuses together with every other problem.
         */
        public static SecretManagerConfig configOrUnused(Function<String, String> property) {
            SettingsReader p = new SettingsReader(property);
            SecretManager read = read(p);
            SecretManagerConfig config = p.problems().isEmpty() ? configOrNull(read, p) : null;
            return config == null ? UNUSED.config() : config;
        }
    }

    public enum Mode { PAPER, LIVE }

    /**
     * Reads the settings through a property lookup ({@code key -> value or null}): every key the service reads, the
     * notification settings' included. Throws {@link InvalidConfigurationException} naming every problem at once.
     */
    public static Settings from(Function<String, String> property) {
        SettingsReader p = new SettingsReader(property);
        Mode mode;
        String modeText = p.text("kraken.mode", "paper");
        try {
            mode = Mode.valueOf(modeText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            p.problem("KRAKEN_MODE must be 'paper' or 'live', not '" + modeText + "'");
            mode = Mode.PAPER;
        }
        Settings s = new Settings(
                p.intOf("port", 8080),
                mode,
                p.text("kraken.api.url", "https://api.kraken.com"),
                p.text("kraken.api.key"),
                p.text("kraken.api.secret"),
                p.text("webhook.secret"),
                p.text("webhook.passphrase"),
                p.text("allowed.ips", ""),
                Boolean.parseBoolean(p.text("trading.enabled", "true")),
                p.text("admin.token"),
                Path.of(p.text("data.dir", "./data")),
                p.intOf("webhook.max-body-bytes", 65536),
                p.intOf("kraken.http.connect-timeout-ms", 1000),
                p.intOf("kraken.http.response-timeout-ms", 2000),
                p.text("db.url"),
                p.text("db.user"),
                p.text("db.password"),
                p.intOf("max-alert-age-seconds", 60),
                p.intOf("journal.retention-days", 30),
                tierOf(p),
                Orders.read(p),
                p.intOf("alert-clock-skew-seconds", AlertAge.DEFAULT_CLOCK_SKEW_SECONDS),
                // camel-main's own (finish in-flight alerts on SIGTERM): it would ignore a value it cannot read
                p.intOf("camel.main.shutdown-timeout", 15),
                Http.read(p),
                Limits.read(p),
                Kraken.read(p),
                Paper.read(p),
                SecretManager.read(p),
                p.amounts("monitoring.low-balance"),
                NotificationSettings.read(p),
                // risk limits, pairs and stops per strategy (docs/strategies.md#the-strategies-file); none when empty
                p.text("strategies.file", "").isBlank() ? null : Path.of(p.text("strategies.file", "").trim()),
                NamedAccount.read(p, p.amounts("paper.balances")));
        p.check(s.orders.maxAttempts >= 1 && s.orders.workers >= 1 && s.maxAlertAgeSeconds >= 0,
                "orders.max-attempts and orders.workers must be at least 1, max-alert-age-seconds 0 or more");
        p.check(s.alertClockSkewSeconds >= 0, "alert-clock-skew-seconds must be 0 or more");
        p.check(s.journalRetentionDays >= 1, "journal.retention-days must be 1 or more");
        // read by route check-position-drift's timer; asked here so that a wrong value joins the other refusals
        p.check(p.intOf("positions.drift-check-ms", 60000) >= 1000, "positions.drift-check-ms must be 1000 or more");
        // rules of the classes that use the values, asked here so that their refusals join the others
        p.valid(() -> new IpAllowList(s.allowedIps));
        p.valid(() -> new ClientAddress(s.http.trustedProxies()));
        p.valid(() -> s.http.edgeLimits());
        p.valid(() -> new SourceRateLimit("webhook", s.limits.webhookRateLimit(),
                Duration.ofSeconds(s.limits.webhookRateLimitPeriodSeconds())));
        p.valid(() -> new SourceRateLimit("admin authentication failure", s.limits.adminAuthFailureLimit(),
                Duration.ofSeconds(s.limits.adminAuthFailurePeriodSeconds())));
        p.valid(() -> BalanceRefresh.checkPeriod(Duration.ofMillis(s.kraken.balancesRefreshMs())));
        SecretManager.configOrNull(s.secretManager, p);
        if (s.mode == Mode.LIVE) {
            // docs/configuration.md#paper-and-live-mode: live mode never trades real money for unauthenticated callers,
            // nor without keys.
            if (s.krakenApiKey == null || s.krakenApiSecret == null) {
                p.problem("KRAKEN_MODE=live needs KRAKEN_API_KEY and KRAKEN_API_SECRET");
            } else {
                keyPoolProblems(s.krakenApiKey, s.krakenApiSecret).forEach(p::problem);
            }
            java.util.Set<String> allKeys = new java.util.HashSet<>(s.krakenApiKeys());
            for (NamedAccount account : s.accounts) {
                String keyVariable = NamedAccount.variable(account.name(), "api.key");
                String secretVariable = NamedAccount.variable(account.name(), "api.secret");
                if (account.apiKey() == null || account.apiSecret() == null) {
                    p.problem("KRAKEN_ACCOUNTS names '" + account.name() + "': KRAKEN_MODE=live needs " + keyVariable
                            + " and " + secretVariable);
                    continue;
                }
                keyPoolProblems(account.apiKey(), account.apiSecret()).forEach(problem -> p.problem(problem
                        .replace("KRAKEN_API_KEY", keyVariable).replace("KRAKEN_API_SECRET", secretVariable)));
                for (String key : account.apiKeys()) {
                    if (!key.isEmpty() && !allKeys.add(key)) {
                        p.problem(keyVariable + " lists a key another account has: a key belongs to one Kraken"
                                + " account, and has one nonce stream");
                    }
                }
            }
            if (!s.webhookAuthenticationOn()) {
                p.problem("KRAKEN_MODE=live needs WEBHOOK_SECRET or WEBHOOK_PASSPHRASE: "
                        + "refusing to trade real money for unauthenticated callers");
            }
        }
        p.refuseIfAny();
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
    private static RateBudget.Tier tierOf(SettingsReader p) {
        String value = p.text("kraken.tier", "starter");
        try {
            return RateBudget.Tier.of(value);
        } catch (IllegalArgumentException e) {
            p.problem("KRAKEN_TIER must be starter, intermediate or pro, not '" + value + "'");
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
        if (!accounts.isEmpty()) {
            keys += " accounts=" + Accounts.DEFAULT + "," + String.join(",", accounts.stream().map(NamedAccount::name)
                    .toList());
        }
        return String.format("tradingview-kraken-webhook ready: mode=%s%s port=%d webhook-authentication=%s "
                        + "ip-allow-list=%s trading=%s admin-api=%s journal=%s strategies=%s%s",
                mode.name().toLowerCase(Locale.ROOT), keys, port, auth,
                allowedIps.isEmpty() ? "all" : allowedIps,
                tradingOn ? "enabled" : "DISABLED",
                adminToken == null ? "off" : "on", journalLocation(),
                strategiesFile == null ? "none" : strategiesFile, replica == null ? "" : " replica=" + replica);
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
    /**
     * The journal database: the embedded SQLite under the data folder (one connection), or DB_URL (a connection per
     * order worker and 4).
     */
    public Database.Config database() {
        return new Database.Config(dbUrl, dbUser, dbPassword, dataDir, journalLocation(), orders.workers() + 4);
    }

    public String journalLocation() {
        return dbUrl == null ? "embedded SQLite in " + dataDir.resolve("journal") : redactUrl(dbUrl);
    }

    /** {@code jdbc:postgresql://db:5432/tvk?password=x} → {@code jdbc:postgresql://db:5432/tvk}: URLs can carry secrets. */
    static String redactUrl(String url) {
        String noParams = url.replaceAll("[?;].*$", "");
        return noParams.replaceAll("//[^/@]*@", "//");
    }
}
