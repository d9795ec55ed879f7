package io.tvkraken.kraken;

import java.util.Objects;

/**
 * One API key of the pool (docs/kraken.md#key-pool): the key, its signer (its secret) and its own nonce stream. Kraken
 * checks nonces per key, so each key's nonces only have to increase among that key's calls, which its own sender
 * route sends one at a time.
 *
 * <p>{@link #toString()} names the key by its position only: the key and its secret are never printed.
 */
public final class KrakenKey {

    private final int index;
    private final String apiKey;
    private final KrakenSigner signer;
    private final NonceGenerator nonces;

    public KrakenKey(int index, String apiKey, KrakenSigner signer, NonceGenerator nonces) {
        if (index < 0) {
            throw new IllegalArgumentException("a key's index is 0 or more");
        }
        this.index = index;
        this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
        this.signer = Objects.requireNonNull(signer, "signer");
        this.nonces = Objects.requireNonNull(nonces, "nonces");
    }

    /** Its position in {@code KRAKEN_API_KEY}, from 0: the sender route {@code kraken-private-serial-<index>}. */
    public int index() {
        return index;
    }

    /** The public half, sent as the {@code API-Key} header. */
    String apiKey() {
        return apiKey;
    }

    KrakenSigner signer() {
        return signer;
    }

    NonceGenerator nonces() {
        return nonces;
    }

    @Override
    public String toString() {
        return "KrakenKey[" + index + ", apiKey=***]";
    }
}
