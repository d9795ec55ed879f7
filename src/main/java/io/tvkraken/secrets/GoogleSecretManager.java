package io.tvkraken.secrets;

import com.google.api.core.ApiFuture;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.InstantiatingGrpcChannelProvider;
import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.StatusCode;
import com.google.api.gax.rpc.UnaryCallSettings;
import com.google.cloud.secretmanager.v1.AccessSecretVersionRequest;
import com.google.cloud.secretmanager.v1.AccessSecretVersionResponse;
import com.google.cloud.secretmanager.v1.SecretManagerServiceClient;
import com.google.cloud.secretmanager.v1.SecretManagerServiceSettings;
import com.google.cloud.secretmanager.v1.SecretVersionName;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.CRC32C;

/**
 * Reads secrets from Google Secret Manager's API (AccessSecretVersion) with the client that camel-google-secret-manager
 * brings. Google's endpoint and Application Default Credentials unless an emulator host is configured, which is spoken
 * to in plaintext without credentials (docs/secrets.md#testing-without-google). Used once, at start-up, then closed.
 */
final class GoogleSecretManager implements AutoCloseable {

    /**
     * What one start-up read gave: the secrets found, those that do not exist, and those this service may not read
     * (the last two unpinned only).
     */
    record Reading(Map<SecretName, FetchedSecret> found, List<SecretName> notFound, List<SecretName> denied) {
    }

    private final SecretManagerServiceClient client;
    private final SecretManagerConfig config;

    private GoogleSecretManager(SecretManagerServiceClient client, SecretManagerConfig config) {
        this.client = client;
        this.config = config;
    }

    static GoogleSecretManager connect(SecretManagerConfig config) {
        SecretManagerServiceSettings.Builder settings = SecretManagerServiceSettings.newBuilder();
        if (config.emulatorHost() != null) {
            settings.setEndpoint(config.emulatorHost())
                    .setCredentialsProvider(NoCredentialsProvider.create())
                    .setTransportChannelProvider(InstantiatingGrpcChannelProvider.newBuilder()
                            .setEndpoint(config.emulatorHost())
                            .setChannelConfigurator(ManagedChannelBuilder::usePlaintext)
                            .build());
        }
        // The client's own retry policy for AccessSecretVersion (retry UNAVAILABLE and RESOURCE_EXHAUSTED with
        // back-off), bounded by the start-up budget instead of its 60 s default.
        UnaryCallSettings.Builder<AccessSecretVersionRequest, AccessSecretVersionResponse> access =
                settings.accessSecretVersionSettings();
        access.setRetrySettings(access.getRetrySettings().toBuilder()
                .setTotalTimeoutDuration(config.timeout())
                .setInitialRpcTimeoutDuration(config.timeout())
                .setMaxRpcTimeoutDuration(config.timeout())
                .build());
        try {
            return new GoogleSecretManager(SecretManagerServiceClient.create(settings.build()), config);
        } catch (IOException e) {
            // no Application Default Credentials: the library's message says where it looked
            throw new SecretsUnavailableException("Google Secret Manager (" + config.describe()
                    + ") needs credentials: " + e.getMessage());
        }
    }

