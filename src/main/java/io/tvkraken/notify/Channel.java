package io.tvkraken.notify;

import io.tvkraken.telemetry.Notice;
import java.util.EnumSet;
import java.util.Set;

/**
 * One place notices go (docs/notifications.md#channels): a name ({@code telegram}, {@code email}, or one of
 * {@code notify.channels}), the Camel endpoint that delivers them, the events it wants and from which severity, and
 * the shape of the message it expects.
 *
 * <p>{@link #toString()} leaves the endpoint out: a webhook address is a credential (a Slack incoming webhook's path
 * is its key).
 */
public record Channel(String name, String uri, Set<Notice.Event> events, Notice.Severity minSeverity, Format format) {

    /** How a notice is written for the channel. */
    public enum Format {
        /** Plain text: a title line, the text, the service and the time (Telegram, e-mail, any text endpoint). */
        TEXT,
        /** {@code {"text": "..."}}, what a Slack incoming webhook (and Mattermost, Rocket.Chat...) expects. */
        SLACK,
        /** The notice as JSON: event, severity, title, text, mode, service, time. */
        JSON,
        /** A PagerDuty Events API v2 {@code trigger} (its routing key from {@code notify.<name>.routing-key}). */
        PAGERDUTY
    }

    /** Every event but the one for each executed order, which is for those who ask for it. */
    public static final Set<Notice.Event> DEFAULT_EVENTS = EnumSet.complementOf(EnumSet.of(Notice.Event.ORDER_EXECUTED));

    public Channel {
        events = Set.copyOf(events);
    }

    public boolean wants(Notice notice) {
        return events.contains(notice.event()) && notice.severity().compareTo(minSeverity) >= 0;
    }

    /** The seda queue between the code that raises notices and this channel's route. */
    public String queue() {
        return "notify-" + name;
    }

    @Override
    public String toString() {
        return "Channel[" + name + ", events=" + events + ", min-severity=" + minSeverity.label() + ", format="
                + format + "]";
    }
}
