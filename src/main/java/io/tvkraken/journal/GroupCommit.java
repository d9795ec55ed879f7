package io.tvkraken.journal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for the embedded SQLite journal (docs/journal.md#group-commit): every write transaction is handed to
 * one writer thread, which runs the transactions waiting at that moment one after the other in a single SQLite
 * transaction, each inside a savepoint of its own, and commits them together: one sync of the WAL for the whole group
 * instead of one each. A caller returns only once its group is committed, so what it acts on next (the answer, the
 * AddOrder) is on the disk as before.
 *
 * <p>One transaction's failure is its own: a constraint it violates (an alert id already claimed) or an exception of
 * its own code rolls back to its savepoint, and the others go on. A failure of the database itself (a full disk, an
 * I/O error), after which SQLite may already have rolled the whole transaction back, fails the whole group, none of it
 * committed; each caller gets the failure, as with a transaction of its own.
 */
final class GroupCommit implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);
    /** Transactions in one commit at most: a group holds SQLite's write lock for a few milliseconds. */
    static final int MAX_GROUP = 64;

    private final DataSource pool;
    private final BlockingQueue<Task<?>> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closed;

    GroupCommit(DataSource pool) {
        this.pool = pool;
        this.writer = new Thread(this::writeGroups, "journal-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * Runs {@code work} in the next group and returns its result once the group is committed.
     *
     * @throws SQLException     when the database failed: nothing of it was committed
     * @throws RuntimeException what {@code work} threw: nothing of it was committed
     */
    <T> T inTransaction(Sql.Work<T> work) throws SQLException {
        if (Thread.currentThread() == writer) {
            throw new IllegalStateException("a journal transaction inside another one");
        }
        Task<T> task = new Task<>(work);
        synchronized (this) {
            // after close, nothing is queued: the writer's last pass takes everything queued before
            if (closed) {
                throw new SQLException("the journal is closed");
            }
            queue.add(task);
        }
        try {
            return task.outcome.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new SQLException(e.getCause());
        }
    }

    private void writeGroups() {
        List<Task<?>> group = new ArrayList<>(MAX_GROUP);
        while (!closed || !queue.isEmpty()) {
            try {
                Task<?> first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
                queue.drainTo(group, MAX_GROUP - 1);
                commit(group);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException | Error e) {
                // commit() failed the group's callers and rolled it back; the writer goes on with the next group
                LOG.error("journal writer: {}", e.toString(), e);
                group.forEach(task -> task.fail(e));
            } finally {
                group.clear();
            }
        }
        for (Task<?> left; (left = queue.poll()) != null; ) {
            left.fail(new SQLException("the journal is closed"));
        }
    }

    /** One SQLite transaction for the group: a savepoint per task, one commit. */
    private void commit(List<Task<?>> group) {
        List<Task<?>> run = new ArrayList<>(group.size());
        try (Connection c = pool.getConnection()) {
            try {
                c.setAutoCommit(false);
                for (Task<?> task : group) {
                    Savepoint savepoint = c.setSavepoint();
                    try {
                        task.run(c);
                        c.releaseSavepoint(savepoint);
                        run.add(task);
                    } catch (SQLException | RuntimeException failure) {
                        if (breaksTheTransaction(failure)) {
                            throw new GroupFailed(failure, task);
                        }
                        c.rollback(savepoint);
                        c.releaseSavepoint(savepoint);
                        task.fail(failure);
                    }
                }
                c.commit();
                run.forEach(Task::complete);
            } catch (GroupFailed failed) {
                rollback(c);
                failed.task.fail(failed.getCause());
                group.stream().filter(task -> task != failed.task)
                        .forEach(task -> task.fail(notCommitted(failed.getCause())));
            } catch (SQLException | RuntimeException failure) {
                rollback(c);
                group.forEach(task -> task.fail(failure));
            } catch (Error error) {
                // rolled back before the connection goes back: nothing of a group a caller was failed for is committed
                rollback(c);
                group.forEach(task -> task.fail(error));
                throw error;
            } finally {
                try {
                    c.setAutoCommit(true);
                } catch (SQLException ignored) {
                    // no transaction open: already rolled back
                }
            }
        } catch (SQLException noConnection) {
            group.forEach(task -> task.fail(noConnection));
        }
    }

    /**
     * Whether SQLite may have rolled the whole transaction back (https://www.sqlite.org/lang_transaction.html,
     * "Response To Errors Within A Transaction": a full disk, an I/O error, out of memory...): any failure of the
     * database other than a constraint. A constraint fails its statement only, and an exception of a task's own code
     * (no SQLException in it) leaves the transaction as it was.
     */
    private static boolean breaksTheTransaction(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.sqlite.SQLiteException sqlite) {
                return !sqlite.getResultCode().name().startsWith("SQLITE_CONSTRAINT");
            }
            if (t instanceof SQLException) {
                return true;
            }
        }
        return false;
    }

    private static SQLException notCommitted(Throwable cause) {
        return new SQLException("not committed: another transaction of its group failed the database ("
                + cause.getMessage() + ")", cause);
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // SQLite rolled it back already
        }
    }

    /** Stops taking transactions; those waiting are written first. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        try {
            writer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class Task<T> {
        final Sql.Work<T> work;
        final CompletableFuture<T> outcome = new CompletableFuture<>();
        T result;

        Task(Sql.Work<T> work) {
            this.work = work;
        }

        void run(Connection c) throws SQLException {
            result = work.in(c);
        }

        void complete() {
            outcome.complete(result);
        }

        void fail(Throwable failure) {
            outcome.completeExceptionally(failure);
        }
    }

    /** A task failed the database: the group's transaction is given up. */
    private static final class GroupFailed extends RuntimeException {
        final transient Task<?> task;

        GroupFailed(Throwable cause, Task<?> task) {
            super(cause.getMessage(), cause, false, false);
            this.task = task;
        }
    }
}