    /**
     * Reads {@code names}, all at once, each at its configured version. A secret that does not exist, or that this
     * service may not read, stays unset unless its version was pinned (with access granted per secret, Secret Manager
     * answers PERMISSION_DENIED for a secret that does not exist, as it does for one that is not granted); anything
     * else that keeps a secret from being read refuses start-up, and so does being refused every secret.
     */
    Reading read(Collection<SecretName> names) {
        Map<SecretName, ApiFuture<AccessSecretVersionResponse>> calls = new java.util.LinkedHashMap<>();
        for (SecretName name : names) {
            String version = SecretVersionName.of(config.projectId(), name.name(), config.versionOf(name)).toString();
            calls.put(name, client.accessSecretVersionCallable()
                    .futureCall(AccessSecretVersionRequest.newBuilder().setName(version).build()));
        }
        Map<SecretName, FetchedSecret> found = new java.util.LinkedHashMap<>();
        List<SecretName> notFound = new ArrayList<>();
        List<SecretName> denied = new ArrayList<>();
        Set<String> problems = new LinkedHashSet<>();
        Set<String> unreachable = new LinkedHashSet<>();
        Set<String> refusals = new LinkedHashSet<>();
        for (Map.Entry<SecretName, ApiFuture<AccessSecretVersionResponse>> call : calls.entrySet()) {
            SecretName name = call.getKey();
            String version = config.versionOf(name);
            try {
                AccessSecretVersionResponse response = call.getValue()
                        .get(config.timeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
                byte[] data = response.getPayload().getData().toByteArray();
                // Secret Manager returns the payload's CRC32C for the caller to check (docs/secrets.md#integrity)
                if (response.getPayload().hasDataCrc32C() && crc32c(data) != response.getPayload().getDataCrc32C()) {
                    problems.add(name + " version " + version + " arrived damaged (its CRC32C checksum does not match)");
                    continue;
                }
                String value = response.getPayload().getData().toStringUtf8().strip();
                if (value.isEmpty()) {
                    notFound.add(name);
                } else {
                    found.put(name, new FetchedSecret(name, versionIn(response.getName(), version), value));
                }
            } catch (ExecutionException e) {
                StatusCode.Code code = e.getCause() instanceof ApiException api ? api.getStatusCode().getCode()
                        : StatusCode.Code.UNKNOWN;
                switch (code) {
                    case NOT_FOUND -> {
                        if (version.equals(SecretManagerConfig.LATEST)) {
                            notFound.add(name);
                        } else {
                            problems.add(name + " has no version " + version
                                    + " (pinned in GCP_SECRET_MANAGER_VERSIONS)");
                        }
                    }
                    case PERMISSION_DENIED -> {
                        refusals.add(reason(e.getCause()));
                        if (version.equals(SecretManagerConfig.LATEST)) {
                            denied.add(name);
                        } else {
                            problems.add("this service may not read " + name + " (PERMISSION_DENIED), pinned in "
                                    + "GCP_SECRET_MANAGER_VERSIONS: grant its service account "
                                    + "roles/secretmanager.secretAccessor on it");
                        }
                    }
                    case UNAUTHENTICATED -> problems.add("Google Secret Manager (" + config.describe()
                            + ") did not accept the credentials of this service (" + reason(e.getCause()) + ")");
                    case UNAVAILABLE, DEADLINE_EXCEEDED -> unreachable.add(code + cause(e.getCause()));
                    default -> problems.add(name + " version " + version + " cannot be read (" + reason(e.getCause())
                            + ")");
                }
            } catch (TimeoutException e) {
                unreachable.add("no answer");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SecretsUnavailableException("interrupted while reading secrets from Google Secret Manager");
            }
        }
        List<String> refusal = new ArrayList<>();
        if (!unreachable.isEmpty()) {
            refusal.add("Google Secret Manager (" + config.describe() + ") did not answer within "
                    + config.timeout().toMillis() + " ms: " + String.join(", ", unreachable));
        }
        if (!denied.isEmpty() && denied.size() == names.size()) {
            refusal.add("Google Secret Manager (" + config.describe() + ") let this service read none of the "
                    + "secrets it asked for (" + refusals.iterator().next() + (refusals.size() > 1 ? ", ..." : "")
                    + "): grant its service account "
                    + "roles/secretmanager.secretAccessor, and check that the Secret Manager API is enabled in the "
                    + "project");
        }
        refusal.addAll(problems);
        if (!refusal.isEmpty()) {
            throw new SecretsUnavailableException(String.join("; ", refusal));
        }
        return new Reading(found, List.copyOf(notFound), List.copyOf(denied));
    }

    /** The gRPC status code and description, and the underlying cause's message (e.g. connection refused). */
    private static String reason(Throwable failure) {
        Status status = Status.fromThrowable(failure);
        StringBuilder reason = new StringBuilder(status.getCode().name());
        if (status.getDescription() != null) {
            reason.append(": ").append(status.getDescription());
        }
        return reason.append(cause(failure)).toString();
    }

    /** The underlying cause's message, e.g. {@code (Connection refused: /127.0.0.1:8085)}; empty when none. */
    private static String cause(Throwable failure) {
        Throwable cause = Status.fromThrowable(failure).getCause();
        return cause == null || cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")";
    }

    /** The version number {@code latest} resolved to, from the response's resource name. */
    private static String versionIn(String resourceName, String asked) {
        return SecretVersionName.isParsableFrom(resourceName) ? SecretVersionName.parse(resourceName).getSecretVersion()
                : asked;
    }

    private static long crc32c(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        return crc.getValue();
    }

    @Override
    public void close() {
        client.close();
        try {
            client.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
