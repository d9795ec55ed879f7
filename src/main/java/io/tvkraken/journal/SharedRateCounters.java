package io.tvkraken.journal;

import io.tvkraken.kraken.RateCounters;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * Kraken's rate counters in table {@code rate_counter} of a PostgreSQL journal, shared by every instance on it
 * (docs/replicas.md#rate-counters): Kraken counts per API key and per account, not per process.
 *
 * <p>A call is admitted in one short transaction: an upsert creates the counter's row if need be and locks it until the
 * commit ({@code INSERT ... ON CONFLICT DO UPDATE}, which waits for a row another transaction holds,
 * https://www.postgresql.org/docs/current/sql-insert.html#SQL-ON-CONFLICT), the level is decayed, the call's cost added
 * and the row written back. Instances admitting calls on one counter at the same time thus take turns, each seeing
 * what the one before it added. Time is the database's ({@code clock_timestamp()}, read once the row is locked), so
 * the decay does not depend on the instances' clocks agreeing.
 *
 * <p>A REST call counter is named by a SHA-256 of its API key (the key itself is a secret and never stored), as is its
 * nonce row: instances may list the keys in any order.
 */
public final class SharedRateCounters implements RateCounters {

    /** The database's clock in milliseconds since the epoch. */
    private static final String NOW_MS = "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)";

    private final DataSource db;
    private final String[] restCounters;

    public SharedRateCounters(DataSource db, List<String> apiKeys) {
        this.db = db;
        this.restCounters = apiKeys.stream().map(key -> "rest/" + NonceHighWater.sha256(key)).toArray(String[]::new);
    }

    @Override
    public String restCounter(int key) {
        return restCounters[key];
    }

    @Override
    public <T> T change(String name, double max, double decayPerSecond, Function<Counter, T> change) {
        return Sql.inTransaction(db, "counting on Kraken's rate counter " + name, c -> {
            Counter counter;
            long now;
            // the row, created if it is missing, stays locked until the commit
            try (PreparedStatement lock = c.prepareStatement("INSERT INTO rate_counter (counter, level, "
                    + "updated_ms) VALUES (?, 0, 0) ON CONFLICT (counter) DO UPDATE SET level = rate_counter.level "
                    + "RETURNING level, updated_ms, " + NOW_MS)) {
                lock.setString(1, name);
                try (ResultSet rs = lock.executeQuery()) {
                    rs.next();
                    counter = new Counter(max, decayPerSecond, rs.getDouble(1), rs.getLong(2));
                    now = rs.getLong(3);
                }
            }
            counter.decay(now);
            T result = change.apply(counter);
            try (PreparedStatement write = c.prepareStatement(
                    "UPDATE rate_counter SET level = ?, updated_ms = ? WHERE counter = ?")) {
                write.setDouble(1, counter.level());
                write.setLong(2, counter.at());
                write.setString(3, name);
                write.executeUpdate();
            }
            return result;
        });
    }

    @Override
    public Counter read(String name, double max, double decayPerSecond) {
        return Sql.query(db, "reading Kraken's rate counter " + name,
                "SELECT level, updated_ms, " + NOW_MS + " FROM rate_counter WHERE counter = ?", rs -> {
                    Counter counter = new Counter(max, decayPerSecond, rs.getDouble(1), rs.getLong(2));
                    counter.decay(rs.getLong(3));
                    return counter;
                }, name).stream().findFirst().orElseGet(() -> new Counter(max, decayPerSecond, 0, 0));
    }

    @Override
    public String toString() {
        return "RateCounters[shared in the journal database, keys=" + restCounters.length + "]";
    }
}
