package io.tvkraken.journal;

import io.tvkraken.kraken.NonceGenerator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;
import javax.sql.DataSource;

/**
 * The nonce high-water mark of one Kraken API key in table {@code kraken_nonce}, keyed by a SHA-256 of the key (the
 * key itself is a secret and never stored). Only ever raised.
 *
 * <p>{@linkplain #shared Shared} (instances on one PostgreSQL, docs/replicas.md#nonces), the mark is the last nonce
 * any instance took, and each nonce is taken with one statement inside the key's turn ({@link AdvisoryKeyTurns}).
 */
public final class NonceHighWater implements NonceGenerator.HighWater {

    private final DataSource db;
    private final String keyHash;
    private final boolean shared;

    /** For one process: raised a lease ahead by {@link NonceGenerator}. */
    public NonceHighWater(DataSource db, String apiKey) {
        this(db, apiKey, false);
    }

    private NonceHighWater(DataSource db, String apiKey, boolean shared) {
        this.db = db;
        this.keyHash = sha256(apiKey == null ? "" : apiKey);
        this.shared = shared;
    }

    /** For instances sharing the key on one PostgreSQL: every nonce taken from the database. */
    public static NonceHighWater shared(DataSource db, String apiKey) {
        return new NonceHighWater(db, apiKey, true);
    }

    @Override
    public boolean shared() {
        return shared;
    }

    /** One statement: the mark becomes the larger of one more than itself and {@code atLeast}, and is returned. */
    @Override
    public long take(long atLeast) {
        if (!shared) {
            throw new UnsupportedOperationException("this key's high-water mark is not shared");
        }
        try (Connection c = db.getConnection()) {
            for (int attempt = 0; attempt < 2; attempt++) {
                try (PreparedStatement take = c.prepareStatement("UPDATE kraken_nonce SET high_water = "
                        + "GREATEST(high_water + 1, ?) WHERE api_key_hash = ? RETURNING high_water")) {
                    take.setLong(1, atLeast);
                    take.setString(2, keyHash);
                    try (ResultSet rs = take.executeQuery()) {
                        if (rs.next()) {
                            return rs.getLong(1);
                        }
                    }
                }
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO kraken_nonce (api_key_hash, "
                        + "high_water) VALUES (?, 0) ON CONFLICT (api_key_hash) DO NOTHING")) {
                    insert.setString(1, keyHash);
                    insert.executeUpdate();
                }
            }
            throw new SQLException("no kraken_nonce row for the key after inserting it");
        } catch (SQLException e) {
            throw new JournalUnavailableException("taking a nonce", e);
        }
    }

    @Override
    public long read() {
        return Sql.query(db, "reading the nonce high-water mark",
                "SELECT high_water FROM kraken_nonce WHERE api_key_hash = ?", rs -> rs.getLong(1), keyHash)
                .stream().findFirst().orElse(0L);
    }

    @Override
    public void raise(long to) {
        Sql.inTransaction(db, "raising the nonce high-water mark", c -> {
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE kraken_nonce SET high_water = ? WHERE api_key_hash = ? AND high_water < ?")) {
                update.setLong(1, to);
                update.setString(2, keyHash);
                update.setLong(3, to);
                if (update.executeUpdate() == 1) {
                    return null;
                }
            }
            try (PreparedStatement read = c.prepareStatement(
                    "SELECT high_water FROM kraken_nonce WHERE api_key_hash = ?")) {
                read.setString(1, keyHash);
                try (ResultSet rs = read.executeQuery()) {
                    if (rs.next()) {
                        return null; // at or above the mark already
                    }
                }
            }
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO kraken_nonce (api_key_hash, high_water) VALUES (?, ?)")) {
                insert.setString(1, keyHash);
                insert.setLong(2, to);
                insert.executeUpdate();
            }
            return null;
        });
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
