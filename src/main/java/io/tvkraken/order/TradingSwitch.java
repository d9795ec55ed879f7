package io.tvkraken.order;

import io.tvkraken.alert.Refusal;
import io.tvkraken.alert.RefusedException;
import io.tvkraken.journal.TradingSetting;
import io.tvkraken.telemetry.Notices;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kill switch (docs/replicas.md#kill-switch, docs/operations.md#kill-switch). It is kept in the journal database,
 * so that it survives restarts and every instance sharing the database obeys it: {@code POST /admin/trading} on any
 * instance writes it; {@code TRADING_ENABLED} only seeds a database that has none yet.
 *
 * <p>Each key's sender reads it from the database right before every AddOrder leaves ({@link #requireEnabledAtSend}),
 * after taking the key's turn: a switch committed on any instance stops every AddOrder that starts after it. The
 * webhook's early check ({@link #requireEnabled}, the 423 answer) may use a reading up to {@link #FRESH} old.
 */
public class TradingSwitch {

    private static final Logger LOG = LoggerFactory.getLogger(TradingSwitch.class);
    /** How old a reading the webhook's 423 check and /status may use. */
    static final Duration FRESH = Duration.ofMillis(250);

    private final TradingSetting setting;
    private final Clock clock;
    private final Notices notices;
    private volatile boolean lastRead;
    private volatile Instant readAt = Instant.MIN;

    /**
     * Reads nothing yet: the journal database may still be opening ({@link #seed} is called once it is open, before
     * any route takes a request).
     *
     * @param notices where a change is raised for the operators (docs/notifications.md#events)
     */
    public TradingSwitch(TradingSetting setting, Clock clock, Notices notices) {
        this.setting = setting;
        this.clock = clock;
        this.notices = notices;
    }

    /** Seeds the database with {@code enabledWhenUnset} if it has no setting yet, and reads the setting. */
    public void seed(boolean enabledWhenUnset) {
        lastRead = setting.seed(enabledWhenUnset);
        readAt = clock.instant();
    }

    /** The setting, read at most {@link #FRESH} ago. */
    public boolean enabled() {
        Instant now = clock.instant();
        if (Duration.between(readAt, now).compareTo(FRESH) > 0) {
            remember(setting.enabled(), now);
        }
        return lastRead;
    }

    /**
     * Switches trading for every instance and journals who asked; the change is raised for the operators once, by the
     * instance that made it.
     *
     * @param requestId     the admin request's id
     * @param sourceAddress where it came from
     */
    public void set(boolean on, String requestId, String sourceAddress) {
        if (setting.set(on, requestId, sourceAddress)) {
            LOG.warn("trading switched {} for every instance (admin request {} from {})", on ? "ON" : "OFF",
                    requestId, sourceAddress);
            notices.raise(OrderNotices.killSwitch(on));
        }
        remember(on, clock.instant());
    }

    /** The latest changes, newest first: on or off, when, which admin request from which address. */
    public java.util.List<TradingSetting.Change> changes(int limit) {
        return setting.changes(limit);
    }

    /** 423 while trading is off. Validation requests place nothing and are still served. */
    public void requireEnabled() {
        if (!enabled()) {
            throw refused();
        }
    }

    /** The last check before an AddOrder leaves: read from the database, whatever was read before. */
    public void requireEnabledAtSend() {
        boolean on = setting.enabled();
        remember(on, clock.instant());
        if (!on) {
            throw refused();
        }
    }

    private void remember(boolean on, Instant at) {
        if (on != lastRead) {
            LOG.warn("trading is {} (the kill switch in the journal database)", on ? "ON" : "OFF");
        }
        lastRead = on;
        readAt = at;
    }

    private static RefusedException refused() {
        return new RefusedException(Refusal.TRADING_DISABLED,
                "trading is switched off (kill switch): nothing was sent to Kraken");
    }
}
