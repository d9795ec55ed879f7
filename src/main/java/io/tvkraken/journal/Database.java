package io.tvkraken.journal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import io.tvkraken.InvalidConfigurationException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Instant;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal's database: PostgreSQL (or any JDBC URL) from {@code DB_URL}/{@code DB_USER}/{@code DB_PASSWORD}, or
 * without them an embedded H2 file under {@code DATA_DIR/journal} that needs no setup. Connections are pooled by
 * HikariCP; the schema is brought up to date by Flyway ({@code src/main/resources/db/migration}) before anything
 * else uses it.
 *
 * <p>{@link #start} opens and migrates it on a thread of its own, so that the service prepares its routes meanwhile
 * (docs/operations.md#start-up-time-and-memory); its {@link #dataSource()} hands out a connection only once the
 * database is open and migrated, and {@link #awaitOpen()} is where start-up waits for that.
 *
 * <p>A Camel service: added to the context, it closes when the context stops, after the routes and every service
 * added after it (the journal's leases are released first). No route may call it as a bean: a route stops the
 * services of its beans when it stops, which would close the journal under the routes still running.
 */
public final class Database extends ServiceSupport implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    private final CompletableFuture<HikariDataSource> opening;
    private final String location;
    private final boolean postgres;
    private final Durability durability;
    private final DataSource dataSource = new OpenedDataSource();

    private Database(CompletableFuture<HikariDataSource> opening, String location, boolean postgres,
            Durability durability) {
        this.opening = opening;
        this.location = location;
        this.postgres = postgres;
        this.durability = durability;
    }

    /**
     * Whether several instances may share this database (docs/replicas.md): PostgreSQL, whose advisory locks give each
     * API key one sender across them. The embedded H2 file is locked by the first process that opens it.
     */
    public boolean sharedByInstances() {
        return postgres;
    }

    /**
     * How a commit reaches stable storage here (docs/journal.md#power-loss): PostgreSQL syncs its WAL at commit; H2
     * (embedded, or any {@code jdbc:h2:} URL) needs {@code CHECKPOINT SYNC}.
     */
    public Durability durability() {
        return durability;
    }

    /** A connection that must not go back to the pool (it may still hold a session lock): closed for good. */
    void discard(Connection connection) {
        pool().evictConnection(connection);
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

    /**
     * Where the journal lives and how it is reached.
     *
     * @param url      a JDBC URL (PostgreSQL), or null for the embedded H2 journal under {@code dataDir}
     * @param location where it is, for messages: a URL without its user info or parameters (they can hold secrets)
     * @param poolSize connections at most
     */
    public record Config(String url, String user, String password, Path dataDir, String location, int poolSize) {
    }

    /** Opens and migrates the database, and returns once that is done. */
    public static Database open(Config settings) {
        Database database = start(settings, null);
        database.awaitOpen();
        return database;
    }

    /**
     * Starts opening and migrating the database on the thread {@code journal-open} and returns at once; a failure is
     * thrown by {@link #awaitOpen()} and by the first connection asked for.
     *
     * @param poolMetrics where HikariCP reports the pool's metrics ({@code hikaricp_connections_*{pool="journal"}});
     *                    null for none. It must be given before the pool starts.
     */
    public static Database start(Config settings, MetricsTrackerFactory poolMetrics) {
        CompletableFuture<HikariDataSource> opening = new CompletableFuture<>();
        Thread opener = new Thread(() -> {
            try {
                opening.complete(openPool(settings, poolMetrics));
            } catch (Throwable e) {
                opening.completeExceptionally(e);
            }
        }, "journal-open");
        opener.setDaemon(true);
        opener.start();
        return new Database(opening, settings.location(), settings.url() != null
                && settings.url().startsWith("jdbc:postgresql:"),
                settings.url() == null || settings.url().startsWith("jdbc:h2:") ? Durability.H2_CHECKPOINT_SYNC
                        : Durability.AT_COMMIT);
    }

    /**
     * Waits until the database is open and migrated.
     *
     * @throws InvalidConfigurationException when it cannot be reached or migrated
     */
    public void awaitOpen() {
        pool();
    }

    private HikariDataSource pool() {
        try {
            return opening.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw e;
        }
    }

    private static HikariDataSource openPool(Config settings, MetricsTrackerFactory poolMetrics) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("journal");
        if (poolMetrics != null) {
            config.setMetricsTrackerFactory(poolMetrics);
        }
        if (settings.url() == null) {
            Path dir = settings.dataDir().toAbsolutePath().resolve("journal");
            // A file database; the lock file keeps a second instance off the same files. WRITE_DELAY=0: H2 writes a
            // commit to its file before the commit returns. Its default (500 ms) keeps commits in memory, so an
            // alert answered 200 could vanish with a crash, and a full disk would only fail later, in the background
            // (docs/journal.md, "Durability").
            config.setJdbcUrl("jdbc:h2:file:" + dir.resolve("journal") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0");
            config.setUsername("tvk");
            config.setPassword("");
        } else {
            config.setJdbcUrl(settings.url());
            config.setUsername(settings.user());
            config.setPassword(settings.password());
        }
        config.setMaximumPoolSize(settings.poolSize());
        config.setMinimumIdle(2);
        // Fail at start-up, and fail an alert fast (503), rather than wait 30 s for a database that is not there.
        config.setConnectionTimeout(3000);
        config.setInitializationFailTimeout(10_000);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            if (settings.url() == null && inUseByAnotherProcess(e)) {
                throw new InvalidConfigurationException("the embedded H2 journal in " + settings.location()
                        .replaceFirst("^embedded H2 in ", "") + " is in use by another instance: the embedded journal "
                        + "serves one instance only. Stop the other instance, give this one its own DATA_DIR, or run "
                        + "several replicas on one PostgreSQL (DB_URL, docs/replicas.md)");
            }
            throw new InvalidConfigurationException("the journal database at " + settings.location()
                    + " cannot be reached: " + rootMessage(e));
        }
        try {
            migrate(pool, settings.location());
        } catch (RuntimeException e) {
            pool.close();
            throw new InvalidConfigurationException("the journal database at " + settings.location()
                    + " could not be migrated: " + rootMessage(e));
        }
        return pool;
    }

    private static void migrate(HikariDataSource pool, String location) {
        MigrateResult result = Flyway.configure()
                .dataSource(pool)
                .locations("classpath:db/migration")
                .load()
                .migrate();
        LOG.info("journal database {}: schema version {} ({} migration(s) applied)", location,
                result.targetSchemaVersion == null ? "unchanged" : result.targetSchemaVersion,
                result.migrationsExecuted);
    }

    /** The connection pool; a connection is handed out once the database is open and migrated. */
    public DataSource dataSource() {
        return dataSource;
    }

    /**
     * For {@code /health}: the journal takes a write. Reachable is not enough: a full or read-only disk still answers
     * queries while every alert would be refused 503.
     *
     * @return null when a write committed, else why not
     */
    public String writeProblem(String instance) {
        try (Connection connection = dataSource.getConnection();
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

    /** Closes the pool when the context stops. */
    @Override
    protected void doStop() {
        close();
    }

    @Override
    public void close() {
        try {
            pool().close();
        } catch (RuntimeException neverOpened) {
            // nothing to close
        }
    }

    /** The pool, once open: every method waits for {@link #awaitOpen()} first. */
    private final class OpenedDataSource implements DataSource {

        @Override
        public Connection getConnection() throws SQLException {
            return pool().getConnection();
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return pool().getConnection(username, password);
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return pool().getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            pool().setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            pool().setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return pool().getLoginTimeout();
        }

        @Override
        public java.util.logging.Logger getParentLogger() throws SQLFeatureNotSupportedException {
            return pool().getParentLogger();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            return type.isInstance(this) ? type.cast(this) : pool().unwrap(type);
        }

        @Override
        public boolean isWrapperFor(Class<?> type) throws SQLException {
            return type.isInstance(this) || pool().isWrapperFor(type);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
