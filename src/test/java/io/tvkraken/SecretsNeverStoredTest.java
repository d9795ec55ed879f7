package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.journal.Database;
import io.tvkraken.paper.Fault;
import io.tvkraken.paper.PaperConfig;
import io.tvkraken.paper.PaperExchangeHarness;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No secret is stored, and so none is served back: authenticated alerts carry the passphrase (and other secrets) in
 * every shape a body can have - top-level, nested, in another field, escaped, in a body that is not JSON or is cut
 * short - and end executed, validated, refused, duplicated, dead-lettered and replayed. Then every row of every table
 * of the journal database, every file under the data directory, and every answer (webhook and admin) is searched for
 * each secret.
 *
 * <p>The app runs in live mode against a paper exchange that expects {@link TestSecrets}' Kraken keys, so that all five
 * secrets are configured and each one is a secret the app knows.
 */
class SecretsNeverStoredTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String P = TestSecrets.PASSPHRASE;
    static final Map<String, String> ADMIN = Map.of("Authorization", "Bearer " + TestSecrets.ADMIN_TOKEN);

    @TempDir
    Path data;

    final List<String> answers = new ArrayList<>();

    static String order(String id, String extra) {
        return "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.01\",\"id\":\"" + id + "\"" + extra + "}";
    }

    static String passphrase() {
        return ",\"passphrase\":\"" + P + "\"";
    }

    HttpResponse<String> post(RunningApp app, String path, String body, Map<String, String> headers) {
        HttpResponse<String> response = app.post(path, body, headers);
        answers.add(path + " " + response.statusCode() + " " + response.headers().map() + " " + response.body());
        return response;
    }

    HttpResponse<String> post(RunningApp app, String body) {
        return post(app, "/webhook/tradingview", body, Map.of());
    }

    HttpResponse<String> signed(RunningApp app, String body) {
        return post(app, "/webhook/tradingview", body, Map.of("X-Signature", TestSecrets.sign(body)));
    }

    HttpResponse<String> get(RunningApp app, String path) {
        HttpResponse<String> response = app.get(path, ADMIN);
        answers.add(path + " " + response.statusCode() + " " + response.headers().map() + " " + response.body());
        return response;
    }

    static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    @Test
    void noSecretIsStoredInTheJournalTheDeadLettersOrTheirFilesNorServedByAnAnswer() throws Exception {
        List<String> rows;
        try (PaperExchangeHarness kraken = PaperExchangeHarness.start(PaperConfig.defaults()
                .withApiKey(TestSecrets.KRAKEN_API_KEY).withApiSecret(TestSecrets.KRAKEN_API_SECRET))) {
            Map<String, String> p = RunningApp.paperDefaults(data);
            p.put("kraken.mode", "live");
            p.put("kraken.api.url", kraken.baseUrl().toString());
            p.put("kraken.api.key", TestSecrets.KRAKEN_API_KEY);
            p.put("kraken.api.secret", TestSecrets.KRAKEN_API_SECRET);
            p.put("webhook.secret", TestSecrets.WEBHOOK_SECRET);
            p.put("webhook.passphrase", P);
            p.put("admin.token", TestSecrets.ADMIN_TOKEN);
            try (RunningApp app = RunningApp.start(p)) {
                String everySecret = String.join(" ", TestSecrets.ALL);
                String escaped = "\\u0070" + P.substring(1).replace("-", "\\u002d");

                // executed and validated
                HttpResponse<String> top = post(app, order("top-level", passphrase()));
                assertThat(top.statusCode()).as(top.body()).isEqualTo(200);
                assertThat(json(top).path("status").asText()).isEqualTo("executed");
                assertThat(post(app, order("in-comment", passphrase() + ",\"comment\":\"mine is " + P + "\""))
                        .statusCode()).isEqualTo(200);
                assertThat(post(app, order("escaped", passphrase() + ",\"comment\":\"" + escaped + "\""))
                        .statusCode()).isEqualTo(200);
                assertThat(signed(app, order("signed", ",\"comment\":\"" + everySecret + "\"")).statusCode())
                        .isEqualTo(200);
                HttpResponse<String> noId = post(app, "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.01\""
                        + passphrase() + "}");
                assertThat(noId.statusCode()).as(noId.body()).isEqualTo(200);
                assertThat(json(noId).path("alert_id").asText()).startsWith("sha256:");
                HttpResponse<String> validated = post(app, "/webhook/tradingview/validate",
                        "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.01\",\"id\":\"" + P + "\""
                                + passphrase() + "}", Map.of());
                assertThat(validated.statusCode()).as(validated.body()).isEqualTo(200);
                assertThat(json(validated).path("alert_id").asText()).isEqualTo("[redacted]");
                // a duplicate repeats the first answer
                assertThat(json(post(app, order("top-level", passphrase()))).path("status").asText())
                        .isEqualTo("duplicate");

                // refused: nested, quoted back in a field problem, a member named by it, not JSON, cut short
                assertThat(post(app, order("nested", passphrase()
                        + ",\"close\":{\"order_type\":\"stop-loss\",\"price\":\"-5%\",\"passphrase\":\"" + P + "\"}"))
                        .statusCode()).isEqualTo(400);
                HttpResponse<String> quoted = post(app, "{\"ticker\":\"BTCUSD\",\"action\":\"" + P
                        + "\",\"volume\":\"" + P + "\",\"id\":\"quoted\"" + passphrase() + "}");
                assertThat(quoted.statusCode()).isEqualTo(400);
                assertThat(quoted.body()).as("the field problems quote the redacted body").contains("[redacted]");
                assertThat(post(app, order("member-name", passphrase() + ",\"" + P + "\":1")).statusCode())
                        .isEqualTo(400);
                assertThat(post(app, order("unknown-pair", passphrase()).replace("BTCUSD", P)).statusCode())
                        .isEqualTo(422);
                assertThat(signed(app, order("trailing-garbage", passphrase()) + " and " + P).statusCode())
                        .isEqualTo(400);
                assertThat(signed(app, "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"passphrase\":\"" + P)
                        .statusCode()).isEqualTo(400);
                assertThat(signed(app, "buy BTCUSD 0.01 " + everySecret).statusCode()).isEqualTo(400);
                assertThat(signed(app, "{\"passphrase\": " + P + ", \"volume\": {{strategy.order.contracts}}}")
                        .statusCode()).isEqualTo(400);
                // not authenticated: refused, and not journaled at all
                assertThat(post(app, order("wrong", passphrase().replace("pass-", "wrong-"))).statusCode())
                        .isEqualTo(401);

                // dead-lettered (Kraken refuses the AddOrder: nothing placed), listed, then replayed
                kraken.injectFault("AddOrder", Fault.RATE_LIMITED, 2);
                HttpResponse<String> lettered = post(app, order("dead-lettered", passphrase()
                        + ",\"comment\":\"" + P + "\""));
                assertThat(lettered.statusCode()).as(lettered.body()).isEqualTo(202);
                HttpResponse<String> signedLetter = signed(app, order("dead-lettered-signed",
                        ",\"comment\":\"" + everySecret + "\""));
                assertThat(signedLetter.statusCode()).as(signedLetter.body()).isEqualTo(202);
                HttpResponse<String> pending = get(app, "/admin/dead-letters");
                assertThat(json(pending).path("count").asInt()).isEqualTo(2);
                assertThat(pending.body()).contains("[redacted]");
                for (HttpResponse<String> letter : List.of(lettered, signedLetter)) {
                    String id = json(letter).path("dead_letter_id").asText();
                    HttpResponse<String> replayed = post(app, "/admin/dead-letters/" + id + "/replay", "", ADMIN);
                    assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(200);
                    assertThat(json(replayed).path("outcome").path("status").asText())
                            .as("a replay parses the redacted body").isEqualTo("executed");
                    post(app, "/admin/dead-letters/" + id + "/replay", "", ADMIN);
                }
                get(app, "/admin/dead-letters");
                HttpResponse<String> journal = get(app, "/admin/orders?limit=1000");
                assertThat(json(journal).path("count").asInt()).as("every authenticated alert is journaled")
                        .isEqualTo(17);
                assertThat(journal.body()).contains("[redacted]");
                get(app, "/status");

                rows = everyRow(app.bean("database", Database.class));
            }
        }
        assertThat(rows).as("journal rows read").anyMatch(r -> r.contains("[redacted]"));

        List<String> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(data)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                // the embedded database's files are binary; the strings in them are still readable bytes
                files.add(file + ": " + new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
            }
        }
        if (TestDatabase.backend().equals("embedded")) {
            assertThat(files).as("the embedded journal's files were read, and hold the redacted bodies")
                    .anyMatch(f -> f.contains("[redacted]"));
        }
        for (String secret : TestSecrets.ALL) {
            assertThat(rows).as("a row of the journal database").noneMatch(r -> r.contains(secret));
            assertThat(files).as("a file under the data directory").noneMatch(f -> f.contains(secret));
            assertThat(answers).as("an answer").noneMatch(a -> a.contains(secret));
        }
    }

    /** Every row of every table of the journal's schema, one string each: JDBC, so whatever the backend. */
    static List<String> everyRow(Database database) throws SQLException {
        List<String> rows = new ArrayList<>();
        List<String> tables = new ArrayList<>();
        try (Connection c = database.dataSource().getConnection()) {
            DatabaseMetaData meta = c.getMetaData();
            try (ResultSet found = meta.getTables(c.getCatalog(), c.getSchema(), "%", new String[] {"TABLE"})) {
                while (found.next()) {
                    tables.add(found.getString("TABLE_NAME"));
                }
            }
            assertThat(tables.stream().map(t -> t.toLowerCase(Locale.ROOT)))
                    .contains("alert", "alert_event", "dead_letter");
            for (String table : tables) {
                try (Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery("SELECT * FROM \"" + table + "\"")) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        StringBuilder row = new StringBuilder(table);
                        for (int i = 1; i <= columns; i++) {
                            row.append(" | ").append(rs.getString(i));
                        }
                        rows.add(row.toString());
                    }
                }
            }
        }
        return rows;
    }
}
