package io.tvkraken.paper;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Paper mode: a Kraken-compatible spot exchange in this process, on a real HTTP server. The application reaches it
 * through the same route and HTTP client as the live Kraken, so it answers the same paths, checks the same
 * {@code API-Key}/{@code API-Sign}/nonce rules and replies with Kraken's envelope, {@code {"error":[...],"result":...}},
 * with HTTP 200 for business errors too (https://docs.kraken.com/api/docs/guides/spot-errors).
 *
 * <p>Public (GET, query string, {@link PublicEndpoints}): {@code Time}, {@code SystemStatus}, {@code AssetPairs},
 * {@code Ticker}. Private (POST, form or JSON body, {@link PrivateEndpoints}): {@code Balance}, {@code BalanceEx},
 * {@code AddOrder}, {@code OpenOrders}, {@code ClosedOrders}, {@code QueryOrders}, {@code CancelOrder},
 * {@code CancelAll}. {@link PaperServer} is the HTTP side. A wrong HTTP verb gets HTTP 200 and
 * {@code EGeneral:Invalid arguments}, in the envelope like every other refusal, rather than a 405 that no Kraken client
 * expects. A path outside {@code /0/public} and {@code /0/private} gets a plain 404.
 *
 * <p>API keys: {@link PaperConfig#apiKeys()}, like the keys of one Kraken account. Each key has its own nonce stream
 * and its own REST call counter; every key trades the one account, sees all of its orders and shares its trading
 * counters (docs/kraken.md#key-pool).
 *
 * <p>Rate limits are Kraken's, for the tier in {@link PaperConfig#rateLimitTier()} (Starter unless chosen otherwise):
 * the REST call counter per API key (https://docs.kraken.com/api/docs/guides/spot-rest-ratelimits), refused with
 * {@code EAPI:Rate limit exceeded}, and the trading counter per pair for AddOrder and CancelOrder
 * (https://docs.kraken.com/api/docs/guides/spot-ratelimits), refused with {@code EOrder:Rate limit exceeded}, for
 * the account whichever key sends them. Both
 * run on the exchange's clock ({@link #start(PaperConfig, Clock)}), so a test can cross a decay exactly. Public
 * methods are not limited: Kraken limits them per IP address and publishes no figures.
 *
 * <p>Simplifications, on purpose: one account; market orders fill in full at the configured price without fees;
 * other orders rest as open until cancelled and reserve no funds; no margin. Memory is bounded whatever the number of
 * orders: at most {@link PaperConfig#openOrdersLimit()} open orders, and only the
 * {@link PaperConfig#closedOrdersKept()} most recently closed ones are remembered ({@link PaperAccount}).
 *
 * <p>The exchange keeps no record of the requests it answers. Whoever needs to watch or steer it from the same
 * process, a test above all, passes a {@link Wrapper} that wraps its {@link PaperHandler}; the default,
 * {@link Wrapper#NONE}, leaves it as it is.
 *
 * <p>A Camel {@link org.apache.camel.Service}: {@link #start(PaperConfig)} binds the port and starts answering,
 * {@link #stop()} (or {@link #close()}) stops at once.
 */
public final class PaperExchange extends ServiceSupport {

    /**
     * Wraps the exchange's handler once, before its first request: the one way in for code that sees or changes the
     * traffic, which the exchange itself knows nothing about. The wrapping handler is called on the request threads,
     * concurrently, and the request waits for it.
     */
    @FunctionalInterface
    public interface Wrapper {

        /** The exchange as Kraken: nothing seen, nothing changed. */
        Wrapper NONE = exchange -> exchange;

        /** @return the handler the server calls instead of {@code exchange}; it may call {@code exchange} or not */
        PaperHandler wrap(PaperHandler exchange);
    }

    private static final Logger LOG = LoggerFactory.getLogger(PaperExchange.class);
    /** Request threads besides one per API key: a key's call in flight never holds up another key's. */
    private static final int THREADS = 4;

    private final PaperConfig config;
    private final Clock clock;
    private final Wrapper wrapper;
    private final Replies replies;
    private final PaperPairs pairs;
    private final PaperAccount account;
    private final RateLimits rateLimits;
    private final PublicEndpoints publicEndpoints;
    private final PrivateEndpoints privateEndpoints;
    private final PaperHandler handler;
    /** Made by each start: a stopped server cannot start again. */
    private volatile PaperServer server;

    /**
     * An exchange on {@code clock}, not yet listening. The clock is the exchange's "now" for {@code opentm}/
     * {@code closetm}, {@code Time}, {@code SystemStatus}, the {@code deadline} checks of AddOrder
     * (https://docs.kraken.com/api/docs/rest-api/add-order), {@link PaperConfig#orderVisibilityDelay()} and the decay
     * of the rate counters; a test passes a clock it moves by hand to cross a deadline or a decay without waiting for
     * it. {@code addOrderLatency} is real time whatever the clock.
     */
    public PaperExchange(PaperConfig config, Clock clock, Wrapper wrapper) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.wrapper = Objects.requireNonNull(wrapper, "wrapper");
        ObjectMapper json = new ObjectMapper();
        this.replies = new Replies(json);
        this.pairs = PaperPairs.load(json, config.assetPairsResource());
        this.account = new PaperAccount(config, clock);
        this.rateLimits = new RateLimits(config.rateLimitTier(), clock.instant());
        this.publicEndpoints = new PublicEndpoints(clock, replies, pairs, account);
        this.privateEndpoints = new PrivateEndpoints(config, clock, json, replies, pairs, account, rateLimits);
        this.handler = Objects.requireNonNull(wrapper.wrap(this::answer), "the wrapper's handler");
    }

    /** Binds {@code config.host():config.port()} and starts answering, on the system clock (UTC). */
    public static PaperExchange start(PaperConfig config) {
        return start(config, Clock.systemUTC());
    }

    /** Like {@link #start(PaperConfig)}, on {@code clock} (see {@link #PaperExchange}). */
    public static PaperExchange start(PaperConfig config, Clock clock) {
        return start(config, clock, Wrapper.NONE);
    }

    /** Like {@link #start(PaperConfig, Clock)}, its handler wrapped by {@code wrapper} from the first request on. */
    public static PaperExchange start(PaperConfig config, Clock clock, Wrapper wrapper) {
        PaperExchange exchange = new PaperExchange(config, clock, wrapper);
        exchange.start();
        return exchange;
    }

    /** E.g. {@code http://127.0.0.1:41234}; append {@code /0/public/Time} and so on. */
    public URI baseUrl() {
        PaperServer current = server;
        if (current == null) {
            throw new IllegalStateException("the paper exchange has not been started");
        }
        return current.baseUrl();
    }

    public PaperConfig config() {
        return config;
    }

    /** Stops at once: a request still being answered is interrupted and gets no answer. */
    @Override
    public void close() {
        stop();
    }

    /** @throws java.io.UncheckedIOException if the port cannot be bound */
    @Override
    protected void doStart() {
        PaperServer started = new PaperServer(config.host(), config.port(), THREADS + config.apiKeys().size(), handler,
                replies.error("EGeneral:Internal error"));
        started.start();
        server = started;
        LOG.info("paper exchange listening on {}", started.baseUrl());
    }

    @Override
    protected void doStop() {
        PaperServer current = server;
        if (current != null) {
            current.stop();
        }
    }

    /** Kraken's answer to a request, a refusal included; the handler the {@link Wrapper} wraps. */
    private PaperReply answer(PaperRequest request) {
        try {
            return PaperReply.json(request.isPrivate() ? privateEndpoints.answer(request) : publicEndpoints.answer(request));
        } catch (KrakenReject e) {
            return PaperReply.json(replies.error(e.error()));
        }
    }

    // ---------------------------------------------------------------- for a replay (docs/replays.md)

    /**
     * Moves the last trade price of the pair named {@code name} (its id or altname) to {@code price}: market orders and
     * Ticker follow it, as when the market moved.
     *
     * @return false when the exchange has no such pair
     */
    public boolean movePrice(String name, BigDecimal price) {
        Optional<PaperPair> pair = pairs.find(name);
        pair.ifPresent(p -> account.setPrice(p.id(), Objects.requireNonNull(price, "price")));
        return pair.isPresent();
    }

    /** What the account holds now, per Kraken asset code. */
    public Map<String, BigDecimal> holdings() {
        return account.balances();
    }

    /** Every order the exchange knows, open and closed, in placement order. */
    public List<PaperOrder> allOrders() {
        return account.orders();
    }

    /**
     * What the account holds, valued in {@code quoteAsset} (e.g. {@code ZUSD}) at the last prices: each asset through
     * its pair with that quote. Assets without such a pair or price are left out.
     */
    public BigDecimal equity(String quoteAsset) {
        BigDecimal total = BigDecimal.ZERO;
        for (Map.Entry<String, BigDecimal> held : account.balances().entrySet()) {
            if (held.getKey().equals(quoteAsset)) {
                total = total.add(held.getValue());
                continue;
            }
            for (PaperPair pair : pairs.all()) {
                if (pair.base().equals(held.getKey()) && pair.quote().equals(quoteAsset)) {
                    BigDecimal price = account.priceOrNull(pair.id());
                    if (price != null) {
                        total = total.add(held.getValue().multiply(price));
                    }
                    break;
                }
            }
        }
        return total;
    }

    // ---------------------------------------------------------------- for the test harness in this package

    PaperAccount account() {
        return account;
    }

    PaperPairs pairs() {
        return pairs;
    }

    RateLimits rateLimits() {
        return rateLimits;
    }

    Clock clock() {
        return clock;
    }

    Wrapper wrapper() {
        return wrapper;
    }
}
