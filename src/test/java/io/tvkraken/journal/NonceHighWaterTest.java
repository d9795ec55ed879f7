package io.tvkraken.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tvkraken.Settings;
import io.tvkraken.TestDatabase;
import io.tvkraken.kraken.NonceGenerator;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nonces keep increasing across restarts (docs/operations.md#nonces), even when the clock went back meanwhile: the
 * high-water mark lives in the journal database, a real one (SQLite or PostgreSQL, {@link TestDatabase}).
 */
class NonceHighWaterTest {

    @TempDir
    Path data;


    @Test
    void aRestartedGeneratorStartsAboveEveryNonceHandedOutBeforeEvenIfTheClockWentBack() {
        Map<String, String> p = new HashMap<>(TestDatabase.fresh("nonces"));
        p.put("data.dir", data.toString());
        Settings settings = Settings.from(p::get);
        long last;
        long[] clock = {1_800_000_000_000_000L};
        try (Database db = Database.open(settings.database())) {
            NonceGenerator first = NonceGenerator.withClock(() -> clock[0], new NonceHighWater(db.dataSource(),
                    "key-a"));
            long previous = 0;
            for (int i = 0; i < 1000; i++) {
                clock[0] += 500; // half a millisecond between calls
                long nonce = first.next();
                assertThat(nonce).isGreaterThan(previous);
                previous = nonce;
            }
            last = previous;
        }
        clock[0] -= 3_600_000_000L; // the machine's clock is an hour behind after the restart
        try (Database db = Database.open(settings.database())) {
            NonceGenerator restarted = NonceGenerator.withClock(() -> clock[0],
                    new NonceHighWater(db.dataSource(), "key-a"));
            assertThat(restarted.next()).isGreaterThan(last);
            // another API key has a mark of its own
            NonceGenerator other = NonceGenerator.withClock(() -> clock[0],
                    new NonceHighWater(db.dataSource(), "key-b"));
            assertThat(other.next()).isEqualTo(clock[0]);
        }
    }
}
