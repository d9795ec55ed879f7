package io.tvkraken.journal;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.journal.JournalUnavailableException;
import io.tvkraken.journal.Sql;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dead letters in the journal database (table {@code dead_letter}), so that they share its durability, its backups
 * and — with PostgreSQL — every instance. {@link #importFiles} moves in the letters that earlier versions kept as JSON
 * files under {@code DATA_DIR/dead-letters}.
 */
public class DeadLetterStore {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterStore.class);
    private static final String COLUMNS = "id, alert, request_id, alert_id, received_at, reason, message, "
            + "may_have_been_placed, intent, order_request, body, state, resolved_at, resolution";

    private final DataSource db;
    private final ObjectMapper json;

    public DeadLetterStore(DataSource db, ObjectMapper json) {
        this.db = db;
        this.json = json;
    }

    public void save(DeadLetter letter) {
        String order;
        try {
            order = letter.order() == null ? null : json.writeValueAsString(letter.order());
        } catch (JsonProcessingException e) {
            throw new JournalUnavailableException("storing dead letter " + letter.id(), e);
        }
        Sql.inTransaction(db, "storing dead letter " + letter.id(), c -> {
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO dead_letter (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, letter.id());
                if (letter.journalEntry() == null) {
                    insert.setNull(2, Types.BIGINT);
                } else {
                    insert.setLong(2, letter.journalEntry());
                }
                insert.setString(3, letter.requestId());
                insert.setString(4, letter.alertId());
                Sql.setTime(insert, 5, letter.receivedAt());
                insert.setString(6, letter.reason());
                insert.setString(7, letter.message());
                insert.setBoolean(8, letter.mayHaveBeenPlaced());
                insert.setString(9, letter.intent());
                insert.setString(10, order);
                insert.setString(11, letter.body());
                insert.setString(12, letter.state() == null ? DeadLetter.PENDING : letter.state());
                Sql.setTime(insert, 13, letter.resolvedAt());
                insert.setString(14, letter.resolution());
                return insert.executeUpdate();
            }
        });
    }

    /** Pending letters, oldest first. */
    public List<DeadLetter> pending() {
        return query("SELECT " + COLUMNS + " FROM dead_letter WHERE state = ? ORDER BY received_at, id",
                DeadLetter.PENDING);
    }

    public Optional<DeadLetter> find(String id) {
        return query("SELECT " + COLUMNS + " FROM dead_letter WHERE id = ?", id).stream().findFirst();
    }

    /** Marks a pending letter settled by a replay; false if it was not pending (another replay got there first). */
    public boolean resolve(String id, String resolution, Instant at) {
        return Sql.update(db, "resolving dead letter " + id, "UPDATE dead_letter SET state = ?, resolved_at = ?, "
                + "resolution = ? WHERE id = ? AND state = ?", DeadLetter.REPLAYED, at, resolution, id,
                DeadLetter.PENDING) == 1;
    }

    /** What a replay led to, once known (the letter was marked replayed when the replay began). */
    public void replayedAs(String id, String resolution) {
        Sql.update(db, "recording the replay of dead letter " + id, "UPDATE dead_letter SET resolution = ? WHERE id = ? "
                + "AND state = ?", resolution, id, DeadLetter.REPLAYED);
    }

    /** Pending letters; read on every /metrics scrape and /status call. */
    public int count() {
        return (int) Sql.count(db, "counting dead letters", "SELECT COUNT(*) FROM dead_letter WHERE state = ?",
                DeadLetter.PENDING);
    }

    /**
     * Moves the file letters of earlier versions ({@code DATA_DIR/dead-letters/*.json}) into the database, once: each
     * file is inserted (skipped if its id is there already) and then moved to {@code dead-letters/imported/}. A file
     * that cannot be read stays where it is, with a warning, so that nothing is lost. Their bodies and messages lose
     * their secrets on the way in, as an alert's body does at intake: those files were written by code that only
     * knew a top-level {@code passphrase}.
     *
     * @return how many letters were imported
     */
    public int importFiles(Path dataDir, UnaryOperator<String> redaction) {
        Path dir = dataDir.resolve("dead-letters");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int imported = 0;
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            LOG.warn("dead-letter files in {} could not be listed: {}", dir, e.getMessage());
            return 0;
        }
        for (Path file : files) {
            try {
                FileLetter old = json.readValue(file.toFile(), FileLetter.class);
                if (find(old.id).isEmpty()) {
                    save(new DeadLetter(old.id, null, old.requestId, old.alertId, Instant.parse(old.receivedAt),
                            old.reason, redaction.apply(old.message), old.mayHaveBeenPlaced, old.intent, old.order,
                            redaction.apply(old.body),
                            DeadLetter.PENDING, null, null));
                    imported++;
                }
                Path done = dir.resolve("imported");
                Files.createDirectories(done);
                Files.move(file, done.resolve(file.getFileName()));
            } catch (IOException | RuntimeException e) {
                LOG.warn("dead-letter file {} was not imported: {}", file.getFileName(), e.getMessage());
            }
        }
        if (imported > 0) {
            LOG.info("imported {} dead letter(s) from {} into the journal database", imported, dir);
        }
        return imported;
    }

    /** The JSON of a letter file written by earlier versions. */
    record FileLetter(String id, @JsonProperty("request_id") String requestId,
            @JsonProperty("alert_id") String alertId,
            @JsonProperty("received_at") String receivedAt,
            String reason, String message,
            @JsonProperty("may_have_been_placed") boolean mayHaveBeenPlaced,
            String intent, Map<String, String> order, String body) {
    }

    private List<DeadLetter> query(String sql, Object... args) {
        return Sql.query(db, "reading dead letters", sql, this::letter, args);
    }

    private DeadLetter letter(ResultSet rs) throws SQLException {
        String order = rs.getString("order_request");
        Map<String, String> params;
        try {
            params = order == null ? Map.of() : json.readValue(order, new TypeReference<Map<String, String>>() { });
        } catch (JsonProcessingException e) {
            params = Map.of();
        }
        long row = rs.getLong("alert");
        Long alert = rs.wasNull() ? null : row;
        return new DeadLetter(rs.getString("id"), alert, rs.getString("request_id"), rs.getString("alert_id"),
                Sql.instant(rs, "received_at"), rs.getString("reason"), rs.getString("message"),
                rs.getBoolean("may_have_been_placed"), rs.getString("intent"), params, rs.getString("body"),
                rs.getString("state"), Sql.instant(rs, "resolved_at"), rs.getString("resolution"));
    }
}
