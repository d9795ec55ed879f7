package io.tvkraken.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * JDBC conversions shared by the journal's tables. Times are {@code TIMESTAMP WITH TIME ZONE} in UTC on PostgreSQL,
 * and on SQLite, which has no time type, fixed-width UTC text ({@code 2026-01-02T03:04:05.123456789Z}): every value
 * has the same width, so comparing two as text compares them in time (docs/journal.md#engines).
 */
public final class Sql {

    private Sql() {
    }

    /** A NULL of a given SQL type: PostgreSQL refuses a VARCHAR null in an INTEGER column. */
    public record TypedNull(int sqlType) {
    }

    /** A database whose write transactions are committed in groups (the embedded SQLite journal), or not (null). */
    interface GroupedWrites {
        GroupCommit groupCommit();
    }

    /** Work done inside one transaction, on its connection. */
    interface Work<T> {
        T in(Connection connection) throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. On the embedded
     * journal the transaction is committed with the others waiting at the same moment ({@link GroupCommit}); either
     * way it is on the disk when this returns.
     *
     * @throws JournalUnavailableException naming {@code operation} when the database fails
     */
    static <T> T inTransaction(DataSource db, String operation, Work<T> work) {
        GroupCommit group = db instanceof GroupedWrites grouped ? grouped.groupCommit() : null;
        if (group != null) {
            try {
                return group.inTransaction(work);
            } catch (SQLException e) {
                throw new JournalUnavailableException(operation, e);
            }
        }
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
     * Runs a query outside any transaction and reads every row of its result. For reads only: a write goes through
     * {@link #inTransaction} or {@link #update}.
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

    /** One statement that writes, in a transaction of its own: how many rows it changed. */
    static int update(DataSource db, String operation, String sql, Object... args) {
        return inTransaction(db, operation, c -> {
            try (PreparedStatement update = c.prepareStatement(sql)) {
                bind(update, args);
                return update.executeUpdate();
            }
        });
    }

    /** {@code SELECT COUNT(*) ...}: its one number. */
    static long count(DataSource db, String operation, String sql, Object... args) {
        return query(db, operation, sql, rs -> rs.getLong(1), args).get(0);
    }

    public static Object intOrNull(Integer value) {
        return value == null ? new TypedNull(Types.INTEGER) : value;
    }

    /** An INTEGER column that may be NULL (the drivers differ in what {@code getObject(column, Integer.class)} gives). */
    static Integer intOrNull(ResultSet rs, String column) throws SQLException {
        int value = rs.getInt(column);
        return rs.wasNull() ? null : value;
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
                setTime(statement, i + 1, at);
            } else {
                statement.setObject(i + 1, arg);
            }
        }
    }

    /**
     * The lock clause that makes a row read inside a transaction the transaction's until it ends: {@code FOR UPDATE},
     * or nothing on SQLite, where a transaction begins by taking the database's one write lock ({@code BEGIN
     * IMMEDIATE}, Database) and no other writer can come between its read and its write.
     */
    static String forUpdate(Connection connection) throws SQLException {
        return connection.isWrapperFor(org.sqlite.SQLiteConnection.class) ? "" : " FOR UPDATE";
    }

    /**
     * A unique or primary-key constraint refused the write: SQLSTATE 23505 (PostgreSQL), or SQLite's constraint codes
     * (https://www.sqlite.org/rescode.html#constraint_unique).
     */
    static boolean uniqueViolation(Throwable failure) {
        if (failure instanceof org.sqlite.SQLiteException sqlite) {
            return switch (sqlite.getResultCode()) {
                case SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY -> true;
                case SQLITE_CONSTRAINT -> String.valueOf(sqlite.getMessage()).contains("UNIQUE constraint failed");
                default -> false;
            };
        }
        return failure instanceof SQLException sql && "23505".equals(sql.getSQLState());
    }

    /** Binds a time (null for none) as the journal's engine stores times. */
    public static void setTime(PreparedStatement statement, int index, Instant at) throws SQLException {
        if (at == null) {
            statement.setNull(index, textTimes(statement) ? Types.VARCHAR : Types.TIMESTAMP_WITH_TIMEZONE);
        } else if (textTimes(statement)) {
            statement.setString(index, TEXT_TIME.format(at));
        } else {
            statement.setObject(index, at.atOffset(ZoneOffset.UTC));
        }
    }

    /** A time read back: fixed-width text on SQLite, a time with zone elsewhere. */
    public static Instant instant(ResultSet rs, String column) throws SQLException {
        Object value = rs.getObject(column);
        if (value == null) {
            return null;
        }
        if (value instanceof String text) {
            return Instant.parse(text);
        }
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }

    /** Nine digits of fraction always, so that every time has the same width. */
    private static final DateTimeFormatter TEXT_TIME = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd'T'HH:mm:ss").appendFraction(ChronoField.NANO_OF_SECOND, 9, 9, true)
            .appendLiteral('Z').toFormatter(Locale.ROOT).withZone(ZoneOffset.UTC);

    private static boolean textTimes(PreparedStatement statement) throws SQLException {
        return statement.isWrapperFor(org.sqlite.core.CorePreparedStatement.class);
    }
}
