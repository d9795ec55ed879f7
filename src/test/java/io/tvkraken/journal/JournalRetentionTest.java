package io.tvkraken.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.Settings;
import io.tvkraken.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal keeps what is over for its retention and no longer (docs/journal.md#retention), on a real database
 * (SQLite or PostgreSQL, {@link TestDatabase}): finished alerts and replayed dead letters go once older; rows in
 * flight, pending dead letters and their alerts stay whatever their age; an alert id is a duplicate while its row is
 * kept and a new alert after.
 */
class JournalRetentionTest {

    @TempDir
    Path data;

    @Test
    void finishedAlertsOlderThanTheRetentionGoWhatMayStillBeReplayedOrIsInFlightStays() {
        Map<String, String> p = new HashMap<>(TestDatabase.fresh("journal-retention"));
        p.put("data.dir", data.toString());
        JobLeasesTest.TestClock clock = new JobLeasesTest.TestClock(Instant.parse("2026-01-02T08:00:00Z"));
        try (Database db = Database.open(Settings.from(p::get).database())) {
            Journal journal = new Journal(db.dataSource(), clock, "instance-a", Duration.ofSeconds(15));
            DeadLetterStore letters = new DeadLetterStore(db.dataSource(), new ObjectMapper());
            JournalRetention retention = new JournalRetention(db.dataSource(), clock, Duration.ofDays(30));
            Instant sendBy = clock.instant().plusSeconds(60);

            long executed = journal.open("r1", "old-executed", "execute", "{}", true, sendBy).row();
            journal.finish(executed, AlertState.EXECUTED, 200, "{}", List.of("TX1"), false, null);
            long duplicate = journal.open("r2", "old-executed", "execute", "{}", true, sendBy).row();
            long inFlight = journal.open("r3", "old-in-flight", "execute", "{}", true, sendBy).row();
            long fannedOut = journal.open("r7", "old-fanned-out", "execute", "{}", true, sendBy).row();
            journal.finish(fannedOut, AlertState.FANNED_OUT, 200, "{}", null, false, null);
            ReplayStore replays = new ReplayStore(db.dataSource(), clock, "instance-a");
            replays.create("rp-old", "{}", 0);
            replays.done("rp-old", 0, "{}", "");
            replays.create("rp-running", "{}", 0);
            long pendingLetter = journal.open("r4", "old-dead-lettered", "execute", "{}", true, sendBy).row();
            journal.finish(pendingLetter, AlertState.DEAD_LETTERED, 202, "{}", null, false, null);
            letters.save(letter("dl-pending", pendingLetter, clock.instant(), DeadLetter.PENDING));
            letters.save(letter("dl-replayed", null, clock.instant(), DeadLetter.REPLAYED));

            clock.advance(Duration.ofDays(29));
            long young = journal.open("r5", "young-executed", "execute", "{}", true, sendBy).row();
            journal.finish(young, AlertState.EXECUTED, 200, "{}", List.of("TX2"), false, null);
            assertThat(retention.prune()).as("nothing is older than 30 days yet").isZero();
            assertThat(journal.holderOf("old-executed")).as("still a duplicate on day 29").isPresent();

            clock.advance(Duration.ofDays(2));
            assertThat(retention.prune()).as("the executed alert, its duplicate, the fanned-out one").isEqualTo(3);
            assertThat(rowExists(journal, fannedOut)).isFalse();
            assertThat(replays.get("rp-old")).as("an ended replay").isEmpty();
            assertThat(replays.get("rp-running")).as("a replay still running").isPresent();

            assertThat(rowExists(journal, executed)).isFalse();
            assertThat(rowExists(journal, duplicate)).isFalse();
            assertThat(journal.events(executed)).as("its events went with it").isEmpty();
            assertThat(rowExists(journal, inFlight)).as("in flight: never deleted").isTrue();
            assertThat(rowExists(journal, pendingLetter)).as("its dead letter may still be replayed").isTrue();
            assertThat(letters.find("dl-pending")).isPresent();
            assertThat(letters.find("dl-replayed")).as("replayed and old").isEmpty();
            assertThat(rowExists(journal, young)).isTrue();

            Journal.Opened again = journal.open("r6", "old-executed", "execute", "{}", true, sendBy);
            assertThat(again.duplicate()).as("the retention is over: the same id is a new alert").isFalse();
        }
    }

    @Test
    void aBacklogLongerThanOneBatchIsDeletedInOneRun() {
        Map<String, String> p = new HashMap<>(TestDatabase.fresh("journal-retention-batches"));
        p.put("data.dir", data.toString());
        JobLeasesTest.TestClock clock = new JobLeasesTest.TestClock(Instant.parse("2026-01-02T08:00:00Z"));
        try (Database db = Database.open(Settings.from(p::get).database())) {
            Journal journal = new Journal(db.dataSource(), clock, "instance-a", Duration.ofSeconds(15));
            int alerts = JournalRetention.BATCH * 2 + 7;
            for (int i = 0; i < alerts; i++) {
                journal.refused("r" + i, "refused-" + i, "execute", "{}", 422, "{}");
            }
            clock.advance(Duration.ofDays(31));
            assertThat(new JournalRetention(db.dataSource(), clock, Duration.ofDays(30)).prune()).isEqualTo(alerts);
            assertThat(journal.recent(10)).isEmpty();
        }
    }

    private static boolean rowExists(Journal journal, long row) {
        try {
            journal.get(row);
            return true;
        } catch (IllegalArgumentException gone) {
            return false;
        }
    }

    private static DeadLetter letter(String id, Long row, Instant at, String state) {
        return new DeadLetter(id, row, "request", "alert-" + id, at, "kraken_unavailable", "down", false, "execute",
                Map.of(), "{}", state, DeadLetter.REPLAYED.equals(state) ? at : null,
                DeadLetter.REPLAYED.equals(state) ? "executed" : null);
    }
}
