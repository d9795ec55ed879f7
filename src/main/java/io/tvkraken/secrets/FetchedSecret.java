package io.tvkraken.secrets;

/**
 * One secret as Google Secret Manager gave it: its value and the version that the name (or {@code latest}) resolved
 * to. {@link #toString()} leaves the value out, so that the record can be logged or put in a message.
 */
public record FetchedSecret(SecretName name, String version, String value) {

    @Override
    public String toString() {
        return name + " (version " + version + ")";
    }
}
