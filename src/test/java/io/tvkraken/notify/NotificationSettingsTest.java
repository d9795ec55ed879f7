package io.tvkraken.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tvkraken.telemetry.Notice;
import io.tvkraken.telemetry.Notice.Event;
import io.tvkraken.telemetry.Notice.Severity;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The channels an operator configures (docs/notifications.md#configuration), and what each of them gets. */
class NotificationSettingsTest {

    static final String TOKEN = "7301234567:AAtg-Unit-Test-Token-Zq4";

    @Test
    void theValuesOfApplicationPropertiesAreTheBuiltInDefaultsAndConfigureNoChannel() throws Exception {
        Properties file = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of("application.properties"), StandardCharsets.UTF_8)) {
            file.load(in);
        }
        NotificationSettings fromFile = NotificationSettings.from(file::getProperty);
        NotificationSettings builtIn = NotificationSettings.from(key -> null);
        assertThat(fromFile).isEqualTo(builtIn);
        assertThat(builtIn.channels()).isEmpty();
        assertThat(builtIn.queueSize()).isEqualTo(100);
        assertThat(builtIn.maxRedeliveries()).isEqualTo(3);
        assertThat(builtIn.redeliveryDelayMs()).isEqualTo(1000);
        assertThat(builtIn.dailySummaryAt()).isEqualTo(LocalTime.of(8, 0));
        assertThat(builtIn.dailySummaryPollMs()).isEqualTo(60000);
    }

    @Test
    void telegramEmailAndAnyEndpointEachWithTheEventsAndSeverityTheyChose() {
        Map<String, String> p = new HashMap<>();
        p.put("telegram.bot-token", TOKEN);
        p.put("telegram.chat-id", "-1001234");
        p.put("smtp.host", "smtp.example.com");
        p.put("smtp.to", "ops@example.com");
        p.put("smtp.user", "alerts@example.com");
        p.put("smtp.password", "smtp-secret-value");
        p.put("smtp.events", "order_outcome_unknown, breaker_opened");
        p.put("smtp.min-severity", "critical");
        p.put("notify.channels", "slack, pagerduty");
        p.put("notify.slack.uri", "https://hooks.slack.com/services/T0/B0/XYZ");
        p.put("notify.slack.format", "slack");
        p.put("notify.slack.events", "all");
        p.put("notify.pagerduty.uri", "https://events.pagerduty.com/v2/enqueue");
        p.put("notify.pagerduty.format", "pagerduty");
        p.put("notify.pagerduty.routing-key", "pd-routing-key");
        NotificationSettings s = NotificationSettings.from(p::get);

        assertThat(s.channels()).extracting(Channel::name).containsExactly("telegram", "email", "slack", "pagerduty");
        Channel telegram = s.channels().get(0);
        assertThat(telegram.events()).isEqualTo(EnumSet.complementOf(EnumSet.of(Event.ORDER_EXECUTED)));
        assertThat(s.telegram().endpointUri()).isEqualTo("telegram:bots?chatId=-1001234");
        assertThat(s.channels().get(1).uri()).isEqualTo("smtp://smtp.example.com:587");
        assertThat(s.smtp().from()).as("the user, when no sender is given").isEqualTo("alerts@example.com");
        assertThat(s.channels().get(2).events()).isEqualTo(EnumSet.allOf(Event.class));

        Notice rejected = Notice.of(Event.ORDER_REJECTED, Severity.WARNING, "Order rejected by Kraken", "");
        Notice unknown = Notice.of(Event.ORDER_OUTCOME_UNKNOWN, Severity.CRITICAL, "Order outcome unknown", "");
        Notice executed = Notice.of(Event.ORDER_EXECUTED, Severity.INFO, "Order executed", "");
        assertThat(telegram.wants(rejected)).isTrue();
        assertThat(telegram.wants(executed)).as("only when asked for").isFalse();
        Channel email = s.channels().get(1);
        assertThat(email.wants(unknown)).isTrue();
        assertThat(email.wants(rejected)).as("not in its events").isFalse();
        assertThat(email.wants(Notice.of(Event.BREAKER_OPENED, Severity.WARNING, "query breaker", "")))
                .as("below its minimum severity").isFalse();

        assertThat(s.secrets()).containsExactlyInAnyOrder(TOKEN, "smtp-secret-value", "pd-routing-key",
                "https://hooks.slack.com/services/T0/B0/XYZ", "https://events.pagerduty.com/v2/enqueue");
        assertThat(s.toString()).doesNotContain(TOKEN, "smtp-secret-value", "pd-routing-key", "XYZ");
    }

    @Test
    void aConfigurationThatMakesNoSenseRefusesToStartNamingSettingsNeverValues() {
        Map<String, String> p = new HashMap<>();
        p.put("telegram.bot-token", TOKEN);
        p.put("smtp.host", "smtp.example.com");
        p.put("smtp.to", "ops@example.com");
        p.put("smtp.security", "tls-please");
        p.put("smtp.password", "smtp-secret-value");
        p.put("smtp.events", "order_rejected,orders_rejected");
        p.put("notify.channels", "slack,Pager Duty,webhook");
        p.put("notify.slack.uri", "https://hooks.slack.com/services/T0/B0/XYZ");
        p.put("notify.slack.min-severity", "urgent");
        p.put("notify.daily-summary.at", "8am");
        assertThatThrownBy(() -> NotificationSettings.from(p::get))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("need both TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID")
                .hasMessageContaining("SMTP_SECURITY must be starttls, ssl or none")
                .hasMessageContaining("smtp.events: unknown event 'orders_rejected'")
                .hasMessageContaining("'Pager Duty' is not a channel name")
                .hasMessageContaining("notify.webhook.uri is not set")
                .hasMessageContaining("notify.slack.min-severity: unknown severity 'urgent'")
                .hasMessageContaining("notify.daily-summary.at must be a UTC time of day")
                .satisfies(e -> assertThat(List.of(TOKEN, "smtp-secret-value", "XYZ"))
                        .noneMatch(e.getMessage()::contains));
    }

    @Test
    void aFailureIsDescribedWithoutAddressesOrSecrets() {
        NotificationOutcomes outcomes = new NotificationOutcomes(
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), List.of(TOKEN, "smtp-secret-value"));
        RuntimeException telegram = new RuntimeException("wrapped", new IllegalStateException(
                "https://api.telegram.org/bot" + TOKEN + "/sendMessage responded: 401{\"ok\":false}"));
        assertThat(outcomes.describe(telegram))
                .isEqualTo("IllegalStateException (<address> responded: 401{\"ok\":false})");
        assertThat(outcomes.describe(new RuntimeException("login smtp-secret-value refused")))
                .isEqualTo("RuntimeException (login *** refused)");
    }
}
