package io.tvkraken.notify;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tvkraken.telemetry.Notice;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What became of each notice on each channel, as metrics (docs/notifications.md#metrics):
 * {@code notifications_sent_total}, {@code notifications_failed_total} (after the last retry) and
 * {@code notifications_dropped_total} (its channel's queue was full), each by {@code channel} and {@code event}.
 *
 * <p>A failure is logged with the channel, the event and the exception's class, never its message as it is: camel-telegram
 * puts the request address, bot token included, into its exceptions, and camel-http puts the webhook address into its
 * own. What is left of the message once every address and secret is cut out is logged.
 */
public class NotificationOutcomes {

    /** The exchange property in which Camel keeps the exception an error handler is handling. */
    private static final String CAUGHT = "CamelExceptionCaught";

    private static final Logger LOG = LoggerFactory.getLogger(NotificationOutcomes.class);
    /** Anything that looks like an address: scheme://... up to the next blank. */
    private static final Pattern ADDRESS = Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]*://\\S*");

    private final MeterRegistry registry;
    private final List<String> secrets;

    public NotificationOutcomes(MeterRegistry registry, List<String> secrets) {
        this.registry = registry;
        this.secrets = secrets.stream().filter(s -> s != null && !s.isEmpty()).toList();
    }

    public void sent(@Variable("channel") String channel, @Variable("notice") Notice notice) {
        counter("notifications_sent", "notifications delivered to a channel", channel, notice.event()).increment();
    }

    public void failed(@Variable("channel") String channel, @Variable("notice") Notice notice,
            @ExchangeProperty(CAUGHT) Throwable failure) {
        counter("notifications_failed", "notifications a channel did not take after every retry", channel,
                notice.event()).increment();
        LOG.warn("notification {} to channel {} failed after its retries: {}", notice.event().label(), channel,
                describe(failure));
    }

    void dropped(String channel, Notice.Event event) {
        counter("notifications_dropped", "notifications dropped because their channel's queue was full", channel,
                event).increment();
    }

    /** The root cause's class and its message with every address and secret cut out. */
    String describe(Throwable failure) {
        if (failure == null) {
            return "unknown failure";
        }
        // the innermost cause says what went wrong; the wrappers around it (CamelExecutionException...) do not
        while (failure.getCause() != null && failure.getCause() != failure) {
            failure = failure.getCause();
        }
        String message = failure.getMessage() == null ? "" : failure.getMessage();
        for (String secret : secrets) {
            message = message.replace(secret, "***");
        }
        message = ADDRESS.matcher(message).replaceAll("<address>");
        if (message.length() > 300) {
            message = message.substring(0, 300) + "…";
        }
        return failure.getClass().getSimpleName() + (message.isBlank() ? "" : " (" + message.strip() + ")");
    }

    private Counter counter(String name, String description, String channel, Notice.Event event) {
        return Counter.builder(name).description(description).tag("channel", channel).tag("event", event.label())
                .register(registry);
    }
}
