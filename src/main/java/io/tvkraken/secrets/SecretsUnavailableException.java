package io.tvkraken.secrets;

import io.tvkraken.InvalidConfigurationException;

/**
 * Google Secret Manager could not give the secrets at start-up: unreachable, refusing this service, or holding a
 * version that cannot be read. The service refuses to start, as with a wrong setting (docs/secrets.md#when-it-fails);
 * the message names secrets, never their values.
 */
public class SecretsUnavailableException extends InvalidConfigurationException {

    public SecretsUnavailableException(String message) {
        super("Secrets unavailable: ", message);
    }
}
