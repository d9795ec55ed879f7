package io.tvkraken.journal;

import io.tvkraken.kraken.KeyTurns;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A key's turn across every instance on one PostgreSQL (docs/replicas.md#nonces): a session advisory lock per API key
 * ({@code pg_advisory_lock}, https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS), held on a
 * connection of its own from {@link #begin} until {@link #end}, that is for the whole sign-and-send of one call.
 *
 * <p>PostgreSQL releases a session lock when its connection ends, so an instance killed with SIGKILL (its socket
 * closes) does not hold a key for long. A turn waits at most {@code maxWait} ({@code lock_timeout}); after that the
 * call is not sent. The lock id is taken from a SHA-256 of the key, never the key itself.
 */
public final class AdvisoryKeyTurns implements KeyTurns {

    private final Database database;
    private final long[] lockIds;
    private final long maxWaitMs;
    /** The connection holding each key's lock, while this process has the key's turn. */
    private final AtomicReferenceArray<Connection> held;

    public AdvisoryKeyTurns(Database database, List<String> apiKeys, Duration maxWait) {
        this.database = database;
        this.lockIds = apiKeys.stream().mapToLong(AdvisoryKeyTurns::lockId).toArray();
        this.maxWaitMs = maxWait.toMillis();
        this.held = new AtomicReferenceArray<>(apiKeys.size());
    }

    @Override
    public void begin(int key) {
        Connection c;
        try {
            c = database.dataSource().getConnection();
        } catch (SQLException e) {
            throw new JournalUnavailableException("taking API key " + key + "'s turn", e);
        }
        try {
            try (Statement s = c.createStatement()) {
                s.execute("SET lock_timeout = " + maxWaitMs);
            }
            try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_lock(?)")) {
                lock.setLong(1, lockIds[key]);
                lock.execute();
            }
            held.set(key, c);
        } catch (SQLException e) {
            database.discard(c);
            throw new JournalUnavailableException("taking API key " + key + "'s turn (another instance held it for "
                    + "more than " + maxWaitMs + " ms, or the database failed): nothing was sent", e);
        }
    }

    @Override
    public void end(int key) {
        Connection c = held.getAndSet(key, null);
        if (c == null) {
            return;
        }
        try {
            try (PreparedStatement unlock = c.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                unlock.setLong(1, lockIds[key]);
                unlock.execute();
            }
            try (Statement s = c.createStatement()) {
                s.execute("RESET lock_timeout");
            }
            c.close();
        } catch (SQLException e) {
            // a connection that may still hold the lock never goes back to the pool: closing it ends the session
            database.discard(c);
        }
    }

    static long lockId(String apiKey) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(("tradingview-kraken-webhook nonce turn " + apiKey).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(hash).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "AdvisoryKeyTurns[keys=" + lockIds.length + ", maxWaitMs=" + maxWaitMs + "]";
    }
}
