package io.tvkraken;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tvkraken.alert.AlertParser;
import io.tvkraken.alert.AlertRejectedException;
import io.tvkraken.deadletter.DeadLetterStore;
import io.tvkraken.deadletter.DeadLetters;
import io.tvkraken.ingress.IncomingRequest;
import io.tvkraken.ingress.IpAllowList;
import io.tvkraken.ingress.WebhookAuthenticator;
import io.tvkraken.kraken.KrakenApi;
import io.tvkraken.kraken.KrakenRequests;
import io.tvkraken.kraken.KrakenSigner;
import io.tvkraken.kraken.MarketData;
import io.tvkraken.kraken.NonceGenerator;
import io.tvkraken.ops.AdminApi;
import io.tvkraken.ops.Answers;
import io.tvkraken.ops.Operations;
import io.tvkraken.ops.ServiceMetrics;
import io.tvkraken.ops.TradingSwitch;
import io.tvkraken.alert.AlertAge;
import io.tvkraken.journal.AlertJournal;
import io.tvkraken.journal.Database;
import io.tvkraken.journal.Journal;
import io.tvkraken.journal.NonceHighWater;
import io.tvkraken.order.Deadlines;
import io.tvkraken.order.OrderDesk;
import io.tvkraken.order.OrderOutcomes;
import io.tvkraken.order.OrderPlanner;
import io.tvkraken.order.OrderRunner;
import io.tvkraken.order.Reconciler;
import io.tvkraken.order.Recovery;
import io.tvkraken.order.Replays;
import java.util.concurrent.ExecutorService;
import io.tvkraken.paper.PaperConfig;
import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.RateLimitTier;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.StartupListener;
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

    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent properties = context.getPropertiesComponent();
        Settings settings = Settings.from(key -> properties.resolveProperty(key).orElse(null));
        ObjectMapper json = objectMapper();
        Clock clock = Clock.systemUTC();

        String apiKey = settings.krakenApiKey();
        String apiSecret = settings.krakenApiSecret();
        String baseUrl = settings.krakenApiUrl();
        if (settings.mode() == Settings.Mode.PAPER) {
            PaperConfig paperConfig = PaperConfig.withRandomKeys().withRateLimitTier(rateLimitTier(properties));
            for (var price : amounts(properties, "paper.prices").entrySet()) {
                paperConfig = paperConfig.withPrice(price.getKey(), price.getValue());
            }
            for (var balance : amounts(properties, "paper.balances").entrySet()) {
                paperConfig = paperConfig.withBalance(balance.getKey(), balance.getValue());
            }
            PaperExchange paper = PaperExchange.start(paperConfig);
            apiKey = paper.config().apiKey();
            apiSecret = paper.config().apiSecret();
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

        CircuitBreakerRegistry breakers = CircuitBreakerRegistry.of(breakerConfig(properties));
        CircuitBreaker breaker = breakers.circuitBreaker("kraken");
        breaker.getEventPublisher().onStateTransition(e -> LOG.warn("Kraken circuit breaker: {}",
                e.getStateTransition()));
        context.getRegistry().bind("krakenCircuitBreaker", breaker);

        String mode = settings.mode().name().toLowerCase(Locale.ROOT);
        // The journal database first: nothing may be accepted that could not be journaled.
        Database database = Database.open(settings);
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                database.close();
            }
        });
        context.getRegistry().bind("database", database);
        Journal journal = new Journal(database.dataSource(), clock);
        DeadLetterStore deadLetterStore = new DeadLetterStore(database.dataSource(), json);
        deadLetterStore.importFiles(settings.dataDir());
        // One Prometheus registry for everything: ours, Camel's routes (the route policy below), the JVM's.
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ServiceMetrics metrics = new ServiceMetrics(meters, deadLetterStore, breakers);
        MicrometerRoutePolicyFactory routeMetrics = new MicrometerRoutePolicyFactory();
        routeMetrics.setMeterRegistry(meters);
        context.addRoutePolicyFactory(routeMetrics);
        Answers answers = new Answers(json, mode, metrics);
        TradingSwitch trading = new TradingSwitch(settings.tradingEnabled());
        KrakenApi kraken = new KrakenApi(context.createProducerTemplate());
        MarketData market = new MarketData(kraken,
                Duration.ofSeconds(intProperty(properties, "kraken.pairs.refresh-seconds", 3600)), clock);

        var registry = context.getRegistry();
        registry.bind("settings", settings);
        registry.bind("json", json);
        registry.bind(MicrometerConstants.METRICS_REGISTRY_NAME, meters);
        registry.bind("incomingRequest", new IncomingRequest(settings.maxBodyBytes(), metrics));
        IpAllowList allowList;
        try {
            allowList = new IpAllowList(settings.allowedIps());
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException(e.getMessage());
        }
        registry.bind("webhookAuthenticator", new WebhookAuthenticator(allowList,
                settings.webhookSecret(), settings.webhookPassphrase(), json));
        registry.bind("alertParser", new AlertParser(json));
        Settings.Orders orders = settings.orders();
        Deadlines deadlines = new Deadlines(clock, Duration.ofSeconds(orders.deadlineSeconds()));
        registry.bind("krakenRequests", new KrakenRequests(apiKey, new KrakenSigner(apiSecret),
                new NonceGenerator(new NonceHighWater(database.dataSource(), apiKey)), json, metrics, trading,
                deadlines, journal));
        registry.bind("krakenApi", kraken);
        registry.bind("marketData", market);
        registry.bind("orderDesk", new OrderDesk(market, new OrderPlanner(), journal, json));
        registry.bind("answers", answers);
        registry.bind("deadLetterStore", deadLetterStore);
        DeadLetters deadLetters = new DeadLetters(deadLetterStore, journal, answers, metrics, clock);
        registry.bind("deadLetters", deadLetters);
        registry.bind("journal", journal);
        registry.bind("alertJournal", new AlertJournal(journal, deadLetters, answers, json));
        registry.bind("alertAge", new AlertAge(clock, settings.maxAlertAgeSeconds()));
        Reconciler reconciler = new Reconciler(kraken, clock, orders);
        OrderOutcomes outcomes = new OrderOutcomes(journal, answers, deadLetters, reconciler, kraken, metrics,
                orders);
        registry.bind("orderOutcomes", outcomes);
        OrderRunner runner = new OrderRunner(context, answers, journal, orders.workers(), orders.answerWithinMs());
        registry.bind("orderRunner", runner);
        registry.bind("tradingSwitch", trading);
        registry.bind("operations", new Operations(context, settings, breaker, market, deadLetterStore, trading,
                metrics, answers, database, journal));
        Replays replays = new Replays(journal, deadLetterStore, runner, outcomes, reconciler,
                new AlertParser(json), trading, json, clock);
        registry.bind("adminApi", new AdminApi(settings.adminToken(), deadLetterStore, journal, replays, trading,
                answers, json));
        Recovery recovery = new Recovery(journal, outcomes, deadLetters, json);
        java.time.Instant startedAt = clock.instant();

        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                LOG.info(settings.startupLine());
                market.warmUp();
                // Alerts the previous run left unfinished, settled in the background: start-up is not held up.
                ExecutorService recovering = started.getExecutorServiceManager()
                        .newSingleThreadExecutor(AppConfiguration.this, "recovery");
                recovering.submit(() -> recovery.recover(startedAt));
                recovering.shutdown();
            }
        });
    }

    /**
     * Strict JSON: numbers as BigDecimal (money is never a double), and small read limits — an alert is a few
     * hundred bytes (perf-and-reliability.md §6: Jackson's defaults allow 1,000 levels and 20 MB strings).
     */
    static ObjectMapper objectMapper() {
        JsonMapper mapper = JsonMapper.builder()
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                // journal and dead-letter times as ISO-8601 text
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .build();
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(32).maxStringLength(1 << 20).maxNumberLength(64).build());
        return mapper;
    }

    /**
     * Resilience4j's defaults never open below 100 calls and stay open 60 s (perf-and-reliability.md §5); at webhook
     * volumes the breaker must judge a handful of calls.
     */
    static CircuitBreakerConfig breakerConfig(PropertiesComponent p) {
        return CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(intProperty(p, "kraken.breaker.sliding-window-size", 10))
                .minimumNumberOfCalls(intProperty(p, "kraken.breaker.minimum-number-of-calls", 5))
                .failureRateThreshold(intProperty(p, "kraken.breaker.failure-rate-threshold", 50))
                .waitDurationInOpenState(Duration.ofSeconds(intProperty(p, "kraken.breaker.wait-in-open-seconds", 30)))
                .permittedNumberOfCallsInHalfOpenState(intProperty(p, "kraken.breaker.half-open-calls", 2))
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                // A refusal of ours (kill switch) inside the breaker says nothing about Kraken's health.
                .ignoreExceptions(AlertRejectedException.class)
                .build();
    }

    /** {@code XXBTZUSD=60000.0,XETHZUSD=3000} (paper prices by pair id, or balances by asset code). */
    static Map<String, BigDecimal> amounts(PropertiesComponent p, String key) {
        Map<String, BigDecimal> amounts = new LinkedHashMap<>();
        for (String entry : p.resolveProperty(key).orElse("").split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            String[] kv = entry.split("=", 2);
            try {
                amounts.put(kv[0].trim(), new BigDecimal(kv[1].trim()));
            } catch (RuntimeException e) {
                throw new InvalidConfigurationException(key + " entry '" + entry.trim()
                        + "' must look like NAME=123.45");
            }
        }
        return amounts;
    }

    /**
     * {@code paper.rate-limit-tier}: whose rate limits the paper exchange enforces. Starter unless set, as a new Kraken
     * account has it, so that paper trading meets the limits live trading would
     * (https://docs.kraken.com/api/docs/guides/spot-rest-ratelimits).
     */
    static RateLimitTier rateLimitTier(PropertiesComponent p) {
        String text = p.resolveProperty("paper.rate-limit-tier").map(String::trim).orElse("");
        if (text.isEmpty()) {
            return RateLimitTier.STARTER;
        }
        try {
            return RateLimitTier.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException(
                    "paper.rate-limit-tier must be starter, intermediate, pro or off, not '" + text + "'");
        }
    }

    private static int intProperty(PropertiesComponent p, String key, int fallback) {
        return p.resolveProperty(key).map(String::trim).map(Integer::parseInt).orElse(fallback);
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
