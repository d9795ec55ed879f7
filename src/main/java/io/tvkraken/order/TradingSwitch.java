package io.tvkraken.order;

import io.tvkraken.alert.Refusal;
import io.tvkraken.alert.RefusedException;
import io.tvkraken.telemetry.Notices;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kill switch: {@code TRADING_ENABLED} at start, {@code POST /admin/trading} at runtime (docs/configuration.md,
 * docs/operations.md#kill-switch).
 */
public class TradingSwitch {

    private static final Logger LOG = LoggerFactory.getLogger(TradingSwitch.class);

    private final AtomicBoolean enabled;
    private final Notices notices;

    /** @param notices where a change is raised for the operators (docs/notifications.md#events) */
    public TradingSwitch(boolean enabledAtStart, Notices notices) {
        this.enabled = new AtomicBoolean(enabledAtStart);
        this.notices = notices;
    }

    public boolean enabled() {
        return enabled.get();
    }

    public void set(boolean on) {
        if (enabled.getAndSet(on) != on) {
            LOG.warn("trading switched {}", on ? "ON" : "OFF");
            notices.raise(OrderNotices.killSwitch(on));
        }
    }

    /** 423 while trading is off. Validation requests place nothing and are still served. */
    public void requireEnabled() {
        if (!enabled.get()) {
            throw new RefusedException(Refusal.TRADING_DISABLED, "trading is switched off (kill switch): nothing was sent to Kraken");
        }
    }
}
