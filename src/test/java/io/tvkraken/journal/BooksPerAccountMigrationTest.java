package io.tvkraken.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tvkraken.TestDatabase;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migration V14 (books per account, docs/accounts.md#strategies-on-several-accounts) on a journal that kept books
 * before it: every book becomes the default account's, with its position, cost basis and last alert, its open orders
 * stay its own, and a named account's book of the same strategy and pair can be kept beside it. On the engine the
 * suite runs on (SQLite builds position_book again; PostgreSQL changes its primary key).
 */
class BooksPerAccountMigrationTest {

    @TempDir
    Path dir;

    @Test
    void booksKeptBeforeBecomeTheDefaultAccountsAndANamedAccountGetsItsOwn() throws SQLException {
        Map<String, String> pg = TestDatabase.fresh("books_migration");
        boolean sqlite = pg.isEmpty();
        String url = sqlite ? "jdbc:sqlite:" + dir.resolve("journal.db") : pg.get("db.url");
        String user = sqlite ? null : pg.get("db.user");
        String password = sqlite ? null : pg.get("db.password");
        String location = sqlite ? "classpath:db/sqlite" : "classpath:db/migration";

        Flyway.configure().dataSource(url, user, password).locations(location).target("13").load().migrate();
        // SQLite keeps times as fixed-width text (docs/journal.md#engines)
        String at = sqlite ? "'2026-12-01T00:00:00.000000000Z'" : "'2026-12-01T00:00:00Z'";
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO position_book (strategy, pair, position, last_alert, updated_at, basis) "
                    + "VALUES ('trend', 'XBTUSD', '0.5', 7, " + at + ", '30000')");
            s.executeUpdate("INSERT INTO alert (id, request_id, alert_id, intent, state, received_at, updated_at, "
                    + "txids, book_strategy, book_pair, book_state) VALUES (7, 'r', 'a', 'execute', 'executed', " + at
                    + ", " + at + ", 'OABC-1', 'trend', 'XBTUSD', 'open')");
        }
        Flyway.configure().dataSource(url, user, password).locations(location).load().migrate();

        Books books = new Books(dataSource(url, user, password), Clock.systemUTC(), "me", Duration.ofSeconds(30));
        Books.Book kept = books.get(new Books.Key("trend", "XBTUSD")).orElseThrow();
        assertThat(kept.key().account()).isEqualTo("default");
        assertThat(kept.position()).isEqualByComparingTo("0.5");
        assertThat(kept.basis()).isEqualByComparingTo("30000");
        assertThat(kept.lastAlert()).isEqualTo(7L);
        assertThat(books.openOrders(kept.key())).extracting(Books.OpenOrder::row).containsExactly(7L);

        Books.Key partner = new Books.Key("trend", "XBTUSD", "partner");
        assertThat(books.hold(partner)).isTrue();
        assertThat(books.get(partner).orElseThrow().position()).isEqualByComparingTo(BigDecimal.ZERO);
        assertThat(books.openOrders(partner)).isEmpty();
        assertThat(books.all()).extracting(b -> b.key().account()).containsExactly("default", "partner");
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT book_account FROM alert WHERE id = 7")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("default");
        }
    }

    private static DataSource dataSource(String url, String user, String password) {
        if (url.startsWith("jdbc:sqlite:")) {
            org.sqlite.SQLiteDataSource sqlite = new org.sqlite.SQLiteDataSource();
            sqlite.setUrl(url);
            return sqlite;
        }
        org.postgresql.ds.PGSimpleDataSource pg = new org.postgresql.ds.PGSimpleDataSource();
        pg.setUrl(url);
        pg.setUser(user);
        pg.setPassword(password);
        return pg;
    }
}
