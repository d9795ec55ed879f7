package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.tvkraken.paper.Fault;
import io.tvkraken.paper.PaperConfig;
import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.PaperExchangeHarness;
import jakarta.mail.internet.MimeMessage;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Notifications (docs/notifications.md) end to end: the real application, a local fake of the Telegram Bot API over
 * real HTTP ({@link FakeTelegram}, camel-telegram pointed at it with {@code telegram.base-uri}), a real SMTP server
 * (GreenMail) for the e-mail channel, and a Slack-style webhook through camel-http. Each event is provoked the way it
 * happens: Kraken refusing an order, the paper exchange's faults dead-lettering alerts and opening the breaker, an
 * AddOrder whose outcome cannot be looked up, the admin API's kill switch, a start in live mode, the daily summary's
 * timer.
 */
class NotificationsTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final AtomicInteger IDS = new AtomicInteger();
    static final String ADMIN = "Bearer " + TestSecrets.ADMIN_TOKEN;
    /** The event's label is in every message's last line: "— tradingview-kraken-webhook, order_rejected, ...". */
    static final Pattern EVENT = Pattern.compile("— tradingview-kraken-webhook, ([a-z_]+), ");

    @TempDir
    Path data;

    FakeTelegram telegram;
    GreenMail smtp;

    @BeforeEach
    void servers() throws Exception {
        telegram = FakeTelegram.start();
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        smtp.setUser("ops@example.com", "notify", TestSecrets.SMTP_PASSWORD);
        smtp.start();
    }

    @AfterEach
    void stopServers() {
        telegram.close();
        smtp.stop();
    }

    Map<String, String> channels(Map<String, String> p) {
        p.put("telegram.bot-token", TestSecrets.TELEGRAM_BOT_TOKEN);
        p.put("telegram.chat-id", "-1001234");
        p.put("telegram.base-uri", telegram.baseUri().toString());
        p.put("telegram.events", "all");
        p.put("smtp.host", "127.0.0.1");
        p.put("smtp.port", Integer.toString(smtp.getSmtp().getPort()));
        p.put("smtp.security", "none");
        p.put("smtp.user", "notify");
        p.put("smtp.password", TestSecrets.SMTP_PASSWORD);
        p.put("smtp.from", "webhook@example.com");
        p.put("smtp.to", "ops@example.com");
        p.put("smtp.events", "all");
        p.put("notify.redelivery-delay-ms", "100");
        p.put("admin.token", TestSecrets.ADMIN_TOKEN);
        return p;
    }

    static String alert(String extra) {
        return "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.01\",\"id\":\"notify-" + IDS.incrementAndGet()
                + "\"" + extra + "}";
    }

    static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    static void waitUntil(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    static String eventOf(String text) {
        Matcher m = EVENT.matcher(text == null ? "" : text);
        return m.find() ? m.group(1) : "?";
    }

    List<String> telegramEvents() {
        return telegram.received().stream().filter(r -> r.token() != null).map(r -> eventOf(r.text())).toList();
    }

    List<String> mailEvents() {
        List<String> events = new ArrayList<>();
        for (MimeMessage message : smtp.getReceivedMessages()) {
            events.add(eventOf(text(message)));
        }
        return events;
    }

    /** The e-mail's text, decoded (quoted-printable on the wire). */
    static String text(MimeMessage message) {
        try {
            return message.getContent().toString();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    String metric(RunningApp app, String name, String channel, String event) {
        String line = app.get("/metrics", Map.of()).body().lines()
                .filter(l -> l.startsWith(name + "{") && l.contains("channel=\"" + channel + "\"")
                        && l.contains("event=\"" + event + "\""))
                .findFirst().orElse(name + " 0");
        return line.substring(line.lastIndexOf(' ') + 1);
    }

    @Test
    void everyEventReachesTheFakeTelegramAndTheSmtpServerAndASlackWebhookGetsOnlyWhatItChose() throws Exception {
        Map<String, String> p = channels(RunningApp.paperDefaults(data));
        // a Slack-style webhook through camel-http: only breaker openings, and only critical ones
        p.put("notify.channels", "slack");
        p.put("notify.slack.uri", telegram.baseUri() + "/hooks/" + TestSecrets.SLACK_WEBHOOK_KEY);
        p.put("notify.slack.format", "slack");
        p.put("notify.slack.events", "order_rejected,breaker_opened,breaker_closed");
        p.put("notify.slack.min-severity", "critical");
        p.put("notify.daily-summary.at", "00:00");
        p.put("notify.daily-summary.poll-ms", "200");
        p.put("kraken.breaker.wait-in-open-seconds", "1");
        p.put("orders.reconcile.give-up-seconds", "1");
        // rate-limited answers below are the exchange's injected faults; the service's own counters would make the
        // trial orders wait for the counter they filled to decay
        p.put("paper.rate-limit-tier", "off");
        try (RunningApp app = RunningApp.start(p)) {
            PaperExchangeHarness paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
            CircuitBreaker breaker = app.bean("krakenTradingBreaker", CircuitBreaker.class);
            assertThat(app.post("/webhook/tradingview/validate", alert("")).statusCode()).isEqualTo(200);

            // executed, and refused by Kraken (more than the paper account holds)
            assertThat(app.post("/webhook/tradingview", alert("")).statusCode()).isEqualTo(200);
            HttpResponse<String> refused = app.post("/webhook/tradingview", alert("").replace("0.01", "500"));
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
            assertThat(json(refused).path("error").path("code").asText()).isEqualTo("kraken_rejected");

            // the kill switch, off and on
            for (String enabled : List.of("false", "true")) {
                assertThat(app.post("/admin/trading", "{\"enabled\": " + enabled + "}", Map.of("Authorization", ADMIN))
                        .statusCode()).isEqualTo(200);
            }

            // rate-limited AddOrders: dead-lettered, and they open the trading breaker; it closes once Kraken is back
            paper.injectFaultUntilCleared("AddOrder", Fault.RATE_LIMITED);
            for (int i = 0; i < 10 && breaker.getState() == CircuitBreaker.State.CLOSED; i++) {
                HttpResponse<String> response = app.post("/webhook/tradingview", alert(""));
                assertThat(json(response).path("status").asText()).as(response.body()).isEqualTo("dead_lettered");
            }
            paper.clearFaults("AddOrder");
            waitUntil("the trading breaker half-open", () -> breaker.getState() == CircuitBreaker.State.HALF_OPEN);
            for (int i = 0; i < 2; i++) {
                assertThat(app.post("/webhook/tradingview", alert("")).statusCode()).isEqualTo(200);
            }
            assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);

            // an AddOrder that got an HTML 502 and cannot be looked up: its outcome stays unknown
            paper.injectFault("AddOrder", Fault.HTTP_502_HTML, 1);
            paper.injectFault("OpenOrders", Fault.HTTP_502_HTML, 100);
            String unknown = alert("");
            HttpResponse<String> pending = app.post("/webhook/tradingview", unknown);
            assertThat(json(pending).path("status").asText()).as(pending.body()).isEqualTo("pending");
            String unknownId = JSON.readTree(unknown).path("id").asText();
            assertThat(JournalProbe.waitForFinal(app, unknownId).path("state").asText()).isEqualTo("dead_lettered");
            paper.clearFaults();

            List<String> wanted = List.of("daily_summary", "order_executed", "order_rejected", "kill_switch_changed",
                    "alert_dead_lettered", "breaker_opened", "breaker_closed", "order_outcome_unknown");
            waitUntil("every event at the fake Telegram", () -> telegramEvents().containsAll(wanted));
            waitUntil("every event at the SMTP server", () -> mailEvents().containsAll(wanted));

            // what each received, once per event (the sample in docs/notifications.md is of this shape)
            for (String event : wanted) {
                FakeTelegram.Received message = telegram.received().stream()
                        .filter(r -> r.token() != null && eventOf(r.text()).equals(event)).findFirst().orElseThrow();
                assertThat(message.token()).isEqualTo(TestSecrets.TELEGRAM_BOT_TOKEN);
                assertThat(message.chatId()).isEqualTo("-1001234");
                System.out.println("telegram " + event + ":\n" + message.text() + "\n");
            }
            for (MimeMessage mail : smtp.getReceivedMessages()) {
                String body = text(mail);
                assertThat(mail.getFrom()[0].toString()).isEqualTo("webhook@example.com");
                assertThat(mail.getAllRecipients()[0].toString()).isEqualTo("ops@example.com");
                if (mailEvents().indexOf(eventOf(body)) == List.of(smtp.getReceivedMessages()).indexOf(mail)) {
                    System.out.println("e-mail " + eventOf(body) + ": Subject: " + mail.getSubject() + "\n" + body
                            + "\n");
                }
            }
            String summary = telegram.received().stream().filter(r -> eventOf(r.text()).equals("daily_summary"))
                    .findFirst().orElseThrow().text();
            assertThat(summary).contains("Daily summary for ").contains("Dead letters waiting for replay: ")
                    .contains("Balances: ").contains("ZUSD");
            assertThat(telegramEvents()).as("one daily summary").containsOnlyOnce("daily_summary");

            // the webhook: critical breaker openings only, as Slack's {"text": ...}
            waitUntil("the Slack webhook", () -> telegram.received().stream().anyMatch(r -> r.token() == null));
            List<FakeTelegram.Received> slack = telegram.received().stream().filter(r -> r.token() == null).toList();
            assertThat(slack).allSatisfy(r -> {
                assertThat(r.path()).isEqualTo("/hooks/" + TestSecrets.SLACK_WEBHOOK_KEY);
                assertThat(JSON.readTree(r.body()).path("text").asText())
                        .startsWith("[CRITICAL] Circuit breaker kraken-trading opened");
            });
            System.out.println("slack webhook: " + slack.get(0).body());

            assertThat(metric(app, "notifications_sent_total", "telegram", "order_rejected")).isEqualTo("1.0");
            assertThat(metric(app, "notifications_sent_total", "email", "order_outcome_unknown")).isEqualTo("1.0");
            assertThat(metric(app, "notifications_sent_total", "slack", "breaker_opened")).isEqualTo("1.0");
            assertThat(metric(app, "notifications_failed_total", "telegram", "order_rejected")).isEqualTo("0");
        }
    }

    @Test
    void aStartInLiveModeIsNotifiedAndASlowThenFailingChannelNeitherDelaysOrdersNorTheOtherChannels()
            throws Exception {
        try (PaperExchangeHarness kraken = PaperExchangeHarness.start(PaperConfig.defaults()
                .withApiKey(TestSecrets.KRAKEN_API_KEY).withApiSecret(TestSecrets.KRAKEN_API_SECRET))) {
            Map<String, String> p = channels(RunningApp.paperDefaults(data));
            p.put("kraken.mode", "live");
            p.put("kraken.api.url", kraken.baseUrl().toString());
            p.put("kraken.api.key", TestSecrets.KRAKEN_API_KEY);
            p.put("kraken.api.secret", TestSecrets.KRAKEN_API_SECRET);
            p.put("webhook.passphrase", TestSecrets.PASSPHRASE);
            p.put("smtp.events", "started_live");
            p.put("notify.queue-size", "2");
            p.put("notify.max-redeliveries", "2");
            telegram.holdRequests(); // Telegram takes the first message and does not answer
            try (RunningApp app = RunningApp.start(p)) {
                telegram.await(r -> eventOf(r.text()).equals("started_live"), Duration.ofSeconds(20));
                waitUntil("the e-mail of the live start", () -> mailEvents().contains("started_live"));
                MimeMessage mail = smtp.getReceivedMessages()[0];
                assertThat(mail.getSubject()).isEqualTo("[WARNING] Service started in live mode (live)");
                System.out.println("e-mail started_live: Subject: " + mail.getSubject() + "\n" + text(mail) + "\n");
                System.out.println("telegram started_live:\n" + telegram.received().get(0).text() + "\n");

                // orders go on while Telegram holds the first message: all executed, their notices queued or dropped
                String passphrase = ",\"passphrase\":\"" + TestSecrets.PASSPHRASE + "\"";
                for (int i = 0; i < 6; i++) {
                    HttpResponse<String> response = app.post("/webhook/tradingview", alert(passphrase));
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                    assertThat(json(response).path("status").asText()).isEqualTo("executed");
                }
                assertThat(telegram.received()).as("Telegram is still holding its first message").hasSize(1);
                assertThat(Double.parseDouble(metric(app, "notifications_dropped_total", "telegram",
                        "order_executed"))).as("notices that found the queue full").isEqualTo(4.0);

                // Telegram now fails: the message is tried 1 + notify.max-redeliveries times, then counted as failed
                telegram.failWith(500);
                telegram.release();
                waitUntil("the queued notices failed", () -> "2.0".equals(metric(app, "notifications_failed_total",
                        "telegram", "order_executed")));
                assertThat(metric(app, "notifications_failed_total", "telegram", "started_live")).isEqualTo("1.0");
                assertThat(telegram.received().stream().filter(r -> eventOf(r.text()).equals("started_live")))
                        .hasSize(3);
                assertThat(metric(app, "notifications_sent_total", "email", "started_live")).isEqualTo("1.0");
            }
        }
        String log = Files.readString(Path.of(System.getProperty("tvk.test.log", "target/test-logs/test-run.log")),
                StandardCharsets.UTF_8);
        assertThat(log).contains("notification started_live to channel telegram failed after its retries");
        for (String secret : TestSecrets.NOTIFICATIONS) {
            assertThat(log.contains(secret)).as("the log contains a channel's credential").isFalse();
        }
    }
}
