package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every {@code routes/*.camel.yaml} is valid against the JSON schema of Camel's YAML DSL, {@code camelYamlDsl.json}
 * from the camel-yaml-dsl jar of the Camel version the service runs on: the schema editors such as Kaoto read the
 * routes with. Camel itself accepts more (a property placeholder where the schema wants a number), so a file can run
 * and still not open in an editor; this test tells (docs/camel.md#yaml-dsl).
 */
class RoutesMatchYamlDslSchemaTest {

    private static final String SCHEMA = "schema/camelYamlDsl.json";

    @Test
    void everyRouteFileIsValidAgainstTheYamlDslSchemaOfCamel() throws Exception {
        URL resource = getClass().getClassLoader().getResource(SCHEMA);
        assertThat(resource).as("%s on the test class path (camel-yaml-dsl)", SCHEMA).isNotNull();
        assertThat(resource.toString()).as("the schema's jar").contains("camel-yaml-dsl");
        Schema schema;
        try (InputStream in = resource.openStream()) {
            // the schema declares draft-04 ("$schema": "http://json-schema.org/draft-04/schema#")
            schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4).getSchema(in);
        }

        List<Path> files;
        try (Stream<Path> listed = Files.list(Path.of("routes"))) {
            files = listed.filter(f -> f.getFileName().toString().endsWith(".camel.yaml")).sorted().toList();
        }
        assertThat(files).as("routes/*.camel.yaml").isNotEmpty();

        YAMLMapper yaml = new YAMLMapper();
        List<String> problems = new ArrayList<>();
        for (Path file : files) {
            JsonNode routes = yaml.readTree(file.toFile());
            for (Error error : schema.validate(routes)) {
                problems.add(file + " at " + error.getInstanceLocation() + ": " + error.getMessage());
            }
        }
        assertThat(problems).as("validation messages against %s (%s)", SCHEMA, resource).isEmpty();
    }

    /** The test itself: a value the schema refuses is reported, with its file and place. */
    @Test
    void aPlaceholderWhereTheSchemaWantsANumberIsReported() throws Exception {
        Schema schema;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(SCHEMA)) {
            schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4).getSchema(in);
        }
        JsonNode routes = new YAMLMapper().readTree("""
                - routeConfiguration:
                    id: example
                    onException:
                      - onException:
                          exception:
                            - java.lang.Exception
                          redeliveryPolicy:
                            maximumRedeliveries: "{{notify.max-redeliveries}}"
                """);
        List<Error> errors = schema.validate(routes);
        assertThat(errors).isNotEmpty();
        assertThat(errors.toString()).contains("maximumRedeliveries");
    }
}
