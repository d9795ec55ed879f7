package io.tvkraken.secrets;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Every secret the service can be given, each under the name of its environment variable, which is also its name in
 * Google Secret Manager (docs/secrets.md#which-secrets). A secret that is not in the environment is read from Secret
 * Manager when {@code GCP_PROJECT_ID} is set. A new secret is one more constant here, with the property key that its
 * environment variable overrides ({@code SecretNameTest} checks that the two match as Camel maps them). The keys and
 * secrets of the named accounts of {@code KRAKEN_ACCOUNTS} (docs/accounts.md) are secrets too, named after their
 * account: {@link #of(Function)} lists them with the others.
 */
public final class SecretName implements Comparable<SecretName> {

    public static final SecretName KRAKEN_API_KEY = new SecretName("KRAKEN_API_KEY", "kraken.api.key");
    public static final SecretName KRAKEN_API_SECRET = new SecretName("KRAKEN_API_SECRET", "kraken.api.secret");
    public static final SecretName WEBHOOK_SECRET = new SecretName("WEBHOOK_SECRET", "webhook.secret");
    public static final SecretName WEBHOOK_PASSPHRASE = new SecretName("WEBHOOK_PASSPHRASE", "webhook.passphrase");
    public static final SecretName ADMIN_TOKEN = new SecretName("ADMIN_TOKEN", "admin.token");
    public static final SecretName DB_PASSWORD = new SecretName("DB_PASSWORD", "db.password");
    public static final SecretName TELEGRAM_BOT_TOKEN = new SecretName("TELEGRAM_BOT_TOKEN", "telegram.bot-token");
    public static final SecretName SMTP_PASSWORD = new SecretName("SMTP_PASSWORD", "smtp.password");

    private static final List<SecretName> FIXED = List.of(KRAKEN_API_KEY, KRAKEN_API_SECRET, WEBHOOK_SECRET,
            WEBHOOK_PASSPHRASE, ADMIN_TOKEN, DB_PASSWORD, TELEGRAM_BOT_TOKEN, SMTP_PASSWORD);
    /** A named account's key or secret, as {@code GCP_SECRET_MANAGER_VERSIONS} may pin it. */
    private static final Pattern ACCOUNT_SECRET = Pattern.compile("KRAKEN_ACCOUNT_([A-Z][A-Z0-9_]{0,31})_API_(KEY|SECRET)");

    private final String name;
    private final String propertyKey;

    private SecretName(String name, String propertyKey) {
        this.name = name;
        this.propertyKey = propertyKey;
    }

    /** The secrets every configuration has. */
    public static List<SecretName> values() {
        return FIXED;
    }

    /**
     * The secrets of this configuration: {@link #values()}, then the key and the secret of each named account of
     * {@code kraken.accounts} as {@code property} gives it (a name that cannot be an account's is left to the settings,
     * which refuse it).
     */
    public static List<SecretName> of(Function<String, String> property) {
        List<SecretName> names = new ArrayList<>(FIXED);
        String accounts = property.apply("kraken.accounts");
        if (accounts != null) {
            for (String account : accounts.split(",")) {
                String trimmed = account.trim();
                if (trimmed.matches("[a-z][a-z0-9-]{0,31}")) {
                    names.add(accountSecret(trimmed, "key"));
                    names.add(accountSecret(trimmed, "secret"));
                }
            }
        }
        return List.copyOf(names);
    }

    /** The API key ({@code key}) or secret ({@code secret}) of the named account {@code account}. */
    public static SecretName accountSecret(String account, String which) {
        String propertyKey = "kraken.account." + account + ".api." + which;
        return new SecretName(propertyKey.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'), propertyKey);
    }

    /** The secret of this name, as {@code GCP_SECRET_MANAGER_VERSIONS} writes it; null when there is none. */
    static SecretName named(String name) {
        for (SecretName secret : FIXED) {
            if (secret.name.equals(name)) {
                return secret;
            }
        }
        var account = ACCOUNT_SECRET.matcher(name);
        // the property key's dashes cannot be told from underscores here: a pin is matched by name alone
        return account.matches() ? new SecretName(name, "kraken.account."
                + account.group(1).toLowerCase(Locale.ROOT) + ".api." + account.group(2).toLowerCase(Locale.ROOT))
                : null;
    }

    /** The name: the environment variable, and the secret's id in Secret Manager. */
    public String name() {
        return name;
    }

    /** The key in application.properties that the environment variable of this name overrides. */
    public String propertyKey() {
        return propertyKey;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SecretName s && s.name.equals(name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name);
    }

    @Override
    public int compareTo(SecretName other) {
        return name.compareTo(other.name);
    }

    @Override
    public String toString() {
        return name;
    }
}
