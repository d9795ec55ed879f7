package io.tvkraken.secrets;

import io.tvkraken.InvalidConfigurationException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secrets that were read from Google Secret Manager at start-up, because the environment did not give them
 * (docs/secrets.md#precedence): a secret given in the environment (or application.properties) is used as given and
 * never asked for. Resolved once, before the settings are read, so that everything built from the settings, the
 * start-up line included, sees the secrets whichever way they came.
 */
public final class Secrets {

    private static final Logger LOG = LoggerFactory.getLogger(Secrets.class);
    private static final Secrets NONE = new Secrets(null, Map.of(), List.of(), List.of());

    private final SecretManagerConfig config;
    private final Map<SecretName, FetchedSecret> fetched;
    private final List<SecretName> notFound;
    private final List<SecretName> denied;

    private Secrets(SecretManagerConfig config, Map<SecretName, FetchedSecret> fetched, List<SecretName> notFound,
            List<SecretName> denied) {
        this.config = config;
        this.fetched = fetched;
        this.notFound = notFound;
        this.denied = denied;
    }

    /**
     * Reads from Secret Manager every secret of {@link SecretName} that {@code property} (key to value, blank or null
     * when unset) does not give; nothing at all when {@code GCP_PROJECT_ID} is unset. Logs which secret came from where,
     * by name. Throws {@link SecretsUnavailableException} when Secret Manager cannot give them.
     */
    public static Secrets resolve(SecretManagerConfig config, Function<String, String> property) {
        if (!config.enabled()) {
            return NONE;
        }
        List<SecretName> given = new ArrayList<>();
        List<SecretName> wanted = new ArrayList<>();
        for (SecretName name : SecretName.of(property)) {
            String value = property.apply(name.propertyKey());
            (value == null || value.isBlank() ? wanted : given).add(name);
        }
        for (SecretName pinned : config.versions().keySet()) {
            if (given.contains(pinned)) {
                LOG.warn("GCP_SECRET_MANAGER_VERSIONS pins {}, but {} is given in the environment, which wins",
                        pinned, pinned);
            }
        }
        Secrets secrets;
        if (wanted.isEmpty()) {
            secrets = new Secrets(config, Map.of(), List.of(), List.of());
        } else {
            try (GoogleSecretManager secretManager = GoogleSecretManager.connect(config)) {
                GoogleSecretManager.Reading reading = secretManager.read(wanted);
                secrets = new Secrets(config, reading.found(), reading.notFound(), reading.denied());
            }
        }
        LOG.info("Secrets from Google Secret Manager ({}): {}; not there: {}; from the environment: {}",
                config.describe(), listed(secrets.fetched.values()), listed(secrets.notFound), listed(given));
        if (!secrets.denied.isEmpty()) {
            LOG.warn("Google Secret Manager ({}) did not let this service read {} (PERMISSION_DENIED): left unset; "
                    + "grant its service account roles/secretmanager.secretAccessor on those it needs",
                    config.describe(), listed(secrets.denied));
        }
        return secrets;
    }

    /** The value read for {@code propertyKey}, if Secret Manager gave it. */
    public Optional<String> value(String propertyKey) {
        return fetched.values().stream().filter(f -> f.name().propertyKey().equals(propertyKey))
                .map(FetchedSecret::value).findFirst();
    }

    /** The values read, by property key: what the environment would have given under these keys. */
    public Map<String, String> byPropertyKey() {
        Map<String, String> values = new LinkedHashMap<>();
        fetched.values().forEach(f -> values.put(f.name().propertyKey(), f.value()));
        return values;
    }

    /** Every value read, to be kept out of stored alerts like the others ({@code SecretRedaction}). */
    public Collection<String> values() {
        return fetched.values().stream().map(FetchedSecret::value).toList();
    }

    /**
     * A refusal to start for a missing setting, saying also where the secrets that are missing were looked for: a
     * missing secret reads the same with or without Secret Manager, plus this note.
     */
    public InvalidConfigurationException explain(InvalidConfigurationException refusal) {
        if (config == null || notFound.isEmpty() && denied.isEmpty()) {
            return refusal;
        }
        List<String> notes = new ArrayList<>();
        if (!notFound.isEmpty()) {
            notes.add("not in the environment nor in Google Secret Manager " + config.describe() + ": "
                    + listed(notFound));
        }
        if (!denied.isEmpty()) {
            notes.add("not in the environment, and Google Secret Manager " + config.describe()
                    + " did not let this service read (PERMISSION_DENIED; roles/secretmanager.secretAccessor): "
                    + listed(denied));
        }
        return refusal.withNote(" (" + String.join("; ", notes) + ")");
    }

    private static String listed(Collection<?> items) {
        return items.isEmpty() ? "none" : items.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return "Secrets[read=" + listed(fetched.values()) + ", notFound=" + listed(notFound) + ", denied="
                + listed(denied) + "]";
    }
}
