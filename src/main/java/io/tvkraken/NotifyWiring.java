package io.tvkraken;

import io.tvkraken.journal.JobLeases;
import io.tvkraken.notify.DailySummary;
import io.tvkraken.notify.NoticeFormats;
import io.tvkraken.notify.NoticeQueue;
import io.tvkraken.notify.NotificationOutcomes;
import io.tvkraken.notify.NotificationSettings;
import io.tvkraken.telemetry.Notice;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.LambdaRouteBuilder;
import org.apache.camel.component.mail.MailComponent;
import org.apache.camel.component.mail.MailConfiguration;
import org.apache.camel.component.telegram.TelegramComponent;

/**
 * Notifications (docs/notifications.md): raised where outcomes are decided, queued per channel, delivered by the
 * channels' routes; nothing here waits for a channel.
 */
final class NotifyWiring {

    private NotifyWiring() {
    }

    /** The queues notices are raised into, and the channels' components and routes. */
    static void queue(Wiring w) {
        NotificationSettings notify = w.settings.notifications();
        NotificationOutcomes outcomes = new NotificationOutcomes(w.meters, notify.secrets());
        w.notices = new NoticeQueue(notify.channels(), w.context, w.context.createProducerTemplate(), outcomes,
                w.redaction::redact, notify.queueSize());
        notificationChannels(w.context, notify);
        w.krakenBreakers.notifyChanges(w.notices::raise);
        w.registry.bind("notices", w.notices);
        w.registry.bind("notificationOutcomes", outcomes);
    }

    /** How notices are written, and the daily summary (sent by one instance a day). */
    static void bind(Wiring w) {
        NotificationSettings notify = w.settings.notifications();
        w.registry.bind("noticeFormats", new NoticeFormats(notify, w.mode, w.json));
        w.registry.bind("dailySummary", new DailySummary(notify.anyWants(Notice.Event.DAILY_SUMMARY),
                notify.dailySummaryAt(), w.journal, w.deadLetterStore, w.market::balances,
                new JobLeases(w.database.dataSource(), w.clock, w.journal.instance()), w.clock));
    }

    /**
     * The built-in channels' components, configured here so that the bot token and the SMTP password stay out of
     * endpoint URIs, and one route per channel from the route template {@code notification-channel}
     * (routes/notifications.camel.yaml), bound as a route builder that camel-main adds once the YAML templates are
     * loaded.
     */
    private static void notificationChannels(CamelContext context, NotificationSettings notify) {
        if (notify.telegram() != null) {
            TelegramComponent telegram = new TelegramComponent();
            telegram.setAuthorizationToken(notify.telegram().botToken());
            telegram.setBaseUri(notify.telegram().baseUri());
            context.addComponent("telegram", telegram);
            context.getRegistry().bind("telegramMessages",
                    new io.tvkraken.notify.TelegramMessages(context.createProducerTemplate(),
                            notify.telegram().endpointUri()));
        }
        if (notify.smtp() != null) {
            NotificationSettings.Smtp smtp = notify.smtp();
            MailConfiguration mail = new MailConfiguration();
            mail.setUsername(smtp.user());
            mail.setPassword(smtp.password());
            mail.setFrom(smtp.from());
            mail.setTo(smtp.to());
            // JavaMail waits forever by default; a dead server must not hold the channel's route for long
            mail.setConnectionTimeout(10000);
            java.util.Properties javaMail = new java.util.Properties();
            javaMail.setProperty("mail.smtp.timeout", "10000");
            javaMail.setProperty("mail.smtp.writetimeout", "10000");
            javaMail.setProperty("mail.smtps.timeout", "10000");
            javaMail.setProperty("mail.smtps.writetimeout", "10000");
            if ("starttls".equals(smtp.security())) {
                javaMail.setProperty("mail.smtp.starttls.enable", "true");
                javaMail.setProperty("mail.smtp.starttls.required", "true");
            }
            mail.setAdditionalJavaMailProperties(javaMail);
            MailComponent component = new MailComponent();
            component.setConfiguration(mail);
            context.addComponent("ssl".equals(smtp.security()) ? "smtps" : "smtp", component);
        }
        context.getRegistry().bind("notificationChannelRoutes", (LambdaRouteBuilder) routes -> {
            for (var channel : notify.channels()) {
                routes.templatedRoute("notification-channel")
                        .routeId("notify-" + channel.name())
                        .prefixId("notify-" + channel.name() + "-")
                        .parameter("channel", channel.name())
                        .parameter("uri", channel.uri());
            }
        });
    }
}
