package io.tvkraken.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Each secret's name is the environment variable that overrides its property key, as Camel maps one onto the other. */
class SecretNameTest {

    @Test
    void eachNameIsTheEnvironmentVariableOfItsPropertyKey() {
        for (SecretName secret : SecretName.values()) {
            assertThat(secret.propertyKey().toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'))
                    .as("the environment variable of %s", secret.propertyKey()).isEqualTo(secret.name());
        }
    }

    @Test
    void everySecretTheServiceTakesAndTheNotificationTokensAreListed() {
        assertThat(SecretName.values().stream().map(SecretName::name)).contains("KRAKEN_API_KEY",
                "KRAKEN_API_SECRET", "WEBHOOK_SECRET", "WEBHOOK_PASSPHRASE", "ADMIN_TOKEN", "DB_PASSWORD",
                "TELEGRAM_BOT_TOKEN", "SMTP_PASSWORD");
    }
}
