package io.tvkraken.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;

/**
 * The kill switch as the journal database keeps it (docs/replicas.md#kill-switch): one row in {@code trading_switch}
 * that every instance sharing the database reads, and each change in {@code trading_switch_change} with who asked for
 * it and from where. {@code TRADING_ENABLED} only seeds a database that has no setting yet.
 */
public final class TradingSetting {


    /** One change: on or off, when, the admin request that asked (id and source address), or the seed's reason. */
    public record Change(boolean enabled,
            @com.fasterxml.jackson.annotation.JsonProperty("changed_at") Instant changedAt,
            @com.fasterxml.jackson.annotation.JsonProperty("request_id") String requestId,
            @com.fasterxml.jackson.annotation.JsonProperty("source_address") String sourceAddress,
            String instance, String reason) {
    }

    private final DataSource db;
    private final Clock clock;
    private final String instance;

    /** A switch set is on stable storage when its commit returns, before it is answered (Database). */
    public TradingSetting(DataSource db, Clock clock, String instance) {
        this.db = db;
        this.clock = clock;
        this.instance = instance;
    }

    /**
     * Writes {@code enabled} as the setting if the database has none yet. Of instances starting together, the first
     * insert wins and the others keep it.
     *
     * @return the setting in force afterwards
     */
    public boolean seed(boolean enabled) {
        if (isSet()) {
            return enabled(); // read only: a journal that cannot take writes (full or read-only disk) still starts
        }
        Instant now = clock.instant();
        try {
            Sql.inTransaction(db, "seeding the kill switch", c -> {
                try (PreparedStatement insert = c.prepareStatement(
                        "INSERT INTO trading_switch (id, enabled, changed_at) VALUES (1, ?, ?)")) {
                    Sql.bind(insert, enabled, now);
                    insert.executeUpdate();
                }
                addChange(c, enabled, now, null, null, "TRADING_ENABLED=" + enabled
                        + " seeded a journal database without a kill switch setting");
                return null;
            });
        } catch (JournalUnavailableException e) {
            // another instance starting at the same time seeded it first: its setting stands
            if (!Sql.uniqueViolation(e.getCause())) {
                throw e;
            }
        }
        return enabled();
    }

    private boolean isSet() {
        return Sql.count(db, "reading the kill switch", "SELECT COUNT(*) FROM trading_switch WHERE id = 1") > 0;
    }

    /** The setting in force, as every instance sees it. */
    public boolean enabled() {
        // seeded at start-up; a row deleted by hand reads as off, the safe side
        return Sql.query(db, "reading the kill switch", "SELECT enabled FROM trading_switch WHERE id = 1",
                rs -> rs.getBoolean(1)).stream().findFirst().orElse(false);
    }

    /**
     * Switches trading on or off for every instance, and journals who asked: one transaction.
     *
     * @return whether the setting changed
     */
    public boolean set(boolean enabled, String requestId, String sourceAddress) {
        Instant now = clock.instant();
        boolean switched = Sql.inTransaction(db, "switching trading", c -> {
            int changed;
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE trading_switch SET enabled = ?, changed_at = ? WHERE id = 1 AND enabled <> ?")) {
                Sql.bind(update, enabled, now, enabled);
                changed = update.executeUpdate();
            }
            if (changed == 0) {
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO trading_switch "
                        + "(id, enabled, changed_at) SELECT 1, ?, ? WHERE NOT EXISTS "
                        + "(SELECT 1 FROM trading_switch WHERE id = 1)")) {
                    Sql.bind(insert, enabled, now);
                    changed = insert.executeUpdate();
                }
            }
            addChange(c, enabled, now, requestId, sourceAddress, changed == 1
                    ? "POST /admin/trading switched it " + (enabled ? "on" : "off")
                    : "POST /admin/trading asked for " + (enabled ? "on" : "off") + ", which it already was");
            return changed == 1;
        });
        return switched;
    }

    /** The latest changes, newest first. */
    public List<Change> changes(int limit) {
        return Sql.query(db, "reading the kill switch's changes", "SELECT enabled, changed_at, request_id, "
                + "source_address, instance, reason FROM trading_switch_change ORDER BY id DESC LIMIT "
                + Math.max(1, limit), rs -> new Change(rs.getBoolean(1), Sql.instant(rs, "changed_at"),
                        rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6)));
    }

    private void addChange(Connection c, boolean enabled, Instant at, String requestId, String sourceAddress,
            String reason) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO trading_switch_change (enabled, changed_at, "
                + "request_id, source_address, instance, reason) VALUES (?, ?, ?, ?, ?, ?)")) {
            Sql.bind(insert, enabled, at, requestId == null ? null : Journal.truncate(requestId, 128),
                    sourceAddress == null ? null : Journal.truncate(sourceAddress, 128), instance,
                    Journal.truncate(reason, 200));
            insert.executeUpdate();
        }
    }
}
