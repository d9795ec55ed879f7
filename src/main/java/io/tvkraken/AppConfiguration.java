package io.tvkraken;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tvkraken.alert.AlertParser;
import io.tvkraken.alert.RefusedException;
import io.tvkraken.journal.DeadLetterStore;
import io.tvkraken.order.AlertIntake;
import io.tvkraken.order.DeadLetters;
import io.tvkraken.ingress.ClientAddress;
import io.tvkraken.ingress.HttpEdge;
import io.tvkraken.ingress.IncomingRequest;
import io.tvkraken.ingress.IpAllowList;
import io.tvkraken.ingress.SecretRedaction;
import io.tvkraken.ingress.SourceRateLimit;
import io.tvkraken.ingress.WebhookAuthenticator;
import io.tvkraken.kraken.BalanceRefresh;
import io.tvkraken.kraken.KeyPool;
import io.tvkraken.kraken.KrakenApi;
import io.tvkraken.kraken.KrakenKey;
import io.tvkraken.kraken.KrakenBreakers;
import io.tvkraken.kraken.RateBudget;
import io.tvkraken.kraken.RateCounters;
import io.tvkraken.kraken.KrakenRequests;
import io.tvkraken.kraken.KrakenSigner;
import io.tvkraken.kraken.MarketData;
import io.tvkraken.kraken.NonceGenerator;
import io.tvkraken.ops.AdminApi;
import io.tvkraken.ops.Answers;
import io.tvkraken.ops.Operations;
import io.tvkraken.notify.DailySummary;
import io.tvkraken.notify.NoticeFormats;
import io.tvkraken.notify.NoticeQueue;
import io.tvkraken.notify.NotificationOutcomes;
import io.tvkraken.notify.NotificationSettings;
import io.tvkraken.journal.JobLeases;
import io.tvkraken.telemetry.Notice;
import io.tvkraken.telemetry.ServiceMetrics;
import io.tvkraken.order.TradingSwitch;
import io.tvkraken.alert.AlertAge;
import io.tvkraken.journal.Database;
import io.tvkraken.journal.Journal;
import io.tvkraken.journal.NonceHighWater;
import io.tvkraken.journal.AdvisoryKeyTurns;
import io.tvkraken.journal.SharedRateCounters;
import io.tvkraken.journal.TradingSetting;
import io.tvkraken.kraken.KeyTurns;
import io.tvkraken.kraken.Deadlines;
import io.tvkraken.order.OrderDesk;
import io.tvkraken.order.OrderOutcomes;
import io.tvkraken.order.OrderPlanner;
import io.tvkraken.order.OrderRunner;
import io.tvkraken.order.Reconciler;
import io.tvkraken.order.OrderLifecycle;
import io.tvkraken.order.Replays;
import io.tvkraken.paper.PaperConfig;
import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.RateLimitTier;
import io.tvkraken.secrets.SecretManagerConfig;
import io.tvkraken.secrets.Secrets;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.StartupListener;
import org.apache.camel.builder.LambdaRouteBuilder;
import org.apache.camel.component.mail.MailComponent;
import org.apache.camel.component.mail.MailConfiguration;
import org.apache.camel.component.telegram.TelegramComponent;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyFactory;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the beans that the YAML routes call, from {@link Settings}. In paper mode it also starts the in-process
 * Kraken-compatible exchange and points {@code kraken.base-url} at it, so that paper trading goes through the very
 * same route, HTTP client, signature and circuit breaker as live trading.
 */
