package io.tvkraken;

/**
 * The configuration cannot run safely; the service refuses to start and says why in one line. The message never
 * contains a secret's value, only the names of what is missing or wrong.
 */
public class InvalidConfigurationException extends IllegalStateException {

    public InvalidConfigurationException(String message) {
        this("Invalid configuration: ", message);
    }

    /** A message under another heading than "Invalid configuration", for a subclass that says what else is wrong. */
    protected InvalidConfigurationException(String heading, String message) {
        super(heading + message);
    }

    /** The same refusal, with {@code note} added to its message (e.g. where a missing secret was looked for too). */
    public InvalidConfigurationException withNote(String note) {
        return new InvalidConfigurationException("", getMessage() + note);
    }
}
