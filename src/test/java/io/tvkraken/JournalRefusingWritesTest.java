package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.journal.Database;
import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.PaperExchangeHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal that stops taking writes part-way through an alert (docs/order-lifecycle.md#journal-unwritable-after-sending):
 * 503 "nothing was sent, please resend" is answered only while nothing was sent. The database itself refuses the
 * writes — a trigger on the journal's event table, in SQLite and in PostgreSQL alike — at the exact step the test names, so
 * the order of events that a full disk produces by chance is produced every time.
 */
class JournalRefusingWritesTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;

    Map<String, String> config() {
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("admin.token", TestSecrets.ADMIN_TOKEN);
        return p;
    }

    static String alert(String id) {
        return "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.01\",\"id\":\"" + id + "\"}";
    }

    @Test
    void journalRefusingWritesFromTheSendingStepOnAnswers503AndSendsNothing() throws Exception {
        try (RunningApp app = RunningApp.start(config())) {
            PaperExchangeHarness paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
            app.post("/webhook/tradingview/validate", alert("warm-up")); // pairs and prices cached
            int addOrdersBefore = paper.requestCount("AddOrder");
            try (RefusedStates refused = RefusedStates.install(app, "sending", "executed", "reconciling",
                    "dead_lettered")) {
                HttpResponse<String> answer = app.post("/webhook/tradingview", alert("refused-sending"));

                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
                assertThat(JSON.readTree(answer.body()).path("error").path("code").asText()).isEqualTo("not_stored");
                assertThat(paper.requestCount("AddOrder")).as("AddOrders sent").isEqualTo(addOrdersBefore);
            }
        }
    }

    @Test
    void journalRefusingTheOutcomeAfterTheAddOrderLeftAnswersPendingNever503() throws Exception {
        try (RunningApp app = RunningApp.start(config())) {
            PaperExchangeHarness paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
            app.post("/webhook/tradingview/validate", alert("warm-up"));
            HttpResponse<String> answer;
            try (RefusedStates refused = RefusedStates.install(app, "executed", "reconciling", "dead_lettered")) {
                answer = app.post("/webhook/tradingview", alert("refused-outcome"));
            }

            assertThat(answer.statusCode()).as("the order may exist: never 'nothing was sent' (%s)", answer.body())
                    .isEqualTo(202);
            JsonNode body = JSON.readTree(answer.body());
            assertThat(body.path("status").asText()).isEqualTo("pending");
            assertThat(paper.orders()).as("the order that left").hasSize(1);
            JsonNode entry = JournalProbe.entries(app).stream()
                    .filter(e -> e.path("alert_id").asText().equals("refused-outcome")).findFirst().orElseThrow();
            assertThat(entry.path("state").asText()).as("left for the reconcile-orders route, under its lease")
                    .isEqualTo("sending");

            HttpResponse<String> resent = app.post("/webhook/tradingview", alert("refused-outcome"));
            assertThat(resent.statusCode()).as(resent.body()).isBetween(200, 299);
            assertThat(paper.orders()).as("a resend of the alert places nothing more").hasSize(1);
        }
    }

    /**
     * A trigger that makes the journal database refuse to record an alert reaching any of the given states (every
     * transition writes its event in the same transaction as the state, so the whole transition is refused).
     */
    static final class RefusedStates implements AutoCloseable {

        private final Database database;

        private RefusedStates(Database database) {
            this.database = database;
        }

        static RefusedStates install(RunningApp app, String... states) throws SQLException {
            Database database = app.bean("database", Database.class);
            String list = String.join(",", states);
            try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
                if (TestDatabase.backend().equals("postgres")) {
                    s.execute("CREATE OR REPLACE FUNCTION refuse_states() RETURNS trigger AS $$ BEGIN "
                            + "IF NEW.state = ANY (string_to_array('" + list + "', ',')) THEN "
                            + "RAISE EXCEPTION 'could not extend file: No space left on device'; END IF; "
                            + "RETURN NEW; END $$ LANGUAGE plpgsql");
                    s.execute("CREATE TRIGGER refuse_states BEFORE INSERT ON alert_event FOR EACH ROW "
                            + "EXECUTE FUNCTION refuse_states()");
                } else {
                    String quoted = String.join(", ", java.util.Arrays.stream(states).map(x -> "'" + x + "'")
                            .toList());
                    s.execute("CREATE TRIGGER refuse_states BEFORE INSERT ON alert_event FOR EACH ROW WHEN "
                            + "NEW.state IN (" + quoted + ") BEGIN SELECT RAISE(ABORT, 'database or disk is full "
                            + "(refused by the test''s trigger)'); END");
                }
            }
            return new RefusedStates(database);
        }

        @Override
        public void close() throws SQLException {
            try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute(TestDatabase.backend().equals("postgres") ? "DROP TRIGGER refuse_states ON alert_event"
                        : "DROP TRIGGER refuse_states");
            }
        }
    }
}
