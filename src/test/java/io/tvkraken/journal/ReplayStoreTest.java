package io.tvkraken.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tvkraken.Settings;
import io.tvkraken.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays in the journal database (docs/replays.md): a replay whose progress stopped moving, because the instance
 * running it stopped, is failed saying so; one that moves, or has ended, is left as it is.
 */
class ReplayStoreTest {

    @TempDir
    Path data;

    @Test
    void aReplayWhoseProgressStoppedIsFailedAndOneThatMovesIsNot() {
        Map<String, String> p = new HashMap<>(TestDatabase.fresh("replay-store"));
        p.put("data.dir", data.toString());
        JobLeasesTest.TestClock clock = new JobLeasesTest.TestClock(Instant.parse("2026-01-02T08:00:00Z"));
        try (Database db = Database.open(Settings.from(p::get).database())) {
            ReplayStore store = new ReplayStore(db.dataSource(), clock, "instance-a");
            store.create("rp-stalled", "{}", 100);
            store.create("rp-moving", "{}", 100);
            store.create("rp-done", "{}", 1);
            store.done("rp-done", 1, "{}", "");
            clock.advance(Duration.ofMinutes(3));
            store.progress("rp-moving", 40);

            for (String id : new String[] {"rp-stalled", "rp-moving", "rp-done"}) {
                store.failIfStalled(id, Duration.ofMinutes(2));
            }
            assertThat(store.get("rp-stalled").orElseThrow().state()).isEqualTo(ReplayStore.FAILED);
            assertThat(store.get("rp-stalled").orElseThrow().error()).contains("stopped before it finished");
            assertThat(store.get("rp-moving").orElseThrow().state()).isEqualTo(ReplayStore.RUNNING);
            assertThat(store.get("rp-moving").orElseThrow().done()).isEqualTo(40);
            assertThat(store.get("rp-done").orElseThrow().state()).isEqualTo(ReplayStore.DONE);
        }
    }
}
