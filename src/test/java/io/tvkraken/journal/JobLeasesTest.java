package io.tvkraken.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tvkraken.Settings;
import io.tvkraken.TestDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job run claimed in the journal database (docs/notifications.md#daily-summary) is held by one instance of those
 * sharing it, taken over only when its holder's lease ran out before it was done, on a real database (SQLite or
 * PostgreSQL, {@link TestDatabase}).
 */
class JobLeasesTest {

    @TempDir
    Path data;

    /** Stands still until the test moves it: a lease runs out exactly when the test says. */
    static final class TestClock extends Clock {
        private Instant now;

        TestClock(Instant start) {
            now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    @Test
    void oneInstanceWinsARunAnotherTakesItOverOnlyWhenTheLeaseRanOutUndone() {
        Map<String, String> p = new HashMap<>(TestDatabase.fresh("job-leases"));
        p.put("data.dir", data.toString());
        TestClock clock = new TestClock(Instant.parse("2026-01-02T08:00:00Z"));
        try (Database db = Database.open(Settings.from(p::get).database())) {
            JobLeases a = new JobLeases(db.dataSource(), clock, "instance-a");
            JobLeases b = new JobLeases(db.dataSource(), clock, "instance-b");
            Duration lease = Duration.ofMinutes(5);

            assertThat(a.claim("daily-summary/2026-01-02", lease)).isTrue();
            assertThat(b.claim("daily-summary/2026-01-02", lease)).as("held by a").isFalse();
            assertThat(a.claim("daily-summary/2026-01-02", lease)).as("not twice, even by its holder").isFalse();
            assertThat(b.claim("daily-summary/2026-01-03", lease)).as("another run").isTrue();

            clock.advance(Duration.ofMinutes(6));
            assertThat(b.claim("daily-summary/2026-01-02", lease)).as("a died: its lease ran out").isTrue();
            assertThat(a.isDone("daily-summary/2026-01-02")).isFalse();
            b.done("daily-summary/2026-01-02");
            a.done("daily-summary/2026-01-02"); // no longer its holder: changes nothing
            assertThat(a.isDone("daily-summary/2026-01-02")).isTrue();

            clock.advance(Duration.ofMinutes(60));
            assertThat(a.claim("daily-summary/2026-01-02", lease)).as("done: never again").isFalse();
        }
    }
}
