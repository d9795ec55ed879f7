package io.tvkraken.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.RunningApp;
import io.tvkraken.TestSecrets;
import io.tvkraken.ingress.SourceRateLimit;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code /admin} and {@code /console} endpoint the running service serves passes the one guard of
 * {@code routes/error-handling.camel.yaml} (identify, lockout, authorize; docs/operations.md#rate-limits). The
 * endpoints are not listed here: they are read from the HTTP router of the running service, so that an admin route
 * added later without the guard fails this test.
 */
class AdminGuardTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern GUARDED = Pattern.compile("/+(admin|console).*", Pattern.CASE_INSENSITIVE);
    private static final int PERIOD_SECONDS = 10;

    /** One method and path the service answers, with the path as a request can use it. */
    record Endpoint(String method, String path) {

        String requestPath() {
            // path parameters (vert.x ":id") get a value; a prefix route (trailing '*') is asked at its prefix
            return path.replaceAll(":[A-Za-z0-9_]+", "guard-test").replaceAll("\\*$", "");
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    @TempDir
    Path data;

    /** What the HTTP server routes under /admin and /console, from every router Camel's platform-http uses. */
    static List<Endpoint> guardedEndpoints(RunningApp app) {
        Set<VertxPlatformHttpRouter> routers = app.context().getRegistry().findByType(VertxPlatformHttpRouter.class);
        assertThat(routers).as("the platform-http routers").isNotEmpty();
        Set<String> found = new TreeSet<>();
        for (VertxPlatformHttpRouter router : routers) {
            for (Route route : router.getRoutes()) {
                String path = route.getPath();
                if (path == null || !GUARDED.matcher(path).matches()) {
                    continue;
                }
                Set<HttpMethod> methods = route.methods();
                if (methods == null || methods.isEmpty()) {
                    found.add("GET " + path);
                } else {
                    methods.forEach(m -> found.add(m.name() + " " + path));
                }
            }
        }
        // cross-check: every platform-http endpoint of Camel under /admin or /console is among them
        Set<String> routed = new TreeSet<>();
        found.forEach(line -> routed.add(line.substring(line.indexOf(' ') + 1)));
        for (var endpoint : app.context().getEndpoints()) {
            if (endpoint instanceof PlatformHttpEndpoint http && GUARDED.matcher(http.getPath()).matches()) {
                assertThat(routed).as("the router's admin paths").contains(
                        http.getPath().replaceAll("\\{([^}]+)}", ":$1") + (http.isMatchOnUriPrefix() ? "*" : ""));
            }
        }
        List<Endpoint> endpoints = new ArrayList<>();
        for (String line : found) {
            endpoints.add(new Endpoint(line.substring(0, line.indexOf(' ')), line.substring(line.indexOf(' ') + 1)));
        }
        return endpoints;
    }

    /**
     * The guarded endpoints once the reload has brought in every one of {@code expected} and is over. While the file's
     * routes are being removed and added again, Camel knows endpoints whose routes are not on the router yet (or no
     * more): the cross-check of {@link #guardedEndpoints} holds only before and after a reload, not during it.
     */
    static List<Endpoint> afterReload(RunningApp app, List<Endpoint> expected) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            try {
                List<Endpoint> endpoints = guardedEndpoints(app);
                if (endpoints.containsAll(expected)) {
                    return endpoints;
                }
            } catch (AssertionError reloading) {
                if (System.currentTimeMillis() > deadline) {
                    throw reloading;
                }
            }
            if (System.currentTimeMillis() > deadline) {
                return guardedEndpoints(app);
            }
            Thread.sleep(100);
        }
    }

    static HttpResponse<String> call(RunningApp app, Endpoint endpoint, String method, String address, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(app.uri(endpoint.requestPath()))
                .timeout(Duration.ofSeconds(20))
                .header("X-Forwarded-For", address);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (method.equals("GET") || method.equals("DELETE")) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString("{\"enabled\":true}", StandardCharsets.UTF_8));
        }
        return app.send(request.build());
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    static void assertRefused(HttpResponse<String> response, int status, String code, Object endpoint) {
        assertThat(response.statusCode()).as("%s: %s", endpoint, response.body()).isEqualTo(status);
        JsonNode body = json(response);
        assertThat(body.path("status").asText()).as("%s", endpoint).isEqualTo("rejected");
        assertThat(body.path("error").path("code").asText()).as("%s", endpoint).isEqualTo(code);
    }

    static long assertLockedOut(HttpResponse<String> response, Object endpoint) {
        assertRefused(response, 429, "rate_limited", endpoint);
        long retryAfter = Long.parseLong(response.headers().firstValue("Retry-After").orElseThrow(
                () -> new AssertionError(endpoint + ": 429 without Retry-After")));
        assertThat(retryAfter).as("%s Retry-After", endpoint).isBetween(1L, (long) PERIOD_SECONDS);
        return retryAfter;
    }

    /**
     * For each endpoint, from an address of its own: {@code limit} wrong tokens are 401, the next is 429 with
     * {@code Retry-After}, and so are the right token and no token; the operations endpoints still answer that
     * address; once the period has ended the right token is served again.
     */
    static void assertEachLocksOut(RunningApp app, List<Endpoint> endpoints, int limit, int firstAddress)
            throws InterruptedException {
        Map<Endpoint, String> addresses = new LinkedHashMap<>();
        long waitUntil = 0;
        for (Endpoint endpoint : endpoints) {
            String address = "203.0.113." + (firstAddress + addresses.size());
            addresses.put(endpoint, address);
            for (int i = 1; i <= limit; i++) {
                HttpResponse<String> guess = call(app, endpoint, endpoint.method(), address, "guess-" + i);
                assertRefused(guess, 401, "unauthorized", endpoint + " wrong token " + i);
            }
            long retryAfter = assertLockedOut(
                    call(app, endpoint, endpoint.method(), address, "guess-over"), endpoint + " past the limit");
            // locked out: the right token is refused too, and so is no token at all
            assertLockedOut(call(app, endpoint, endpoint.method(), address, TestSecrets.ADMIN_TOKEN),
                    endpoint + " right token while locked out");
            assertLockedOut(call(app, endpoint, endpoint.method(), address, null),
                    endpoint + " no token while locked out");
            waitUntil = Math.max(waitUntil, System.nanoTime() + Duration.ofSeconds(retryAfter).toNanos());
            // the operations endpoints are never limited
            for (String open : List.of("/health", "/status", "/metrics", "/webhook/health")) {
                assertThat(app.get(open, Map.of("X-Forwarded-For", address)).statusCode())
                        .as("%s from a locked-out address", open).isEqualTo(200);
            }
        }

        Thread.sleep(Math.max(0, (waitUntil - System.nanoTime()) / 1_000_000) + 300);
        for (Map.Entry<Endpoint, String> entry : addresses.entrySet()) {
            Endpoint endpoint = entry.getKey();
            HttpResponse<String> served = call(app, endpoint, endpoint.method(), entry.getValue(),
                    TestSecrets.ADMIN_TOKEN);
            assertThat(served.statusCode()).as("%s with the right token once the period ended: %s", endpoint,
                    served.body()).isNotIn(401, 429);
        }
    }

    static Map<String, String> guarded(Path data) {
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("admin.token", TestSecrets.ADMIN_TOKEN);
        // each endpoint is guessed at from its own address, so that each one is shown to lock out on its own
        p.put("trusted.proxies", "127.0.0.0/8,::1");
        p.put("admin.auth-failure-period-seconds", Integer.toString(PERIOD_SECONDS));
        return p;
    }

    @Test
    void everyAdminEndpointLocksAnAddressOutAfterTheDocumentedNumberOfWrongTokens() throws Exception {
        // the documented limit (application.properties), a period short enough to wait for
        try (RunningApp app = RunningApp.start(guarded(data))) {
            int limit = app.bean("adminRateLimit", SourceRateLimit.class).limit();
            assertThat(limit).as("admin.auth-failure-limit").isPositive();
            List<Endpoint> endpoints = guardedEndpoints(app);
            assertThat(endpoints).as("the admin endpoints found on the router")
                    .contains(new Endpoint("GET", "/admin/trading/changes"), new Endpoint("GET", "/admin/orders"));
            assertEachLocksOut(app, endpoints, limit, 10);
        }
    }

    /** An admin route added to the running service by a route reload is guarded without saying so. */
    @Test
    void anAdminRouteAddedByARouteReloadIsGuardedToo(@TempDir Path routes) throws Exception {
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".camel.yaml")).toList()) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
        Map<String, String> p = guarded(data);
        p.put("admin.auth-failure-limit", "3");
        p.put("camel.main.routes-include-pattern", "file:" + routes + "/*.camel.yaml");
        p.put("camel.main.routes-reload-enabled", "true");
        p.put("camel.main.routes-reload-directory", routes.toString());
        try (RunningApp app = RunningApp.start(p)) {
            Path operations = routes.resolve("operations.camel.yaml");
            List<Endpoint> before = guardedEndpoints(app);
            String added = """

                    - route:
                        id: admin-reload-probe
                        routeConfigurationId: operations-errors
                        from:
                          uri: platform-http:/admin/reload-probe
                          parameters:
                            httpMethodRestrict: GET
                          steps:
                            - setBody:
                                expression:
                                  constant:
                                    expression: probe-answer
                    """;
            Path tmp = routes.resolve("operations.camel.yaml.part");
            Files.writeString(tmp, Files.readString(operations) + added, StandardCharsets.UTF_8);
            Files.move(tmp, operations, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

            Endpoint probe = new Endpoint("GET", "/admin/reload-probe");
            List<Endpoint> expected = new ArrayList<>(before);
            expected.add(probe);
            List<Endpoint> endpoints = afterReload(app, expected);
            assertThat(endpoints).as("after the reload").contains(probe, new Endpoint("GET", "/admin/orders"));
            HttpResponse<String> served = call(app, probe, "GET", "198.51.100.7", TestSecrets.ADMIN_TOKEN);
            assertThat(served.statusCode()).isEqualTo(200);
            assertThat(served.body()).isEqualTo("probe-answer");
            // the reloaded file's routes, the new one among them, all lock out
            assertEachLocksOut(app, endpoints, 3, 100);
        }
    }

    @Test
    void everyAdminEndpointIs404WhileNoAdminTokenIsSetAndKeepsItsMethod() {
        try (RunningApp app = RunningApp.start(RunningApp.paperDefaults(data))) {
            List<Endpoint> endpoints = guardedEndpoints(app);
            assertThat(endpoints).isNotEmpty();
            for (Endpoint endpoint : endpoints) {
                assertRefused(call(app, endpoint, endpoint.method(), "198.51.100.1", "anything"), 404, "not_found",
                        endpoint);
                // a method the path does not serve is refused by the router, before any route step
                String other = endpoint.method().equals("GET") ? "DELETE" : "GET";
                if (endpoints.stream().noneMatch(e -> e.path().equals(endpoint.path()) && e.method().equals(other))) {
                    assertThat(call(app, endpoint, other, "198.51.100.1", null).statusCode()).as("%s %s", other,
                            endpoint.path()).isEqualTo(405);
                }
            }
        }
    }
}
