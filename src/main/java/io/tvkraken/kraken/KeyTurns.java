package io.tvkraken.kraken;

/**
 * Whose turn it is to sign and send with an API key, among every process that uses it (docs/replicas.md#nonces).
 *
 * <p>Kraken compares each nonce with the last one it <em>received</em> for the key (docs/kraken.md#nonces). Inside one
 * process a key's calls already leave one at a time (its sender route has one consumer); instances sharing a key on
 * one PostgreSQL also take the key's turn there, so that across all of them a key has one call in flight, and the
 * next call's nonce, taken inside the next turn, is higher than every nonce sent before it.
 *
 * <p>The sender route of key {@code i} calls {@link #begin} before the kill switch check, {@code sending} and the
 * nonce, and {@link #end} once the call was answered or failed ({@code kraken-key-sender} in routes/kraken.camel.yaml).
 */
public interface KeyTurns {

    /** Waits for key {@code key}'s turn; when it returns, no other process sends with the key until {@link #end}. */
    void begin(int key);

    /** Ends this process's turn with key {@code key}; nothing if it holds none. */
    void end(int key);

    /** One process per key (the embedded journal serves one instance): its sender route is the whole turn. */
    KeyTurns WITHIN_ONE_PROCESS = new KeyTurns() {
        @Override
        public void begin(int key) {
        }

        @Override
        public void end(int key) {
        }

        @Override
        public String toString() {
            return "KeyTurns[within one process]";
        }
    };
}
