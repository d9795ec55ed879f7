package io.tvkraken.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded journal's group commit (docs/journal.md#group-commit), on a real SQLite file: transactions waiting
 * together are committed together; one transaction's own failure is its own; a failure of the database fails the
 * whole group and commits nothing of it.
 */
class GroupCommitTest {

    @TempDir
    Path data;

    /** The writer is held inside a first transaction until the others are queued: they form the next group. */
    private List<Future<Object>> oneGroup(Database db, List<Sql.Work<Object>> works) throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService callers = Executors.newFixedThreadPool(works.size() + 1);
        try {
            Future<Object> holder = callers.submit(() -> Sql.inTransaction(db.dataSource(), "holding", c -> {
                holding.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }));
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
            List<Future<Object>> futures = new ArrayList<>();
            for (Sql.Work<Object> work : works) {
                futures.add(callers.submit(() -> Sql.inTransaction(db.dataSource(), "grouped", work)));
                Thread.sleep(50); // queued in this order
            }
            release.countDown();
            holder.get(10, TimeUnit.SECONDS);
            for (Future<Object> f : futures) {
                try {
                    f.get(10, TimeUnit.SECONDS);
                } catch (Exception failedOnPurpose) {
                    // read by the test
                }
            }
            return futures;
        } finally {
            callers.shutdownNow();
        }
    }

    private static Sql.Work<Object> insert(String alertId) {
        return c -> {
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO journal_probe (instance, probed_at) "
                    + "VALUES (?, '2026-01-01T00:00:00.000000000Z')")) {
                insert.setString(1, alertId);
                return insert.executeUpdate();
            }
        };
    }

    private static long rows(Database db) {
        return Sql.count(db.dataSource(), "counting", "SELECT COUNT(*) FROM journal_probe");
    }

    private static Database open(Path dir) {
        return Database.open(new Database.Config(null, null, null, dir, "embedded SQLite in " + dir, 4));
    }

    @Test
    void aConstraintRefusingOneTransactionLeavesTheOthersOfItsGroupCommitted() throws Exception {
        try (Database db = open(data)) {
            List<Future<Object>> group = oneGroup(db, List.of(insert("a"), insert("a"), insert("b")));

            assertThat(group.get(0).get()).isEqualTo(1);
            assertThat(group.get(1)).failsWithin(java.time.Duration.ZERO)
                    .withThrowableThat().havingRootCause().isInstanceOf(SQLException.class)
                    .withMessageContaining("UNIQUE");
            assertThat(group.get(2).get()).isEqualTo(1);
            assertThat(rows(db)).as("a and b committed, the second a refused alone").isEqualTo(2);
        }
    }

    @Test
    void aFailureOfTheDatabaseFailsTheWholeGroupAndCommitsNothingOfIt() throws Exception {
        try (Database db = open(data)) {
            Sql.Work<Object> broken = c -> {
                try (Statement s = c.createStatement()) {
                    return s.executeUpdate("UPDATE no_such_table SET x = 1");
                }
            };
            List<Future<Object>> group = oneGroup(db, List.of(insert("a"), broken, insert("b")));

            for (Future<Object> caller : group) {
                assertThat(caller).failsWithin(java.time.Duration.ZERO);
            }
            assertThat(rows(db)).as("nothing of the group committed").isZero();
            // the writer goes on: the next transaction commits
            Sql.inTransaction(db.dataSource(), "after", insert("c"));
            assertThat(rows(db)).isEqualTo(1);
        }
    }

    @Test
    void manyConcurrentTransactionsAreAllCommitted() throws Exception {
        try (Database db = open(data)) {
            int callers = 64;
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                List<Future<Object>> inserts = new ArrayList<>();
                for (int i = 0; i < callers; i++) {
                    inserts.add(pool.submit(() -> Sql.inTransaction(db.dataSource(), "insert",
                            insert("caller-" + Thread.currentThread().getId() + "-" + System.nanoTime()))));
                }
                for (Future<Object> f : inserts) {
                    assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(1);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(rows(db)).isEqualTo(callers);
        }
    }
}
