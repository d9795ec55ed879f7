package io.tvkraken.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.InvalidConfigurationException;
import io.tvkraken.RunningApp;
import io.tvkraken.TestDatabase;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On the embedded journal, every commit is on stable storage when it returns (docs/journal.md#power-loss): the
 * service's own connections run SQLite in WAL mode with {@code synchronous=FULL}, the setting under which SQLite syncs
 * the WAL at every commit, and take the write lock as a transaction begins. What that does through a power cut is
 * shown by PowerCutTest, on a file system that loses what was not synced.
 */
class DurableCommitsTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;

    static String alert(String id) {
        return "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.01\",\"id\":\"" + id + "\"}";
    }

    @Test
    void theServiceCommitsToSqliteInWalModeWithAFullSyncAtEveryCommit() throws Exception {
        assumeTrue(TestDatabase.backend().equals("embedded"), "the embedded journal lives under DATA_DIR; backend "
                + TestDatabase.backend());
        try (RunningApp app = RunningApp.start(RunningApp.paperDefaults(data))) {
            HttpResponse<String> answer = app.post("/webhook/tradingview", alert("durable-1"));
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);

            Database database = app.bean("database", Database.class);
            try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
                assertThat(pragma(s, "journal_mode")).isEqualTo("wal");
                assertThat(pragma(s, "synchronous")).as("2 = FULL: the WAL is synced at every commit").isEqualTo("2");
                assertThat(pragma(s, "foreign_keys")).isEqualTo("1");
            }
            assertThat(data.resolve("journal/journal.db")).exists();
            assertThat(data.resolve("journal/journal.db-wal")).as("commits go to the write-ahead log").exists();
        }
    }

    @Test
    void aSecondJournalOnTheSameFolderIsRefused() {
        Database.Config config = new Database.Config(null, null, null, data, "embedded SQLite in " + data, 2);
        try (Database first = Database.open(config)) {
            assertThatThrownBy(() -> Database.open(config))
                    .isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining("is in use by another instance");
        }
        // released with the first: the folder can be opened again
        try (Database again = Database.open(config)) {
            assertThat(again.location()).contains(data.toString());
        }
    }

    @Test
    void anH2JournalOfAnEarlierVersionIsNotSilentlyReplacedByAnEmptyOne() throws Exception {
        Files.createDirectories(data.resolve("journal"));
        Files.writeString(data.resolve("journal/journal.mv.db"), "H2 file of an earlier version");
        Database.Config config = new Database.Config(null, null, null, data, "embedded SQLite in " + data, 2);
        assertThatThrownBy(() -> Database.open(config))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("journal.mv.db")
                .hasMessageContaining("move journal.mv.db out of the folder");
        assertThat(data.resolve("journal/journal.db")).doesNotExist();
    }

    private static String pragma(Statement s, String name) throws SQLException {
        try (ResultSet rs = s.executeQuery("PRAGMA " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
