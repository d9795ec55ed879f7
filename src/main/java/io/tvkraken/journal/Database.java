package io.tvkraken.journal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import io.tvkraken.InvalidConfigurationException;
import io.tvkraken.Settings;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal's database: PostgreSQL (or any JDBC URL) from {@code DB_URL}/{@code DB_USER}/{@code DB_PASSWORD}, or
 * without them an embedded H2 file under {@code DATA_DIR/journal} that needs no setup. Connections are pooled by
 * HikariCP; the schema is brought up to date by Flyway ({@code src/main/resources/db/migration}) before anything
 * else uses it.
 */
public final class Database implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    private final HikariDataSource pool;
    private final String location;
    private final boolean postgres;

    private Database(HikariDataSource pool, String location, boolean postgres) {
        this.pool = pool;
        this.location = location;
        this.postgres = postgres;
    }

    /**
     * Whether several instances may share this database (docs/replicas.md): PostgreSQL, whose advisory locks give each
     * API key one sender across them. The embedded H2 file is locked by the first process that opens it.
     */
    public boolean sharedByInstances() {
        return postgres;
    }

    /** A connection that must not go back to the pool (it may still hold a session lock): closed for good. */
    void discard(Connection connection) {
        pool.evictConnection(connection);
    }

    /**
     * H2 locks its file for the process that opened it (https://h2database.com/html/features.html#database_file_locking):
     * a second process is refused with error 90020, "Database may be already in use".
     */
    private static boolean inUseByAnotherProcess(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.sql.SQLException sql && sql.getErrorCode() == 90020) {
                return true;
            }
        }
        return false;
    }

    public static Database open(Settings settings) {
        return open(settings, null);
    }

    /**
     * @param poolMetrics where HikariCP reports the pool's metrics ({@code hikaricp_connections_*{pool="journal"}});
     *                    null for none. It must be given before the pool starts.
     */
    public static Database open(Settings settings, MetricsTrackerFactory poolMetrics) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("journal");
        if (poolMetrics != null) {
            config.setMetricsTrackerFactory(poolMetrics);
        }
        if (settings.dbUrl() == null) {
            Path dir = settings.dataDir().toAbsolutePath().resolve("journal");
            // A file database; the lock file keeps a second instance off the same files. WRITE_DELAY=0: H2 writes a
            // commit to its file before the commit returns. Its default (500 ms) keeps commits in memory, so an
            // alert answered 200 could vanish with a crash, and a full disk would only fail later, in the background
            // (docs/journal.md, "Durability").
            config.setJdbcUrl("jdbc:h2:file:" + dir.resolve("journal") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0");
            config.setUsername("tvk");
            config.setPassword("");
        } else {
            config.setJdbcUrl(settings.dbUrl());
            config.setUsername(settings.dbUser());
            config.setPassword(settings.dbPassword());
        }
        config.setMaximumPoolSize(settings.orders().workers() + 4);
        config.setMinimumIdle(2);
        // Fail at start-up, and fail an alert fast (503), rather than wait 30 s for a database that is not there.
        config.setConnectionTimeout(3000);
        config.setInitializationFailTimeout(10_000);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            if (settings.dbUrl() == null && inUseByAnotherProcess(e)) {
                throw new InvalidConfigurationException("the embedded H2 journal in " + settings.journalLocation()
                        .replaceFirst("^embedded H2 in ", "") + " is in use by another instance: the embedded journal "
                        + "serves one instance only. Stop the other instance, give this one its own DATA_DIR, or run "
                        + "several replicas on one PostgreSQL (DB_URL, docs/replicas.md)");
            }
            throw new InvalidConfigurationException("the journal database at " + settings.journalLocation()
                    + " cannot be reached: " + rootMessage(e));
        }
        Database database = new Database(pool, settings.journalLocation(), settings.dbUrl() != null
                && settings.dbUrl().startsWith("jdbc:postgresql:"));
        try {
            database.migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw new InvalidConfigurationException("the journal database at " + settings.journalLocation()
                    + " could not be migrated: " + rootMessage(e));
        }
        return database;
    }

    private void migrate() {
        MigrateResult result = Flyway.configure()
                .dataSource(pool)
                .locations("classpath:db/migration")
                .load()
                .migrate();
        LOG.info("journal database {}: schema version {} ({} migration(s) applied)", location,
                result.targetSchemaVersion == null ? "unchanged" : result.targetSchemaVersion,
                result.migrationsExecuted);
    }

    public DataSource dataSource() {
        return pool;
    }

    /**
     * For {@code /health}: the journal takes a write. Reachable is not enough: a full or read-only disk still answers
     * queries while every alert would be refused 503.
     *
     * @return null when a write committed, else why not
     */
    public String writeProblem(String instance) {
        try (Connection connection = pool.getConnection();
                PreparedStatement update = connection.prepareStatement(
                        "UPDATE journal_probe SET probed_at = ? WHERE instance = ?")) {
            update.setObject(1, Sql.utc(Instant.now()));
            update.setString(2, instance);
            if (update.executeUpdate() == 0) {
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO journal_probe (instance, probed_at) VALUES (?, ?)")) {
                    insert.setString(1, instance);
                    insert.setObject(2, Sql.utc(Instant.now()));
                    insert.executeUpdate();
                }
            }
            return null;
        } catch (SQLException e) {
            return "cannot write: " + firstLine(e.getMessage());
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int end = message.indexOf('\n');
        return Journal.truncate(end < 0 ? message : message.substring(0, end), 300);
    }

    public String location() {
        return location;
    }

    @Override
    public void close() {
        pool.close();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
