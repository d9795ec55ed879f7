package io.tvkraken.journal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import io.tvkraken.InvalidConfigurationException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
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
 * The journal's database: PostgreSQL from {@code DB_URL}/{@code DB_USER}/{@code DB_PASSWORD}, or without them an
 * embedded SQLite file, {@code DATA_DIR/journal/journal.db}, that needs no setup. Connections are pooled by HikariCP;
 * the schema is brought up to date by Flyway ({@code src/main/resources/db/migration} on PostgreSQL,
 * {@code db/sqlite} on SQLite) before anything else uses it.
 *
 * <p>Every commit is on stable storage when it returns, so what the service acknowledges or sends after a commit
 * survives a power cut (docs/journal.md#power-loss): PostgreSQL flushes its WAL at commit ({@code synchronous_commit},
 * on by default); SQLite is opened in WAL mode with {@code synchronous=FULL}, which syncs the WAL at every commit.
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

    private final CompletableFuture<Pool> opening;
    private final String location;
    private final boolean postgres;
    /** The embedded journal's folder, whose free space /health watches; null for a database elsewhere. */
    private final Path embeddedDir;
    private final DataSource dataSource = new OpenedDataSource();

    /**
     * Below this much free space on the embedded journal's disk, /health is down: SQLite writes a commit into pages it
     * already has where it can, so a small probe still commits on a disk where the next alert's commit fails.
     */
    static final long MIN_FREE_BYTES = 1024 * 1024;
    /** The embedded journal's connections: one for the writer thread (GroupCommit), the others for reads. */
    static final int SQLITE_CONNECTIONS = 4;

    private Database(CompletableFuture<Pool> opening, String location, boolean postgres, Path embeddedDir) {
        this.opening = opening;
        this.location = location;
        this.postgres = postgres;
        this.embeddedDir = embeddedDir;
    }

    /**
     * Whether several instances may share this database (docs/replicas.md): PostgreSQL, whose advisory locks give each
     * API key one sender across them. The embedded journal is locked by the first process that opens it.
     */
    public boolean sharedByInstances() {
        return postgres;
    }

    /** A connection that must not go back to the pool (it may still hold a session lock): closed for good. */
    void discard(Connection connection) {
        pool().evictConnection(connection);
    }

    /**
     * Where the journal lives and how it is reached.
     *
     * @param url      a JDBC URL (PostgreSQL, or {@code jdbc:sqlite:}), or null for the embedded journal under
     *                 {@code dataDir}
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
        CompletableFuture<Pool> opening = new CompletableFuture<>();
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
                settings.url() == null ? settings.dataDir().toAbsolutePath().resolve("journal") : null);
    }

    /**
     * Waits until the database is open and migrated.
     *
     * @throws InvalidConfigurationException when it cannot be reached or migrated
     */
    public void awaitOpen() {
        pool();
    }

    /** The open pool and, for the embedded journal, the lock on its folder: released when the pool is closed. */
    private record Pool(HikariDataSource connections, EmbeddedLock lock, GroupCommit writes) {
        void close() {
            if (writes != null) {
                writes.close();
            }
            connections.close();
            if (lock != null) {
                lock.release();
            }
        }
    }

    private HikariDataSource pool() {
        return opened().connections();
    }

    private Pool opened() {
        try {
            return opening.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw e;
        }
    }

    private static Pool openPool(Config settings, MetricsTrackerFactory poolMetrics) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("journal");
        if (poolMetrics != null) {
            config.setMetricsTrackerFactory(poolMetrics);
        }
        String url = settings.url();
        boolean sqlite = url == null || url.startsWith("jdbc:sqlite:");
        EmbeddedLock lock = null;
        boolean readOnly = false;
        if (url == null) {
            Path dir = settings.dataDir().toAbsolutePath().resolve("journal");
            readOnly = Files.exists(dir.resolve("journal.db")) && !Files.isWritable(dir);
            if (readOnly) {
                // A data folder that cannot be written (a read-only disk, say): the journal is opened for reading, as
                // a snapshot nobody else can change, so that the service runs and answers every alert 503 (the
                // answer TradingView resends) with /health down, rather than refuse connections, which nobody resends
                LOG.warn("the embedded journal in {} cannot be written: opened read-only; every alert is answered 503 "
                        + "until the folder is writable and the service restarted", dir);
            } else {
                lock = EmbeddedLock.take(dir);
            }
            if (Files.exists(dir.resolve("journal.mv.db")) && !Files.exists(dir.resolve("journal.db"))) {
                lock.release();
                throw new InvalidConfigurationException(dir + " holds the H2 journal (journal.mv.db) of a version "
                        + "before 2026-12; this version keeps its journal in SQLite (journal.db) and would start on an "
                        + "empty one, forgetting which alert ids were claimed. Let the old version finish the alerts in "
                        + "flight, move journal.mv.db out of the folder (it is the record of past alerts), and start "
                        + "again (docs/journal.md#engines)");
            }
            url = readOnly ? "jdbc:sqlite:file:" + dir.resolve("journal.db") + "?immutable=1"
                    : "jdbc:sqlite:" + dir.resolve("journal.db");
        } else {
            config.setUsername(settings.user());
            config.setPassword(settings.password());
        }
        config.setJdbcUrl(url);
        if (sqlite && readOnly) {
            // SQLITE_OPEN_READONLY | SQLITE_OPEN_URI (https://www.sqlite.org/c3ref/open.html): immutable=1, no locks
            config.addDataSourceProperty("open_mode", Integer.toString(0x01 | 0x40));
            config.setReadOnly(true); // what the pool asks of every connection: as it was opened
            config.setMaximumPoolSize(SQLITE_CONNECTIONS);
            config.setMinimumIdle(1);
        } else if (sqlite) {
            // WAL with synchronous=FULL: a commit returns once the WAL is synced (https://www.sqlite.org/pragma.html
            // #pragma_synchronous, "FULL ... WAL mode"). BEGIN IMMEDIATE: a transaction takes the write lock as it
            // begins, so that its reads and its writes see no other writer in between (Sql.forUpdate). Every write
            // goes through one writer thread that commits the transactions waiting together (GroupCommit): one
            // connection for it, the others for reads, which WAL lets run beside the writer. Foreign keys checked, as
            // on PostgreSQL.
            config.addDataSourceProperty("journal_mode", "WAL");
            config.addDataSourceProperty("synchronous", "FULL");
            config.addDataSourceProperty("transaction_mode", "IMMEDIATE");
            config.addDataSourceProperty("foreign_keys", "true");
            config.addDataSourceProperty("busy_timeout", "3000");
            config.setMaximumPoolSize(SQLITE_CONNECTIONS);
            config.setMinimumIdle(SQLITE_CONNECTIONS);
        } else {
            config.setMaximumPoolSize(settings.poolSize());
            config.setMinimumIdle(2);
        }
        // Fail at start-up, and fail an alert fast (503), rather than wait 30 s for a database that is not there.
        config.setConnectionTimeout(3000);
        config.setInitializationFailTimeout(10_000);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            if (lock != null) {
                lock.release();
            }
            throw new InvalidConfigurationException("the journal database at " + settings.location()
                    + " cannot be reached: " + rootMessage(e));
        }
        try {
            migrate(pool, settings.location(), sqlite);
        } catch (RuntimeException e) {
            pool.close();
            if (lock != null) {
                lock.release();
            }
            throw new InvalidConfigurationException("the journal database at " + settings.location()
                    + " could not be migrated: " + rootMessage(e));
        }
        return new Pool(pool, lock, sqlite && !readOnly ? new GroupCommit(pool) : null);
    }

    private static void migrate(HikariDataSource pool, String location, boolean sqlite) {
        MigrateResult result = Flyway.configure()
                .dataSource(pool)
                .locations(sqlite ? "classpath:db/sqlite" : "classpath:db/migration")
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
     * queries while every alert would be refused 503. On the embedded journal its disk must also have
     * {@link #MIN_FREE_BYTES} free. Nothing is kept between two calls: once space is back, the next call is up.
     *
     * @return null when a write committed, else why not
     */
    public String writeProblem(String instance) {
        try {
            Sql.inTransaction(dataSource, "probing the journal", connection -> {
                try (PreparedStatement update = connection.prepareStatement(
                        "UPDATE journal_probe SET probed_at = ? WHERE instance = ?")) {
                    Sql.setTime(update, 1, Instant.now());
                    update.setString(2, instance);
                    if (update.executeUpdate() == 1) {
                        return null;
                    }
                }
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO journal_probe (instance, probed_at) VALUES (?, ?)")) {
                    insert.setString(1, instance);
                    Sql.setTime(insert, 2, Instant.now());
                    insert.executeUpdate();
                }
                return null;
            });
        } catch (JournalUnavailableException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return "cannot write: " + firstLine(cause.getMessage());
        }
        if (embeddedDir != null) {
            try {
                long free = Files.getFileStore(embeddedDir).getUsableSpace();
                if (free < MIN_FREE_BYTES) {
                    return "disk nearly full: " + free / 1024 + " KiB free, alerts need room to be journaled";
                }
            } catch (IOException e) {
                return "cannot read the free space of " + embeddedDir + ": " + e.getMessage();
            }
        }
        return null;
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
            opened().close();
        } catch (RuntimeException neverOpened) {
            // nothing to close
        }
    }

    /** The pool, once open: every method waits for {@link #awaitOpen()} first. */
    private final class OpenedDataSource implements DataSource, Sql.GroupedWrites {

        @Override
        public GroupCommit groupCommit() {
            return opened().writes();
        }

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
