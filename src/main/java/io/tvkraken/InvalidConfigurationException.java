package io.tvkraken;

/**
 * The configuration cannot run safely; the service refuses to start and says why in one line. The message never
 * contains a secret's value, only the names of what is missing or wrong.
 */
public class InvalidConfigurationException extends IllegalStateException {

    public InvalidConfigurationException(String message) {
        super("Invalid configuration: " + message);
    }
}