public class AppConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(AppConfiguration.class);
    /**
     * The longest a call waits for its key's turn among instances: several calls of other instances, each at most a
     * connect and a response timeout, fit in it; the caller gives up after 30 s (routes/kraken.camel.yaml).
     */
    static final int KEY_TURN_MAX_WAIT_MS = 10_000;

    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent properties = context.getPropertiesComponent();
        Function<String, String> property = key -> properties.resolveProperty(key).orElse(null);
        // Secrets first: those the environment does not give come from Google Secret Manager when GCP_PROJECT_ID is
        // set (docs/secrets.md#precedence), before anything is checked or built with them. Settings not readable
        // (a timeout that is no number) leave Secret Manager out: Settings.from refuses them with every other problem.
        SettingsReader secretManagerReader = new SettingsReader(property);
        Settings.SecretManager secretManager = Settings.SecretManager.read(secretManagerReader);
        Secrets fromSecretManager = secretManagerReader.problems().isEmpty()
                ? Secrets.resolve(secretManager.config(), property) : Secrets.resolve(Settings.SecretManager.UNUSED.config(), property);
        // as if the environment had given them, for whatever reads them as properties
        fromSecretManager.byPropertyKey().forEach(properties::addOverrideProperty);
        // every key the service reads, read and checked at once (the placeholders of the YAML routes included)
        Settings settings;
        try {
            settings = Settings.from(key -> fromSecretManager.value(key).orElseGet(() -> property.apply(key)));
        } catch (InvalidConfigurationException refusal) {
            throw fromSecretManager.explain(refusal);
        }
        NotificationSettings notifySettings = settings.notifications();
        // One Prometheus registry for everything: ours, the connection pool's, Camel's routes (the route policy below),
        // the JVM's.
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // The journal database first: nothing may be accepted that could not be journaled. It opens and migrates on a
        // thread of its own while the rest is prepared; the routes start once it is open (onCamelContextStarting
        // below; docs/operations.md#start-up-time-and-memory).
        Database database = Database.start(settings, new MicrometerMetricsTrackerFactory(meters));
        context.addService(database);
        context.getRegistry().bind("database", database);
        ObjectMapper json = objectMapper();
        Clock clock = Clock.systemUTC();

        // the key pool: key i signs with secret i (docs/kraken.md#key-pool); Settings checked the lists
        List<String> apiKeys = settings.krakenApiKeys();
        List<String> apiSecrets = settings.krakenApiSecrets();
        String baseUrl = settings.krakenApiUrl();
        if (settings.mode() == Settings.Mode.PAPER) {
            PaperConfig paperConfig = PaperConfig.withRandomKeys().withRateLimitTier(settings.paper().rateLimitTier());
            for (var price : settings.paper().prices().entrySet()) {
                paperConfig = paperConfig.withPrice(price.getKey(), price.getValue());
            }
            for (var balance : settings.paper().balances().entrySet()) {
                paperConfig = paperConfig.withBalance(balance.getKey(), balance.getValue());
            }
            // A tap bound in the registry (tests bind one to record and steer the exchange) sees every request.
            PaperExchange.Tap tap = context.getRegistry().findSingleByType(PaperExchange.Tap.class);
            PaperExchange paper = PaperExchange.start(paperConfig, clock, tap == null ? PaperExchange.Tap.NONE : tap);
            apiKeys = List.of(paper.config().apiKey());
            apiSecrets = List.of(paper.config().apiSecret());
            baseUrl = paper.baseUrl().toString();
            context.getRegistry().bind("paperExchange", paper);
            context.addService(new ServiceSupport() {
                @Override
                protected void doStop() {
                    paper.close();
                }
            });
        }
        properties.addOverrideProperty("kraken.base-url", stripTrailingSlash(baseUrl));

        // One breaker for the calls that place orders, one for market data and look-ups: Kraken's trading engine
        // can fail while its queries answer (KrakenBreakers).
        CircuitBreakerRegistry breakers = CircuitBreakerRegistry.of(breakerConfig(settings.kraken().breaker()));
        CircuitBreaker tradingBreaker = breakers.circuitBreaker("kraken-trading");
        CircuitBreaker queryBreaker = breakers.circuitBreaker("kraken-query");
        for (CircuitBreaker breaker : java.util.List.of(tradingBreaker, queryBreaker)) {
            breaker.getEventPublisher().onStateTransition(e -> LOG.warn("Kraken circuit breaker {}: {}",
                    e.getCircuitBreakerName(), e.getStateTransition()));
        }
        KrakenBreakers krakenBreakers = new KrakenBreakers(tradingBreaker, queryBreaker);
        context.getRegistry().bind("krakenTradingBreaker", tradingBreaker);
        context.getRegistry().bind("krakenQueryBreaker", queryBreaker);
        context.getRegistry().bind("krakenBreakers", krakenBreakers);

        String mode = settings.mode().name().toLowerCase(Locale.ROOT);
        String instance = java.net.InetAddress.getLocalHost().getHostName() + ":" + ProcessHandle.current().pid()
                + ":" + Long.toHexString(Double.doubleToLongBits(Math.random())).substring(0, 6);
        // rows in flight are leased to this instance and renewed by the renew-leases route while it lives: a replica
        // that dies leaves them to the others after one lease (docs/replicas.md#leases)
        Journal journal = new Journal(database.dataSource(), clock, Journal.truncate(instance, 64),
                Duration.ofSeconds(settings.orders().leaseSeconds()));
        // stopped after the routes (which finish their in-flight alerts), before the database: its leases released
        context.addService(new Journal.LeaseRelease(journal));
        // Every secret this process knows: none of them is kept in a stored alert, whichever way it got into one.
        List<String> secrets = new ArrayList<>(Arrays.asList(settings.webhookPassphrase(), settings.webhookSecret(),
                settings.adminToken(), settings.dbPassword()));
        secrets.addAll(apiKeys);
        secrets.addAll(apiSecrets);
        secrets.addAll(notifySettings.secrets());
        secrets.addAll(fromSecretManager.values());
        SecretRedaction redaction = new SecretRedaction(secrets);
        DeadLetterStore deadLetterStore = new DeadLetterStore(database.dataSource(), json);
        ServiceMetrics metrics = new ServiceMetrics(meters, deadLetterStore::count, breakers);
        MicrometerRoutePolicyFactory routeMetrics = new MicrometerRoutePolicyFactory();
        routeMetrics.setMeterRegistry(meters);
        context.addRoutePolicyFactory(routeMetrics);
        Answers answers = new Answers(json, mode, metrics);
        // the HTTP server (EdgeHttpServer) carries the edge's limits and answers (docs/operations.md#http-server-limits)
        HttpEdge edge;
        try {
            Settings.Http http = settings.http();
            edge = new HttpEdge(new HttpEdge.Limits(http.serverMaxBodyBytes(), http.headerTimeoutMs(),
                    http.bodyTimeoutMs(), http.idleTimeoutSeconds(), http.maxHeaderBytes(),
                    http.maxRequestLineBytes()), answers);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException(e.getMessage());
        }
        context.getRegistry().bind("httpEdge", edge);
        // Notifications (docs/notifications.md): raised where outcomes are decided, queued per channel, delivered by
        // the channels' routes; nothing here waits for a channel.
        NotificationOutcomes notificationOutcomes = new NotificationOutcomes(meters, notifySettings.secrets());
        NoticeQueue notices = new NoticeQueue(notifySettings.channels(), context, notificationOutcomes,
                redaction::redact, notifySettings.queueSize());
        notificationChannels(context, notifySettings);
        krakenBreakers.notifyChanges(notices::raise);
        // the kill switch lives in the journal database, shared by every instance; TRADING_ENABLED only seeds it
        TradingSwitch trading = new TradingSwitch(new TradingSetting(database.dataSource(), clock, journal.instance()),
                clock, notices);
        KrakenApi kraken = new KrakenApi(context.createProducerTemplate());
        Settings.Kraken krakenSettings = settings.kraken();
        MarketData market = new MarketData(kraken, Duration.ofSeconds(krakenSettings.pairsRefreshSeconds()), clock,
                Duration.ofMillis(krakenSettings.pricesMaxAgeMs()), Duration.ofMillis(krakenSettings.balancesMaxAgeMs()),
                metrics::exchangeBalances);
        metrics.lowBalanceThresholds(settings.lowBalanceThresholds());
        metrics.tradingSwitch(trading::enabled);

        var registry = context.getRegistry();
        // platform-http runs each request on a Vert.x worker thread (20 by default). A webhook thread may wait for
        // its order up to orders.answer-within-ms, but only while an order worker is free to run it: with more HTTP
        // threads than order workers, a burst still finds threads to be answered on.
        registry.bind("vertxOptions", new io.vertx.core.VertxOptions()
                .setWorkerPoolSize(Math.max(20, 2 * settings.orders().workers() + 16)));
        registry.bind("settings", settings);
        registry.bind("json", json);
        registry.bind(MicrometerConstants.METRICS_REGISTRY_NAME, meters);
        IpAllowList allowList;
        ClientAddress clientAddress;
        SourceRateLimit adminWrongTokens;
        try {
            allowList = new IpAllowList(settings.allowedIps());
            clientAddress = new ClientAddress(settings.http().trustedProxies());
            // per source address, in this process's memory (docs/operations.md#rate-limits)
            Settings.Limits limits = settings.limits();
            registry.bind("webhookRateLimit", new SourceRateLimit("webhook", limits.webhookRateLimit(),
                    Duration.ofSeconds(limits.webhookRateLimitPeriodSeconds())));
            // on the admin API only wrong or missing tokens count: an operator's polling is never limited
            adminWrongTokens = new SourceRateLimit("admin authentication failure", limits.adminAuthFailureLimit(),
                    Duration.ofSeconds(limits.adminAuthFailurePeriodSeconds()));
            registry.bind("adminRateLimit", adminWrongTokens);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException(e.getMessage());
        }
        registry.bind("incomingRequest", new IncomingRequest(settings.maxBodyBytes(), metrics, clientAddress));
        registry.bind("webhookAuthenticator", new WebhookAuthenticator(allowList,
                settings.webhookSecret(), settings.webhookPassphrase(), redaction, json));
        registry.bind("alertParser", new AlertParser(json));
        Settings.Orders orders = settings.orders();
        Deadlines deadlines = new Deadlines(clock, Duration.ofSeconds(orders.deadlineSeconds()));
        // Kraken counts per API key and per account, so instances sharing a PostgreSQL journal (and the account) keep
        // the counters there, together; the embedded H2 journal's one instance keeps them in memory
        // (docs/replicas.md#rate-counters)
        boolean unlimited = settings.mode() == Settings.Mode.PAPER
                && settings.paper().rateLimitTier() == RateLimitTier.OFF;
        RateBudget budget = unlimited
                ? RateBudget.unlimitedForPaper(clock, apiKeys.size())
                : new RateBudget(settings.krakenTier(),
                        Duration.ofMillis(settings.kraken().rateLimitMaxWaitMs()),
                        apiKeys.size(), database.sharedByInstances()
                                ? new SharedRateCounters(database.dataSource(), apiKeys)
                                : RateCounters.inMemory(clock));
        registry.bind("rateBudget", budget);
        for (int i = 0; i < budget.keys(); i++) {
            int key = i;
            metrics.krakenRestCounter(key, () -> budget.restLevel(key), budget.restMax());
        }
        // One signer and one nonce stream per key, its high-water mark in its own row (keyed by the key's hash), and
        // one serial sender route per key (KrakenKeySenders, from the routeTemplate in routes/kraken.camel.yaml).
        // On PostgreSQL several instances may share the keys: each call takes its key's turn (an advisory lock) and its
        // nonce from the database inside it, so nonces reach Kraken in order across instances (docs/replicas.md#nonces).
        // The embedded H2 journal serves one process, whose sender routes are the whole turn; its nonce generator
        // reads its mark on its first nonce, once the journal is open: nothing here waits for it.
        boolean shared = database.sharedByInstances();
        List<KrakenKey> keys = new ArrayList<>();
        for (int i = 0; i < apiKeys.size(); i++) {
            keys.add(new KrakenKey(i, apiKeys.get(i), new KrakenSigner(apiSecrets.get(i)),
                    new NonceGenerator(shared ? NonceHighWater.shared(database.dataSource(), apiKeys.get(i))
                            : new NonceHighWater(database.dataSource(), apiKeys.get(i)))));
        }
        registry.bind("keyTurns", shared
                ? new AdvisoryKeyTurns(database, apiKeys, Duration.ofMillis(KEY_TURN_MAX_WAIT_MS))
                : KeyTurns.WITHIN_ONE_PROCESS);
        KeyPool keyPool = new KeyPool(keys, budget);
        registry.bind("keyPool", keyPool);
        try {
            registry.bind("balanceRefresh", new BalanceRefresh(market, budget, keyPool, clock,
                    Duration.ofMillis(settings.kraken().balancesRefreshMs())));
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException(e.getMessage());
        }
        registry.bind("krakenRequests", new KrakenRequests(keyPool, json, metrics, deadlines, budget));
        registry.bind("krakenApi", kraken);
        registry.bind("marketData", market);
        registry.bind("orderDesk", new OrderDesk(market, new OrderPlanner(), journal, json));
        registry.bind("answers", answers);
        registry.bind("deadLetterStore", deadLetterStore);
        DeadLetters deadLetters = new DeadLetters(deadLetterStore, metrics, clock);
        registry.bind("deadLetters", deadLetters);
        registry.bind("journal", journal);
        AlertAge alertAge = new AlertAge(clock, settings.maxAlertAgeSeconds(), settings.alertClockSkewSeconds());
        registry.bind("alertAge", alertAge);
        // the one owner of an order's journal transitions; an order in doubt is first looked up after the grace
        // that a just-placed order may need to show up in Kraken's lists
        OrderLifecycle lifecycle = new OrderLifecycle(journal, deadLetters, json, mode, answers::status, deadlines,
                clock, orders.maxAttempts(), Duration.ofMillis(orders.reconcileGraceMs()), notices);
        registry.bind("orderLifecycle", lifecycle);
        registry.bind("alertIntake", new AlertIntake(journal, lifecycle, deadLetters, alertAge, json, mode));
        registry.bind("orderOutcomes", new OrderOutcomes(journal, lifecycle, deadLetters));
        OrderRunner runner = new OrderRunner(context, mode, metrics, orders.workers(), orders.answerWithinMs());
        registry.bind("orderRunner", runner);
        registry.bind("reconciler", new Reconciler(kraken, runner, new AlertParser(json), budget, journal, lifecycle,
                deadLetters, json, clock, orders));
        registry.bind("tradingSwitch", trading);
        registry.bind("operations", new Operations(context, settings, krakenBreakers, market, deadLetterStore,
                trading, metrics, answers, database, journal));
        Replays replays = new Replays(journal, deadLetterStore, runner, new AlertParser(json), alertAge, trading,
                json, clock);
        registry.bind("adminApi", new AdminApi(settings.adminToken(), deadLetterStore, journal, replays, trading,
                answers, json, adminWrongTokens));

        registry.bind("notices", notices);
        registry.bind("noticeFormats", new NoticeFormats(notifySettings, mode, json));
        registry.bind("notificationOutcomes", notificationOutcomes);
        registry.bind("dailySummary", new DailySummary(notifySettings.anyWants(Notice.Event.DAILY_SUMMARY),
                notifySettings.dailySummaryAt(), journal, deadLetterStore, market::balances,
                new JobLeases(database.dataSource(), clock, journal.instance()), clock));

        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarting(CamelContext starting, boolean alreadyStarted) {
                // before any route takes a request: the journal open and migrated, earlier dead-letter files in it
                database.awaitOpen();
                trading.seed(settings.tradingEnabled());
                deadLetterStore.importFiles(settings.dataDir(), redaction::redact);
            }

            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                // the asset pairs first: the line says the service is ready, as GET /health then does
                market.warmUp();
                String ready = settings.startupLine(trading.enabled(), journal.instance());
                LOG.info(ready);
                if (settings.mode() == Settings.Mode.LIVE) {
                    notices.raise(Notice.of(Notice.Event.STARTED_LIVE, Notice.Severity.WARNING,
                            "Service started in live mode", "Orders go to Kraken with real money. " + ready));
                }
            }
        });
    }

    /**
     * The built-in channels' components, configured here so that the bot token and the SMTP password stay out of
     * endpoint URIs, and one route per channel from the route template {@code notification-channel}
     * (routes/notifications.camel.yaml), bound as a route builder that camel-main adds once the YAML templates are
     * loaded.
     */
    private static void notificationChannels(CamelContext context, NotificationSettings notify) {
        if (notify.telegram() != null) {
            TelegramComponent telegram = new TelegramComponent();
            telegram.setAuthorizationToken(notify.telegram().botToken());
            telegram.setBaseUri(notify.telegram().baseUri());
            context.addComponent("telegram", telegram);
            context.getRegistry().bind("telegramMessages",
                    new io.tvkraken.notify.TelegramMessages(context, notify.telegram().endpointUri()));
        }
        if (notify.smtp() != null) {
            NotificationSettings.Smtp smtp = notify.smtp();
            MailConfiguration mail = new MailConfiguration();
            mail.setUsername(smtp.user());
            mail.setPassword(smtp.password());
            mail.setFrom(smtp.from());
            mail.setTo(smtp.to());
            // JavaMail waits forever by default; a dead server must not hold the channel's route for long
            mail.setConnectionTimeout(10000);
            java.util.Properties javaMail = new java.util.Properties();
            javaMail.setProperty("mail.smtp.timeout", "10000");
            javaMail.setProperty("mail.smtp.writetimeout", "10000");
            javaMail.setProperty("mail.smtps.timeout", "10000");
            javaMail.setProperty("mail.smtps.writetimeout", "10000");
            if ("starttls".equals(smtp.security())) {
                javaMail.setProperty("mail.smtp.starttls.enable", "true");
                javaMail.setProperty("mail.smtp.starttls.required", "true");
            }
            mail.setAdditionalJavaMailProperties(javaMail);
            MailComponent component = new MailComponent();
            component.setConfiguration(mail);
            context.addComponent("ssl".equals(smtp.security()) ? "smtps" : "smtp", component);
        }
        context.getRegistry().bind("notificationChannelRoutes", (LambdaRouteBuilder) routes -> {
            for (var channel : notify.channels()) {
                routes.templatedRoute("notification-channel")
                        .routeId("notify-" + channel.name())
                        .prefixId("notify-" + channel.name() + "-")
                        .parameter("channel", channel.name())
                        .parameter("uri", channel.uri());
            }
        });
    }

    /**
     * Strict JSON: numbers as BigDecimal (money is never a double), and small read limits — an alert is a few
     * hundred bytes (docs/reliability.md#json-limits: Jackson's defaults allow 1,000 levels and 20 MB strings).
     */
    static ObjectMapper objectMapper() {
        JsonMapper mapper = JsonMapper.builder()
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                // a field given twice is refused: which value was meant cannot be told (Jackson keeps the last)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                // journal and dead-letter times as ISO-8601 text
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .build();
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(32).maxStringLength(1 << 20).maxNumberLength(64).build());
        return mapper;
    }

    /**
     * Resilience4j's defaults never open below 100 calls and stay open 60 s
     * (docs/reliability.md#circuit-breaker-defaults); at webhook volumes the breaker must judge a handful of calls.
     */
    static CircuitBreakerConfig breakerConfig(Settings.Breaker b) {
        return CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(b.slidingWindowSize())
                .minimumNumberOfCalls(b.minimumNumberOfCalls())
                .failureRateThreshold(b.failureRateThreshold())
                .waitDurationInOpenState(Duration.ofSeconds(b.waitInOpenSeconds()))
                .permittedNumberOfCallsInHalfOpenState(b.halfOpenCalls())
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                // A refusal of ours inside the breaker (kill switch, an order too late to leave) says nothing about
                // Kraken's health.
                .ignoreExceptions(RefusedException.class, io.tvkraken.order.TooLateException.class)
                .build();
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
