package io.tvkraken;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tvkraken.kraken.Accounts;
import io.tvkraken.journal.Database;
import io.tvkraken.journal.Journal;
import io.tvkraken.journal.JournalRetention;
import io.tvkraken.paper.PaperConfig;
import io.tvkraken.paper.PaperExchange;
import io.tvkraken.secrets.Secrets;
import io.tvkraken.telemetry.Notice;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.StartupListener;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the beans that the YAML routes call, from {@link Settings}: secrets and settings first, the journal database,
 * the paper exchange in paper mode, then one short piece per capability ({@link KrakenWiring}, {@link OpsWiring},
 * {@link IngressWiring}, {@link NotifyWiring}, {@link OrderWiring}), each handing what it built to the next through
 * {@link Wiring}. In paper mode it also starts the in-process Kraken-compatible exchange and points
 * {@code kraken.base-url} at it, so that paper trading goes through the very same route, HTTP client, signature and
 * circuit breaker as live trading.
 */
public class AppConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(AppConfiguration.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent properties = context.getPropertiesComponent();
        Function<String, String> property = key -> properties.resolveProperty(key).orElse(null);
        // Secrets first: those the environment does not give come from Google Secret Manager when GCP_PROJECT_ID is
        // set (docs/secrets.md#precedence), before anything is checked or built with them. Its settings wrong (a
        // timeout that is no number...) leave Secret Manager out: Settings.from refuses them with every other problem.
        Secrets fromSecretManager = Secrets.resolve(Settings.SecretManager.configOrUnused(property), property);
        // as if the environment had given them, for whatever reads them as properties
        fromSecretManager.byPropertyKey().forEach(properties::addOverrideProperty);
        // every key the service reads, read and checked at once (the placeholders of the YAML routes included)
        Settings settings;
        try {
            settings = Settings.from(key -> fromSecretManager.value(key).orElseGet(() -> property.apply(key)));
        } catch (InvalidConfigurationException refusal) {
            throw fromSecretManager.explain(refusal);
        }
        // One Prometheus registry for everything: ours, the connection pool's, Camel's routes (the route policy below),
        // the JVM's.
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // The journal database first: nothing may be accepted that could not be journaled. It opens and migrates on a
        // thread of its own while the rest is prepared; the routes start once it is open (onCamelContextStarting
        // below; docs/operations.md#start-up-time-and-memory).
        Database database = Database.start(settings.database(), new MicrometerMetricsTrackerFactory(meters));
        context.addService(database);
        context.getRegistry().bind("database", database);
        ObjectMapper json = objectMapper();
        Clock clock = Clock.systemUTC();

        // the key pool: key i signs with secret i (docs/kraken.md#key-pool); Settings checked the lists
        List<String> apiKeys = settings.krakenApiKeys();
        List<String> apiSecrets = settings.krakenApiSecrets();
        String baseUrl = settings.krakenApiUrl();
        if (settings.mode() == Settings.Mode.PAPER) {
            // None in production; a test binds one to record and steer the exchange from its first request.
            PaperExchange.Wrapper wrapper = context.getRegistry().lookupByNameAndType("paperExchangeWrapper",
                    PaperExchange.Wrapper.class);
            if (wrapper == null) {
                wrapper = context.getRegistry().findSingleByType(PaperExchange.Wrapper.class);
            }
            PaperExchange paper = paperExchange(context, settings, settings.paper().balances(), clock,
                    wrapper == null ? PaperExchange.Wrapper.NONE : wrapper, "paperExchange");
            apiKeys = List.of(paper.config().apiKey());
            apiSecrets = List.of(paper.config().apiSecret());
            baseUrl = paper.baseUrl().toString();
        }
        baseUrl = stripTrailingSlash(baseUrl);
        properties.addOverrideProperty("kraken.base-url", baseUrl);
        // the named accounts (docs/accounts.md): their keys numbered after the default account's; in paper mode each
        // has an exchange of its own, with its own balances, so that one account's orders never touch another's
        List<Accounts.Account> accounts = new ArrayList<>();
        accounts.add(new Accounts.Account(Accounts.DEFAULT, 0, apiKeys.size(), baseUrl));
        apiKeys = new ArrayList<>(apiKeys);
        apiSecrets = new ArrayList<>(apiSecrets);
        for (Settings.NamedAccount named : settings.accounts()) {
            List<String> keys = named.apiKeys();
            List<String> secrets = named.apiSecrets();
            String url = baseUrl;
            if (settings.mode() == Settings.Mode.PAPER) {
                // a test may tap each account's exchange, as the default account's
                PaperExchange.Wrapper tap = context.getRegistry().lookupByNameAndType("paperExchangeWrapper-"
                        + named.name(), PaperExchange.Wrapper.class);
                PaperExchange paper = paperExchange(context, settings, named.paperBalances(), clock,
                        tap == null ? PaperExchange.Wrapper.NONE : tap, "paperExchange-" + named.name());
                keys = List.of(paper.config().apiKey());
                secrets = List.of(paper.config().apiSecret());
                url = stripTrailingSlash(paper.baseUrl().toString());
            }
            accounts.add(new Accounts.Account(named.name(), apiKeys.size(), keys.size(), url));
            apiKeys.addAll(keys);
            apiSecrets.addAll(secrets);
        }

        Wiring w = new Wiring(context, settings, json, clock, meters, database,
                settings.mode().name().toLowerCase(Locale.ROOT));
        w.apiKeys = List.copyOf(apiKeys);
        w.apiSecrets = List.copyOf(apiSecrets);
        w.accounts = new Accounts(accounts);
        w.registry.bind("krakenAccounts", w.accounts);
        KrakenWiring.breakers(w);
        w.journal = journal(context, w);
        w.redaction = IngressWiring.redaction(settings, apiKeys, apiSecrets, fromSecretManager.values());
        OpsWiring.metricsAndAnswers(w);
        IngressWiring.bind(w);
        NotifyWiring.queue(w);
        OrderWiring.tradingSwitch(w);
        KrakenWiring.marketData(w);
        KrakenWiring.rateBudget(w);
        KrakenWiring.keyPool(w);
        OrderWiring.bind(w);
        OpsWiring.bind(w);
        NotifyWiring.bind(w);
        context.addStartupListener(startupListener(w));
    }

    /**
     * Rows in flight are leased to this instance and renewed by the renew-leases route while it lives: a replica that
     * dies leaves them to the others after one lease (docs/replicas.md#leases).
     */
    private static Journal journal(CamelContext context, Wiring w) throws Exception {
        String instance = java.net.InetAddress.getLocalHost().getHostName() + ":" + ProcessHandle.current().pid()
                + ":" + Long.toHexString(Double.doubleToLongBits(Math.random())).substring(0, 6);
        Journal journal = new Journal(w.database.dataSource(), w.clock, Journal.truncate(instance, 64),
                Duration.ofSeconds(w.settings.orders().leaseSeconds()));
        // stopped after the routes (which finish their in-flight alerts), before the database: its leases released
        context.addService(new Journal.LeaseRelease(journal));
        w.registry.bind("journal", journal);
        w.registry.bind("journalRetention", new JournalRetention(w.database.dataSource(), w.clock,
                Duration.ofDays(w.settings.journalRetentionDays())));
        return journal;
    }

    /** The journal open before any route takes a request; the start-up line once every route has started. */
    private static StartupListener startupListener(Wiring w) {
        Settings settings = w.settings;
        return new StartupListener() {
            @Override
            public void onCamelContextStarting(CamelContext starting, boolean alreadyStarted) {
                // before any route takes a request: the journal open and migrated, earlier dead-letter files in it
                w.database.awaitOpen();
                w.trading.seed(settings.tradingEnabled());
                w.deadLetterStore.importFiles(settings.dataDir(), w.redaction::redact);
            }

            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                // the asset pairs first: the line says the service is ready, as GET /health then does
                w.market.warmUp();
                String ready = settings.startupLine(w.trading.enabled(), w.journal.instance());
                LOG.info(ready);
                if (settings.mode() == Settings.Mode.LIVE) {
                    w.notices.raise(Notice.of(Notice.Event.STARTED_LIVE, Notice.Severity.WARNING,
                            "Service started in live mode", "Orders go to Kraken with real money. " + ready));
                }
            }
        };
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
     * A paper exchange of the service's own, started and stopped with the context: the prices and rate limits of the
     * settings, the starting balances given (docs/configuration.md#paper-and-live-mode).
     */
    private static PaperExchange paperExchange(CamelContext context, Settings settings,
            java.util.Map<String, java.math.BigDecimal> balances, Clock clock, PaperExchange.Wrapper wrapper,
            String bean) throws Exception {
        PaperConfig paperConfig = PaperConfig.withRandomKeys().withRateLimitTier(settings.paper().rateLimitTier());
        for (var price : settings.paper().prices().entrySet()) {
            paperConfig = paperConfig.withPrice(price.getKey(), price.getValue());
        }
        for (var balance : balances.entrySet()) {
            paperConfig = paperConfig.withBalance(balance.getKey(), balance.getValue());
        }
        PaperExchange paper = PaperExchange.start(paperConfig, clock, wrapper);
        context.getRegistry().bind(bean, paper);
        context.addService(paper); // stopped with the context
        return paper;
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
