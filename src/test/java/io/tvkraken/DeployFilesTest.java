package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The deployment files (deploy/README.md) give the service only environment variables it reads: each one is the
 * upper-case form of a key of {@code application.properties} (Camel maps {@code DB_URL} onto {@code db.url}), so a
 * misspelt or retired variable cannot silently configure nothing. They also run what docs/replicas.md asks for: three
 * replicas on PostgreSQL, the probes, the budget, the limits.
 */
class DeployFilesTest {

    @Test
    void everyEnvironmentVariableTheDeployFilesSetIsOneTheServiceReads() throws IOException {
        Set<String> read = variablesTheServiceReads();
        Map<String, Set<String>> set = new java.util.TreeMap<>();
        try (Stream<Path> files = Files.list(Path.of("deploy", "kubernetes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                for (Object document : documents(file)) {
                    set.put(file.toString(), kubernetesVariables(document));
                }
            }
        }
        set.merge("deploy/compose.yaml", composeVariables(documents(Path.of("deploy", "compose.yaml")).get(0)),
                (a, b) -> {
                    a.addAll(b);
                    return a;
                });
        assertThat(set.get("deploy/kubernetes/deployment.yaml")).as("the Deployment's variables")
                .contains("DB_URL", "KRAKEN_API_KEY", "TRADING_ENABLED");
        assertThat(set.get("deploy/compose.yaml")).as("the compose replicas' variables").contains("DB_URL");
        set.forEach((file, variables) -> assertThat(variables).as("variables set in %s that the service does not read",
                file).allMatch(read::contains));
    }

    @Test
    void kubernetesRunsThreeNonRootReplicasWithProbesBudgetAndLimits() throws IOException {
        Map<?, ?> deployment = (Map<?, ?>) documents(Path.of("deploy", "kubernetes", "deployment.yaml")).get(0);
        Map<?, ?> spec = (Map<?, ?>) deployment.get("spec");
        assertThat(spec.get("replicas")).isEqualTo(3);
        Map<?, ?> pod = (Map<?, ?>) ((Map<?, ?>) spec.get("template")).get("spec");
        assertThat(((Map<?, ?>) pod.get("securityContext")).get("runAsNonRoot")).isEqualTo(true);
        Map<?, ?> container = (Map<?, ?>) ((List<?>) pod.get("containers")).get(0);
        assertThat(path(container, "readinessProbe", "httpGet", "path")).isEqualTo("/health");
        assertThat(path(container, "livenessProbe", "httpGet", "path")).isEqualTo("/webhook/health");
        assertThat(path(container, "resources", "limits", "memory")).isEqualTo("512Mi");
        assertThat(path(container, "resources", "limits", "cpu")).isEqualTo("1");
        Map<?, ?> budget = (Map<?, ?>) documents(Path.of("deploy", "kubernetes", "poddisruptionbudget.yaml")).get(0);
        assertThat(budget.get("kind")).isEqualTo("PodDisruptionBudget");
        for (Object variable : (List<?>) container.get("env")) {
            Map<?, ?> env = (Map<?, ?>) variable;
            if (Set.of("KRAKEN_API_KEY", "KRAKEN_API_SECRET", "DB_PASSWORD", "WEBHOOK_PASSPHRASE", "ADMIN_TOKEN")
                    .contains(env.get("name"))) {
                assertThat(path(env, "valueFrom", "secretKeyRef", "name")).as("%s from the Secret", env.get("name"))
                        .isEqualTo("tradingview-kraken-webhook");
            }
        }
    }

    /** {@code db.url} → {@code DB_URL}: how Camel maps environment variables onto properties. */
    static Set<String> variablesTheServiceReads() throws IOException {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of("application.properties"))) {
            properties.load(in);
        }
        Set<String> names = new TreeSet<>();
        for (String key : properties.stringPropertyNames()) {
            names.add(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
        }
        return names;
    }

    private static List<Object> documents(Path file) throws IOException {
        List<Object> documents = new ArrayList<>();
        new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(file))
                .forEach(documents::add);
        return documents;
    }

    /** The {@code env} names of every container of a Deployment (nothing for other kinds). */
    private static Set<String> kubernetesVariables(Object document) {
        Set<String> names = new HashSet<>();
        Object containers = path(document, "spec", "template", "spec", "containers");
        if (containers instanceof List<?> list) {
            for (Object container : list) {
                Object env = ((Map<?, ?>) container).get("env");
                if (env instanceof List<?> variables) {
                    variables.forEach(v -> names.add(String.valueOf(((Map<?, ?>) v).get("name"))));
                }
            }
        }
        return names;
    }

    /** The environment of the compose services built from this repository (the replicas), not of PostgreSQL & co. */
    private static Set<String> composeVariables(Object document) {
        Set<String> names = new HashSet<>();
        Map<?, ?> services = (Map<?, ?>) ((Map<?, ?>) document).get("services");
        int replicas = 0;
        for (Object service : services.values()) {
            Map<Object, Object> s = merged((Map<?, ?>) service);
            if (s.containsKey("build")) {
                replicas++;
                if (s.get("environment") instanceof Map<?, ?> env) {
                    env.keySet().forEach(k -> names.add(String.valueOf(k)));
                }
            }
        }
        assertThat(replicas).as("replicas in compose.yaml").isEqualTo(2);
        return names;
    }

    /**
     * A compose service with its {@code <<: *anchor} merge key applied, as Docker Compose does (YAML 1.1 merge keys,
     * which the YAML 1.2 parser here leaves as a plain key).
     */
    private static Map<Object, Object> merged(Map<?, ?> service) {
        Map<Object, Object> merged = new java.util.LinkedHashMap<>();
        if (service.get("<<") instanceof Map<?, ?> base) {
            merged.putAll(base);
        }
        service.forEach((k, v) -> {
            if (!"<<".equals(k)) {
                merged.put(k, v);
            }
        });
        return merged;
    }

    private static Object path(Object node, String... keys) {
        Object at = node;
        for (String key : keys) {
            if (!(at instanceof Map<?, ?> map)) {
                return null;
            }
            at = map.get(key);
        }
        return at;
    }
}
