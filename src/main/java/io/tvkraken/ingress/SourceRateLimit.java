package io.tvkraken.ingress;

import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At most {@code limit} requests per {@code period} from one source address (docs/operations.md#rate-limits), each
 * source with its own Resilience4j {@code RateLimiter}: its permissions are renewed at the start of each period, so a
 * burst of {@code limit} requests is served at once and the next ones wait for the next period. A request over the
 * limit is refused 429 {@code rate_limited}, with the seconds until the next period in {@code Retry-After}.
 *
 * <p>The counters live in this process's memory: each replica counts on its own, and a restart forgets them. An IPv6
 * source counts by its /64 network, the smallest block a single host is usually given, so that one host cannot
 * escape its limit by changing addresses within it. A source silent for a whole period has nothing left to count and
 * is forgotten once many sources are known; past {@link #MAX_SOURCES} the newcomers share one limit.
 */
public final class SourceRateLimit {

    static final int MAX_SOURCES = 100_000;
    private static final int SWEEP_ABOVE = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(SourceRateLimit.class);

    private record Source(AtomicRateLimiter limiter, AtomicLong lastSeenNanos) {
    }

    private final String name;
    private final int limit;
    private final Duration period;
    private final RateLimiterConfig config;
    private final ConcurrentMap<String, Source> sources = new ConcurrentHashMap<>();
    private final Source overflow;

    /** {@code name} names the limit in messages ({@code webhook}, {@code admin}); {@code limit} 0 switches it off. */
    public SourceRateLimit(String name, int limit, Duration period) {
        if (limit < 0 || period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException(name + " rate limit: the limit must be 0 (off) or more and the period "
                    + "at least a second");
        }
        this.name = name;
        this.limit = limit;
        this.period = period;
        this.config = RateLimiterConfig.custom()
                .limitForPeriod(Math.max(1, limit))
                .limitRefreshPeriod(period)
                // never wait for a permission: a request over the limit is answered 429 at once
                .timeoutDuration(Duration.ZERO)
                .build();
        this.overflow = newSource("overflow");
    }

    public boolean enabled() {
        return limit > 0;
    }

    public int limit() {
        return limit;
    }

    public Duration period() {
        return period;
    }

    /** Counts a request from {@code address} and lets it through, or refuses it 429 with the seconds to wait. */
    public void admit(String address) {
        if (!enabled()) {
            return;
        }
        Source source = sourceOf(key(address));
        source.lastSeenNanos().set(System.nanoTime());
        if (!source.limiter().acquirePermission()) {
            throw refusal(source);
        }
    }

    /**
     * Refuses 429 a source that used up its limit in this period, counting nothing: with {@link #countFailure}, a
     * limit of failed attempts rather than of requests (the admin API's wrong tokens).
     */
    public void checkNotLockedOut(String address) {
        if (!enabled()) {
            return;
        }
        Source source = sources.get(key(address));
        if (source != null && source.limiter().getDetailedMetrics().getAvailablePermissions() <= 0) {
            throw refusal(source);
        }
    }

    /** Counts one failed attempt from {@code address} (see {@link #checkNotLockedOut}). */
    public void countFailure(String address) {
        if (!enabled()) {
            return;
        }
        Source source = sourceOf(key(address));
        source.lastSeenNanos().set(System.nanoTime());
        source.limiter().acquirePermission();
    }

    private RateLimitedException refusal(Source source) {
        long nanos = source.limiter().getDetailedMetrics().getNanosToWait();
        long seconds = Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
        return new RateLimitedException(name + " requests from this address are over the limit of " + limit
                + " per " + period.toSeconds() + " s; retry in " + seconds + " s", seconds);
    }

    private Source sourceOf(String key) {
        Source known = sources.get(key);
        if (known != null) {
            return known;
        }
        if (sources.size() >= SWEEP_ABOVE) {
            forgetSilentSources();
            if (sources.size() >= MAX_SOURCES) {
                return overflow;
            }
        }
        return sources.computeIfAbsent(key, this::newSource);
    }

    private Source newSource(String key) {
        return new Source(new AtomicRateLimiter(name + ":" + key, config), new AtomicLong(System.nanoTime()));
    }

    /** A source silent for a whole period has its full limit again: forgetting it changes nothing. */
    private void forgetSilentSources() {
        long now = System.nanoTime();
        long quiet = period.toNanos();
        int before = sources.size();
        sources.values().removeIf(s -> now - s.lastSeenNanos().get() > quiet);
        LOG.debug("{} rate limit: forgot {} silent sources", name, before - sources.size());
    }

    /** The address an IPv4 source counts by, or the /64 network of an IPv6 one. */
    static String key(String address) {
        if (address == null || address.isEmpty()) {
            return "unknown";
        }
        if (!address.contains(":")) {
            return address;
        }
        String literal = address.startsWith("[") ? address.substring(1, address.length() - 1) : address;
        int zone = literal.indexOf('%');
        if (zone >= 0) {
            literal = literal.substring(0, zone);
        }
        if (!literal.matches("[0-9a-fA-F:.]+")) {
            return address;
        }
        try {
            byte[] bytes = InetAddress.getByName(literal).getAddress();
            if (bytes.length == 4) {
                // an IPv4-mapped IPv6 address: the IPv4 caller it is
                return InetAddress.getByAddress(bytes).getHostAddress();
            }
            return HexFormat.of().formatHex(bytes, 0, 8) + "::/64";
        } catch (UnknownHostException e) {
            return address;
        }
    }
}
