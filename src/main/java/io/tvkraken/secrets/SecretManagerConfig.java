package io.tvkraken.secrets;

import io.tvkraken.InvalidConfigurationException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where the secrets that the environment does not give are read from (docs/secrets.md#settings): the Google Cloud
 * project whose Secret Manager holds them, none when {@code GCP_PROJECT_ID} is unset; which version of each secret,
 * {@code latest} unless pinned; how long start-up waits for Secret Manager; and, for tests and emulators only, a
 * plaintext endpoint without credentials instead of Google's.
 *
 * @param projectId    the project id or number; null when Secret Manager is not used
 * @param emulatorHost {@code host:port} of a Secret Manager emulator, spoken to in plaintext without credentials;
 *                     null for Google's endpoint with Application Default Credentials
 * @param versions     pinned versions by secret; a secret not listed is read at {@code latest}
 * @param timeout      how long start-up waits for all the secrets, retries included
 */
public record SecretManagerConfig(String projectId, String emulatorHost, Map<SecretName, String> versions,
        Duration timeout) {

    public static final String LATEST = "latest";

    /** A project id ({@code my-project}, {@code example.com:my-project}) or number: never a path. */
    private static final Pattern PROJECT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.:-]*");
    private static final Pattern HOST_AND_PORT = Pattern.compile("[^\\s/]+:\\d{1,5}");
    private static final Pattern VERSION = Pattern.compile("[1-9]\\d{0,18}|" + LATEST);

    public SecretManagerConfig {
        versions = Collections.unmodifiableMap(new java.util.TreeMap<>(versions));
    }

    /**
     * From the four settings as written ({@code GCP_PROJECT_ID}, {@code GCP_SECRET_MANAGER_EMULATOR_HOST},
     * {@code GCP_SECRET_MANAGER_VERSIONS}, {@code GCP_SECRET_MANAGER_TIMEOUT_MS}); blank means unset. Every problem is
     * reported at once, by setting name.
     */
    public static SecretManagerConfig of(String projectId, String emulatorHost, String versions, int timeoutMs) {
        List<String> problems = new ArrayList<>();
        String project = blankToNull(projectId);
        String emulator = blankToNull(emulatorHost);
        if (project != null && !PROJECT.matcher(project).matches()) {
            problems.add("GCP_PROJECT_ID must be a Google Cloud project id or number, not '" + project + "'");
        }
        if (emulator != null && !HOST_AND_PORT.matcher(emulator).matches()) {
            problems.add("GCP_SECRET_MANAGER_EMULATOR_HOST must look like host:port, not '" + emulator + "'");
        }
        Map<SecretName, String> pinned = new java.util.TreeMap<>();
        for (String entry : versions == null ? new String[0] : versions.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            String[] nameAndVersion = entry.split("=", 2);
            String name = nameAndVersion[0].trim();
            String version = nameAndVersion.length == 2 ? nameAndVersion[1].trim() : "";
            SecretName secret = SecretName.named(name);
            if (secret == null) {
                problems.add("GCP_SECRET_MANAGER_VERSIONS names '" + name + "', which is not a secret of this service");
            } else if (!VERSION.matcher(version).matches()) {
                problems.add("GCP_SECRET_MANAGER_VERSIONS entry " + name + " must be a version number or latest, as in "
                        + name + "=3");
            } else {
                pinned.put(secret, version);
            }
        }
        if (project == null && (emulator != null || !pinned.isEmpty())) {
            problems.add("GCP_SECRET_MANAGER_* is set but GCP_PROJECT_ID is not: "
                    + "set GCP_PROJECT_ID to read secrets from Google Secret Manager");
        }
        if (timeoutMs < 1) {
            problems.add("gcp.secret-manager.timeout-ms must be at least 1, not " + timeoutMs);
        }
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException(String.join("; ", problems));
        }
        return new SecretManagerConfig(project, emulator, pinned, Duration.ofMillis(timeoutMs));
    }

    /** Whether {@code GCP_PROJECT_ID} is set: only then is Secret Manager asked for anything. */
    public boolean enabled() {
        return projectId != null;
    }

    /** The version read of {@code secret}: its pin, else {@code latest}. */
    public String versionOf(SecretName secret) {
        return versions.getOrDefault(secret, LATEST);
    }

    /** For the log: the project, and the emulator when one is used. */
    public String describe() {
        return "project " + projectId + (emulatorHost == null ? "" : " at emulator " + emulatorHost);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
