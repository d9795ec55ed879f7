package io.tvkraken.notify;

import io.tvkraken.SettingsReader;
import io.tvkraken.telemetry.Notice;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The notification settings (docs/notifications.md#configuration), read once at start-up through a property lookup
 * ({@code key -> value or null}), so environment variables override {@code application.properties} as for every
 * other setting: {@code TELEGRAM_BOT_TOKEN}, {@code SMTP_PASSWORD}, {@code NOTIFY_SLACK_URI}...
 *
 * <p>Built in: Telegram (on when {@code telegram.bot-token} and {@code telegram.chat-id} are set) and e-mail (on when
 * {@code smtp.host} and {@code smtp.to} are set). Any other Camel endpoint is a channel named in
 * {@code notify.channels}, with its {@code notify.<name>.uri}.
 *
 * <p>{@link #toString()} and every problem reported name settings, never a token, a password or an endpoint address.
 */
public record NotificationSettings(
        List<Channel> channels,
        Telegram telegram,
        Smtp smtp,
        Map<String, String> routingKeys,
        int queueSize,
        int maxRedeliveries,
        int redeliveryDelayMs,
        LocalTime dailySummaryAt,
        int dailySummaryPollMs) {

    /** The Telegram Bot API: the bot's token (a secret), the chat it writes to, the API's base address. */
    public record Telegram(String botToken, String chatId, String baseUri) {
        /** camel-telegram's endpoint for the chat; the token is set on the component. */
        public String endpointUri() {
            return "telegram:bots?chatId=" + chatId;
        }

        @Override
        public String toString() {
            return "Telegram[token=***, chatId=" + chatId + ", baseUri=" + baseUri + "]";
        }
    }

    /** An SMTP server: {@code security} is {@code starttls}, {@code ssl} or {@code none}. */
    public record Smtp(String host, int port, String user, String password, String from, String to, String security) {
        @Override
        public String toString() {
            return "Smtp[" + host + ":" + port + ", user=" + (user == null ? "unset" : user) + ", password="
                    + (password == null ? "unset" : "***") + ", from=" + from + ", to=" + to + ", security="
                    + security + "]";
        }
    }

    /** A channel's name: it becomes a queue and a route id, and a metric label. */
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,30}");
    private static final List<String> SECURITY = List.of("starttls", "ssl", "none");

    public NotificationSettings {
        channels = List.copyOf(channels);
        routingKeys = Map.copyOf(routingKeys);
    }

    /** Reads the notification settings alone; every problem at once, in an IllegalArgumentException. */
    public static NotificationSettings from(Function<String, String> property) {
        SettingsReader reader = new SettingsReader(property);
        NotificationSettings settings = read(reader);
        if (!reader.problems().isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", reader.problems()));
        }
        return settings;
    }

    /**
     * Reads the notification settings through {@code p}, which notes every problem found: {@link Settings} reads them
     * with the rest, so that one refusal names every problem.
     */
    public static NotificationSettings read(SettingsReader p) {
        List<Channel> channels = new ArrayList<>();
        Map<String, String> routingKeys = new LinkedHashMap<>();

        Telegram telegram = null;
        String token = p.text("telegram.bot-token");
        String chatId = p.text("telegram.chat-id");
        if (token != null && chatId != null) {
            telegram = new Telegram(token, chatId,
                    stripTrailingSlash(p.text("telegram.base-uri", "https://api.telegram.org")));
            // the route sends through the bean, which calls camel-telegram (TelegramMessages says why)
            channels.add(channel("telegram", "bean:telegramMessages?method=send", p, "telegram",
                    Channel.Format.TEXT));
        } else if (token != null || chatId != null) {
            p.problem("Telegram notifications need both TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID");
        }

        Smtp smtp = null;
        // read whether e-mail is on or not: a wrong value is refused before it is needed
        int smtpPort = p.intOf("smtp.port", 587);
        String host = p.text("smtp.host");
        String to = p.text("smtp.to");
        if (host != null && to != null) {
            String security = p.text("smtp.security", "starttls").toLowerCase(Locale.ROOT);
            if (!SECURITY.contains(security)) {
                p.problem("SMTP_SECURITY must be starttls, ssl or none, not '" + security + "'");
            }
            String user = p.text("smtp.user");
            smtp = new Smtp(host, smtpPort, user, p.text("smtp.password"),
                    p.text("smtp.from", user == null ? "tradingview-kraken-webhook@localhost" : user),
                    to, security);
            String scheme = "ssl".equals(security) ? "smtps" : "smtp";
            channels.add(channel("email", scheme + "://" + host + ":" + smtp.port(), p, "smtp", Channel.Format.TEXT));
        } else if (host != null || to != null) {
            p.problem("e-mail notifications need both SMTP_HOST and SMTP_TO");
        }

        for (String name : list(p.text("notify.channels"))) {
            if (!NAME.matcher(name).matches() || name.equals("telegram") || name.equals("email")) {
                p.problem("notify.channels: '" + name + "' is not a channel name (lower case letters, digits and "
                        + "dashes, starting with a letter; telegram and email are built in)");
                continue;
            }
            String prefix = "notify." + name;
            String uri = p.text(prefix + ".uri");
            if (uri == null) {
                p.problem(prefix + ".uri is not set: which Camel endpoint should channel '" + name + "' send to?");
                continue;
            }
            Channel.Format format;
            String formatText = p.text(prefix + ".format", "text");
            try {
                format = Channel.Format.valueOf(formatText.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                p.problem(prefix + ".format must be text, slack, json or pagerduty, not '" + formatText + "'");
                continue;
            }
            if (format == Channel.Format.PAGERDUTY) {
                String key = p.text(prefix + ".routing-key");
                if (key == null) {
                    p.problem(prefix + ".routing-key is not set: PagerDuty needs the integration's routing key");
                } else {
                    routingKeys.put(name, key);
                }
            }
            channels.add(channel(name, uri, p, prefix, format));
        }
        if (channels.stream().map(Channel::name).distinct().count() != channels.size()) {
            p.problem("notify.channels names a channel twice");
        }

        String at = p.text("notify.daily-summary.at", "08:00");
        LocalTime dailyAt = LocalTime.of(8, 0);
        try {
            dailyAt = LocalTime.parse(at);
        } catch (DateTimeParseException e) {
            p.problem("notify.daily-summary.at must be a UTC time of day like 08:00, not '" + at + "'");
        }
        NotificationSettings settings = new NotificationSettings(channels, telegram, smtp, routingKeys,
                p.intOf("notify.queue-size", 100), p.intOf("notify.max-redeliveries", 3),
                p.intOf("notify.redelivery-delay-ms", 1000), dailyAt,
                p.intOf("notify.daily-summary.poll-ms", 60000));
        if (settings.queueSize < 1 || settings.maxRedeliveries < 0 || settings.redeliveryDelayMs < 0
                || settings.dailySummaryPollMs < 100) {
            p.problem("notify.queue-size must be at least 1, notify.max-redeliveries and "
                    + "notify.redelivery-delay-ms 0 or more, notify.daily-summary.poll-ms at least 100");
        }
        return settings;
    }

    private static Channel channel(String name, String uri, SettingsReader p, String prefix,
            Channel.Format format) {
        Set<Notice.Event> events = EnumSet.copyOf(Channel.DEFAULT_EVENTS);
        String eventList = p.text(prefix + ".events");
        if (eventList != null) {
            events = EnumSet.noneOf(Notice.Event.class);
            for (String label : list(eventList)) {
                if (label.equals("all")) {
                    events.addAll(EnumSet.allOf(Notice.Event.class));
                } else if (label.equals("default")) {
                    events.addAll(Channel.DEFAULT_EVENTS);
                } else {
                    try {
                        events.add(Notice.Event.of(label));
                    } catch (IllegalArgumentException e) {
                        p.problem(prefix + ".events: " + e.getMessage());
                    }
                }
            }
        }
        Notice.Severity min = Notice.Severity.INFO;
        String severity = p.text(prefix + ".min-severity");
        if (severity != null) {
            try {
                min = Notice.Severity.of(severity);
            } catch (IllegalArgumentException e) {
                p.problem(prefix + ".min-severity: " + e.getMessage());
            }
        }
        return new Channel(name, uri, events, min, format);
    }

    /** Whether any channel wants this kind of notice at all (a cheap test before anything is built). */
    public boolean anyWants(Notice.Event event) {
        return channels.stream().anyMatch(c -> c.events().contains(event));
    }

    /**
     * What must never be written anywhere but to the channel itself: the bot token, the SMTP password, PagerDuty
     * routing keys and the custom channels' endpoint addresses (a webhook URL is its own credential).
     */
    public List<String> secrets() {
        List<String> secrets = new ArrayList<>();
        if (telegram != null) {
            secrets.add(telegram.botToken());
        }
        if (smtp != null && smtp.password() != null) {
            secrets.add(smtp.password());
        }
        secrets.addAll(routingKeys.values());
        channels.stream().filter(c -> !c.name().equals("telegram") && !c.name().equals("email"))
                .forEach(c -> secrets.add(c.uri()));
        return secrets;
    }

    @Override
    public String toString() {
        return "NotificationSettings[channels=" + channels + ", telegram=" + telegram + ", smtp=" + smtp
                + ", queueSize=" + queueSize + ", maxRedeliveries=" + maxRedeliveries + ", redeliveryDelayMs="
                + redeliveryDelayMs + ", dailySummaryAt=" + dailySummaryAt + "]";
    }

    static List<String> list(String commaList) {
        List<String> entries = new ArrayList<>();
        if (commaList != null) {
            for (String entry : commaList.split(",")) {
                if (!entry.isBlank()) {
                    entries.add(entry.trim());
                }
            }
        }
        return entries;
    }


    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

}
