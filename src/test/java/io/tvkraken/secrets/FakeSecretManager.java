package io.tvkraken.secrets;

import com.google.cloud.secretmanager.v1.AccessSecretVersionRequest;
import com.google.cloud.secretmanager.v1.AccessSecretVersionResponse;
import com.google.cloud.secretmanager.v1.SecretPayload;
import com.google.cloud.secretmanager.v1.SecretVersionName;
import com.google.cloud.secretmanager.v1.ServiceProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * A stand-in for Google Secret Manager that the application talks to exactly as to Google's: the SecretManagerService
 * gRPC API, served by grpc-java's Netty server on loopback, in plaintext, without credentials
 * (docs/secrets.md#testing-without-google). Its AccessSecretVersion method is bound by the names and message types of
 * Secret Manager's own service definition (google/cloud/secretmanager/v1/service.proto, compiled into
 * proto-google-cloud-secretmanager-v1, which the client brings): grpc-google-cloud-secretmanager-v1, whose generated
 * service base would do the same, is not in the package registry this project builds from.
 * It answers as Secret Manager does: {@code latest} is the most recently added version, the response names the
 * version number it resolved to and carries the payload's CRC32C, a secret or version that does not exist is
 * {@code NOT_FOUND}, a disabled version {@code FAILED_PRECONDITION}, a secret this caller may not read
 * {@code PERMISSION_DENIED}.
 */
public final class FakeSecretManager implements AutoCloseable {

    /** {@code google.cloud.secretmanager.v1.SecretManagerService}, from its compiled proto. */
    private static final Descriptors.ServiceDescriptor SERVICE =
            ServiceProto.getDescriptor().findServiceByName("SecretManagerService");
    private static final MethodDescriptor<AccessSecretVersionRequest, AccessSecretVersionResponse> ACCESS =
            MethodDescriptor.<AccessSecretVersionRequest, AccessSecretVersionResponse>newBuilder()
                    .setType(MethodDescriptor.MethodType.UNARY)
                    .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE.getFullName(),
                            SERVICE.findMethodByName("AccessSecretVersion").getName()))
                    .setRequestMarshaller(ProtoUtils.marshaller(AccessSecretVersionRequest.getDefaultInstance()))
                    .setResponseMarshaller(ProtoUtils.marshaller(AccessSecretVersionResponse.getDefaultInstance()))
                    .build();

    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    /** One version of a secret; {@link #toString()} leaves the value out like the application's own types. */
    private record Version(String value, boolean enabled) {
        @Override
        public String toString() {
            return enabled ? "enabled" : "disabled";
        }
    }

    private final String project;
    private final Map<String, List<Version>> secrets = new ConcurrentHashMap<>();
    private final Set<String> denied = ConcurrentHashMap.newKeySet();
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private volatile boolean damageChecksums;
    private final Server server;

    private FakeSecretManager(String project) {
        this.project = project;
        ServerInterceptor recordCredentials = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                    ServerCallHandler<Q, R> next) {
                String authorization = headers.get(AUTHORIZATION);
                if (authorization != null) {
                    authorizations.add(authorization);
                }
                return next.startCall(call, headers);
            }
        };
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .addService(ServerInterceptors.intercept(ServerServiceDefinition.builder(SERVICE.getFullName())
                        .addMethod(ACCESS, ServerCalls.asyncUnaryCall(this::accessSecretVersion)).build(),
                        recordCredentials))
                .build();
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A Secret Manager for project {@code project}, with no secrets yet, listening on a free loopback port. */
    public static FakeSecretManager start(String project) {
        return new FakeSecretManager(project);
    }

    /** {@code host:port}, as {@code GCP_SECRET_MANAGER_EMULATOR_HOST} takes it. */
    public String host() {
        return "127.0.0.1:" + server.getPort();
    }

    /** Adds a version holding {@code value} to secret {@code name}, creating the secret; returns its number. */
    public int addVersion(String name, String value) {
        List<Version> versions = secrets.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>());
        versions.add(new Version(value, true));
        return versions.size();
    }

    /** Disables version {@code number} of {@code name}: it stays, but cannot be read. */
    public void disable(String name, int number) {
        List<Version> versions = secrets.get(name);
        versions.set(number - 1, new Version(versions.get(number - 1).value(), false));
    }

    /** From now on, secret {@code name} may not be read by the caller, as without the secretAccessor role on it. */
    public void deny(String name) {
        denied.add(name);
    }

    /** From now on, every payload arrives with a checksum that does not match it. */
    public void damageChecksums() {
        damageChecksums = true;
    }

    /** The resource names asked for, in order. */
    public List<String> asked() {
        return List.copyOf(asked);
    }

    /** The secret names asked for, whatever the version. */
    public List<String> secretsAskedFor() {
        List<String> names = new ArrayList<>();
        for (String name : asked) {
            names.add(SecretVersionName.parse(name).getSecret());
        }
        return names;
    }

    /** The {@code authorization} headers received: none, when the caller sends no credentials. */
    public List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    /** AccessSecretVersion, as Secret Manager answers it; the other methods of the service answer UNIMPLEMENTED. */
    private void accessSecretVersion(AccessSecretVersionRequest request,
            StreamObserver<AccessSecretVersionResponse> response) {
        asked.add(request.getName());
        if (!SecretVersionName.isParsableFrom(request.getName())) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("Invalid resource field value in the request.")
                    .asRuntimeException());
            return;
        }
        SecretVersionName name = SecretVersionName.parse(request.getName());
        String secret = "projects/" + name.getProject() + "/secrets/" + name.getSecret();
        if (denied.contains(name.getSecret())) {
            response.onError(Status.PERMISSION_DENIED.withDescription("Permission 'secretmanager.versions.access' "
                    + "denied for resource '" + request.getName() + "' (or it may not exist).").asRuntimeException());
            return;
        }
        List<Version> versions = name.getProject().equals(project) ? secrets.get(name.getSecret()) : null;
        if (versions == null || versions.isEmpty()) {
            response.onError(Status.NOT_FOUND.withDescription("Secret [" + secret + "] not found or has no versions.")
                    .asRuntimeException());
            return;
        }
        int number;
        try {
            number = name.getSecretVersion().equals("latest") ? versions.size()
                    : Integer.parseInt(name.getSecretVersion());
        } catch (NumberFormatException e) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("Invalid resource field value in the request.")
                    .asRuntimeException());
            return;
        }
        String resolved = secret + "/versions/" + number;
        if (number < 1 || number > versions.size()) {
            response.onError(Status.NOT_FOUND.withDescription("Secret Version [" + resolved + "] not found.")
                    .asRuntimeException());
            return;
        }
        Version version = versions.get(number - 1);
        if (!version.enabled()) {
            response.onError(Status.FAILED_PRECONDITION
                    .withDescription("Secret Version [" + resolved + "] is in DISABLED state.").asRuntimeException());
            return;
        }
        byte[] data = version.value().getBytes(StandardCharsets.UTF_8);
        CRC32C crc = new CRC32C();
        crc.update(data);
        response.onNext(AccessSecretVersionResponse.newBuilder().setName(resolved)
                .setPayload(SecretPayload.newBuilder().setData(ByteString.copyFrom(data))
                        .setDataCrc32C(damageChecksums ? crc.getValue() + 1 : crc.getValue()))
                .build());
        response.onCompleted();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }
}
