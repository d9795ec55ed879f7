package io.tvkraken.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** JDBC conversions shared by the journal's tables: times are {@code TIMESTAMP WITH TIME ZONE}, written in UTC. */
public final class Sql {

    private Sql() {
    }

    /** A NULL of a given SQL type: PostgreSQL refuses a VARCHAR null in an INTEGER column. */
    public record TypedNull(int sqlType) {
    }

    /** Work done inside one transaction, on its connection. */
    interface Work<T> {
        T in(Connection connection) throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws.
     *
     * @throws JournalUnavailableException naming {@code operation} when the database fails
     */
    static <T> T inTransaction(DataSource db, String operation, Work<T> work) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.in(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is broken; the pool discards it
                }
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new JournalUnavailableException(operation, e);
        }
    }

    /** One row of a query's result, read into a value. */
    interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /**
     * Runs a query outside any transaction and reads every row of its result.
     *
     * @throws JournalUnavailableException naming {@code operation} when the database fails
     */
    static <T> List<T> query(DataSource db, String operation, String sql, Row<T> row, Object... args) {
        List<T> rows = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement q = c.prepareStatement(sql)) {
            bind(q, args);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    rows.add(row.read(rs));
                }
            }
        } catch (SQLException e) {
            throw new JournalUnavailableException(operation, e);
        }
        return rows;
    }

    /** {@code SELECT COUNT(*) ...}: its one number. */
    static long count(DataSource db, String operation, String sql, Object... args) {
        return query(db, operation, sql, rs -> rs.getLong(1), args).get(0);
    }

    /**
     * The commits made so far, on stable storage ({@link Durability}).
     *
     * @throws JournalUnavailableException naming {@code operation} when they cannot be
     */
    static void sync(DataSource db, Durability durability, String operation) {
        try (Connection c = db.getConnection()) {
            durability.sync(c);
        } catch (SQLException e) {
            throw new JournalUnavailableException(operation + " (making it durable)", e);
        }
    }

    public static Object intOrNull(Integer value) {
        return value == null ? new TypedNull(Types.INTEGER) : value;
    }

    public static void bind(PreparedStatement statement, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object arg = args[i];
            if (arg instanceof TypedNull typed) {
                statement.setNull(i + 1, typed.sqlType());
            } else if (arg == null) {
                statement.setNull(i + 1, Types.VARCHAR);
            } else if (arg instanceof AlertState state) {
                statement.setString(i + 1, state.value());
            } else if (arg instanceof Instant at) {
                statement.setObject(i + 1, utc(at));
            } else {
                statement.setObject(i + 1, arg);
            }
        }
    }

    public static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    public static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
