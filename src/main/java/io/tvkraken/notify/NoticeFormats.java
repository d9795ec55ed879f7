package io.tvkraken.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tvkraken.telemetry.Notice;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.Headers;
import org.apache.camel.Variable;

/**
 * Writes a notice the way its channel reads it (docs/notifications.md#formats): plain text for Telegram, e-mail and
 * text endpoints, {@code {"text": ...}} for Slack-style webhooks, the notice as JSON, or a PagerDuty Events API v2
 * trigger. Only the headers the channel's component reads are set: an e-mail's {@code Subject}, and the body's
 * {@code Content-Type}.
 */
public class NoticeFormats {

    /** The name of the service in every message and as PagerDuty's {@code source}. */
    static final String SERVICE = "tradingview-kraken-webhook";

    private final Map<String, Channel> channels;
    private final Map<String, String> routingKeys;
    private final String mode;
    private final ObjectMapper json;

    public NoticeFormats(NotificationSettings settings, String mode, ObjectMapper json) {
        this.channels = settings.channels().stream()
                .collect(java.util.stream.Collectors.toUnmodifiableMap(Channel::name, c -> c));
        this.routingKeys = settings.routingKeys();
        this.mode = mode;
        this.json = json;
    }

    /** The body to send to {@code channel}; the headers it needs are set on {@code headers}. */
    public Object format(@Variable("notice") Notice notice, @Variable("channel") String channel,
            @Headers Map<String, Object> headers) throws Exception {
        Channel target = channels.get(channel);
        Channel.Format format = target == null ? Channel.Format.TEXT : target.format();
        headers.clear();
        switch (format) {
            case SLACK -> {
                headers.put("Content-Type", "application/json");
                return json.writeValueAsString(json.createObjectNode().put("text", text(notice)));
            }
            case JSON -> {
                headers.put("Content-Type", "application/json");
                return json.writeValueAsString(asJson(notice));
            }
            case PAGERDUTY -> {
                headers.put("Content-Type", "application/json");
                ObjectNode event = json.createObjectNode();
                event.put("routing_key", routingKeys.get(channel));
                event.put("event_action", "trigger");
                ObjectNode payload = event.putObject("payload");
                payload.put("summary", truncate(subject(notice) + (notice.text().isEmpty() ? "" : ": "
                        + notice.text()), 1024));
                payload.put("source", SERVICE + " (" + mode + ")");
                payload.put("severity", notice.severity() == Notice.Severity.WARNING ? "warning"
                        : notice.severity() == Notice.Severity.CRITICAL ? "critical" : "info");
                payload.put("timestamp", notice.at().truncatedTo(ChronoUnit.MILLIS).toString());
                payload.put("component", notice.event().label());
                return json.writeValueAsString(event);
            }
            default -> {
                // camel-mail makes every header a mail header, camel-http an HTTP header: the subject only for mail
                if (target == null || target.uri().startsWith("smtp")) {
                    headers.put("Subject", subject(notice));
                }
                headers.put("Content-Type", "text/plain; charset=UTF-8");
                return text(notice);
            }
        }
    }

    /** {@code [WARNING] Order rejected by Kraken (paper)}: the e-mail's subject and the text's first line. */
    String subject(Notice notice) {
        return "[" + notice.severity().label().toUpperCase(Locale.ROOT) + "] " + notice.title() + " (" + mode + ")";
    }

    String text(Notice notice) {
        return subject(notice) + "\n" + (notice.text().isEmpty() ? "" : notice.text() + "\n") + "— " + SERVICE
                + ", " + notice.event().label() + ", "
                + DateTimeFormatter.ISO_INSTANT.format(notice.at().truncatedTo(ChronoUnit.SECONDS));
    }

    ObjectNode asJson(Notice notice) {
        ObjectNode node = json.createObjectNode();
        node.put("event", notice.event().label());
        node.put("severity", notice.severity().label());
        node.put("title", notice.title());
        node.put("text", notice.text());
        node.put("mode", mode);
        node.put("service", SERVICE);
        node.put("at", notice.at().truncatedTo(ChronoUnit.MILLIS).toString());
        return node;
    }

    private static String truncate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
