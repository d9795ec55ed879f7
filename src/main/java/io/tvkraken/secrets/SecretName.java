package io.tvkraken.secrets;

/**
 * Every secret the service can be given, each under the name of its environment variable, which is also its name in
 * Google Secret Manager (docs/secrets.md#which-secrets). A secret that is not in the environment is read from Secret
 * Manager when {@code GCP_PROJECT_ID} is set. A new secret is one more line here, with the property key that its
 * environment variable overrides ({@code SecretNameTest} checks that the two match as Camel maps them).
 */
public enum SecretName {
    KRAKEN_API_KEY("kraken.api.key"),
    KRAKEN_API_SECRET("kraken.api.secret"),
    WEBHOOK_SECRET("webhook.secret"),
    WEBHOOK_PASSPHRASE("webhook.passphrase"),
    ADMIN_TOKEN("admin.token"),
    DB_PASSWORD("db.password"),
    TELEGRAM_BOT_TOKEN("telegram.bot-token"),
    SMTP_PASSWORD("smtp.password");

    private final String propertyKey;

    SecretName(String propertyKey) {
        this.propertyKey = propertyKey;
    }

    /** The key in application.properties that the environment variable of this name overrides. */
    public String propertyKey() {
        return propertyKey;
    }
}
