package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import io.tvkraken.alert.AlertAge;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The configuration table of {@code docs/configuration.md} is the operator's statement of what can be set: every
 * variable it lists must override a key that {@code application.properties} defines (Camel maps an environment
 * variable onto the key in upper case, dots and dashes as underscores), or be read by {@code logback.xml}; every key
 * of {@code application.properties} must be listed; and the defaults it states must be the file's and the code's.
 * The documentation may name no other environment variable than those, and {@code application.properties} may point
 * only at documents that are in the repository.
 */
class ConfigurationTableMatchesPropertiesTest {

    private static final Path PROPERTIES = Path.of("application.properties");
    private static final Path TABLE = Path.of("docs/configuration.md");
    private static final Path LOGBACK = Path.of("src/main/resources/logback.xml");
    /** The pages that state the configuration to a trader or operator. */
    private static final List<Path> PAGES = List.of(Path.of("README.md"), TABLE, Path.of("docs/alerts.md"),
            Path.of("docs/answers.md"), Path.of("docs/operations.md"), Path.of("docs/development.md"));

    /** {@code ${LOG_LEVEL:-INFO}} in logback.xml: a variable read from the environment, with its default. */
    private static final Pattern LOGBACK_VARIABLE = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*):-([^}]*)}");
    /** A property read by its key: {@code resolveProperty("kraken.tier")}, {@code p.intOf("port", 8080)}... */
    private static final Pattern PROPERTY_READ = Pattern.compile(
            "(?:resolveProperty|intProperty|longProperty|\\.intOf|\\.longOf|\\.amounts|\\.text)\\((?:\\w+,\\s*)?\"[a-z0-9.-]+\"");
    private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");
    /** An environment variable as a page writes it: {@code `NAME`} or {@code `NAME=value`}. */
    private static final Pattern ENVIRONMENT_VARIABLE = Pattern.compile("([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(=.*)?");
    /** A document named in a comment of application.properties, and the section it names, if any. */
    private static final Pattern DOCUMENT_REFERENCE = Pattern.compile("([\\w./-]+\\.md|README)(?: \"([^\"]+)\")?");

    /** One row of the table: variable, property key (null when not a property), stated default. */
    private record Row(String variable, String key, String statedDefault) {
    }

    @Test
    void everyVariableInTheTableOverridesAKeyOfApplicationPropertiesOrIsReadByLogback() throws IOException {
        Properties properties = properties();
        Map<String, String> logback = logbackVariables();
        for (Row row : settingsTable()) {
            if (row.key() == null) {
                assertThat(logback).as("%s has no property key, so logback.xml reads it", row.variable())
                        .containsKey(row.variable());
            } else {
                assertThat(properties.stringPropertyNames()).as("the key of %s", row.variable()).contains(row.key());
                assertThat(row.variable()).as("the environment variable that overrides %s", row.key())
                        .isEqualTo(environmentVariable(row.key()));
            }
        }
    }

    @Test
    void everyKeyOfApplicationPropertiesAndEveryLogbackVariableIsInTheTables() throws IOException {
        Set<String> listed = new TreeSet<>();
        Set<String> variables = new TreeSet<>();
        for (Row row : settingsTable()) {
            variables.add(row.variable());
            if (row.key() != null) {
                listed.add(row.key());
            }
        }
        listed.addAll(camelTable().keySet());
        assertThat(listed).containsExactlyInAnyOrderElementsOf(properties().stringPropertyNames());
        assertThat(variables).containsAll(logbackVariables().keySet());
        assertThat(camelTable().keySet()).allMatch(key -> key.startsWith("camel."));
    }

    @Test
    void theTablesStateTheDefaultsOfApplicationPropertiesAndLogback() throws IOException {
        Properties properties = properties();
        Map<String, String> logback = logbackVariables();
        for (Row row : settingsTable()) {
            String actual = row.key() == null ? logback.get(row.variable()) : properties.getProperty(row.key());
            assertThat(row.statedDefault()).as("the default stated for %s", row.variable()).isEqualTo(actual);
        }
        for (Map.Entry<String, String> camel : camelTable().entrySet()) {
            assertThat(camel.getValue()).as("the value stated for %s", camel.getKey())
                    .isEqualTo(properties.getProperty(camel.getKey()));
        }
    }

    @Test
    void theCodeFallsBackToTheDefaultsOfApplicationProperties() throws IOException {
        Properties properties = properties();
        // Settings reads every key the service reads: the file's values give the same settings as none at all
        Settings fromFile = Settings.from(properties::getProperty);
        Settings builtIn = Settings.from(key -> null);
        assertThat(fromFile).isEqualTo(builtIn);
        assertThat(fromFile.orders()).isEqualTo(builtIn.orders());
        assertThat(fromFile.kraken()).isEqualTo(builtIn.kraken());
        assertThat(fromFile.http()).isEqualTo(builtIn.http());
        assertThat(fromFile.notifications()).isEqualTo(builtIn.notifications());
        assertThat(Integer.toString(AlertAge.DEFAULT_CLOCK_SKEW_SECONDS))
                .isEqualTo(properties.getProperty("alert-clock-skew-seconds"));
    }

    @Test
    void noCodeButSettingsReadsAKey() throws IOException {
        // a key read anywhere else would escape Settings' checks (and its one refusal)
        List<String> readers = new ArrayList<>();
        try (var sources = Files.walk(Path.of("src/main/java"))) {
            for (Path source : sources.filter(f -> f.toString().endsWith(".java")).toList()) {
                if (!source.endsWith("Settings.java") && !source.endsWith("NotificationSettings.java")
                        && PROPERTY_READ.matcher(Files.readString(source)).find()) {
                    readers.add(source.toString());
                }
            }
        }
        assertThat(readers).isEmpty();
    }

    @Test
    void everyKeyTheCodeReadsIsInApplicationProperties() throws IOException {
        Set<String> read = new TreeSet<>();
        Settings.from(key -> {
            read.add(key);
            return null;
        });
        assertThat(read).hasSizeGreaterThan(60);
        assertThat(properties().stringPropertyNames()).containsAll(read);
    }

    @Test
    void theDocumentationNamesNoOtherEnvironmentVariable() throws IOException {
        Set<String> table = new TreeSet<>();
        settingsTable().forEach(row -> table.add(row.variable()));
        // Named on purpose, each for what the page says of it:
        Map<String, Boolean> others = new LinkedHashMap<>();
        // the stand-alone paper exchange's own key and secret
        String paperServer = Files.readString(Path.of("src/main/java/io/tvkraken/paper/PaperExchangeServer.java"));
        others.put("PAPER_API_KEY", paperServer.contains("getenv(\"PAPER_API_KEY\")"));
        others.put("PAPER_API_SECRET", paperServer.contains("getenv(\"PAPER_API_SECRET\")"));
        assertThat(others).as("what the pages say of these names holds").doesNotContainValue(false);

        Set<String> unknown = new TreeSet<>();
        for (Path page : PAGES) {
            Matcher span = BACKTICKED.matcher(Files.readString(page));
            while (span.find()) {
                Matcher name = ENVIRONMENT_VARIABLE.matcher(span.group(1));
                if (name.matches() && !table.contains(name.group(1)) && !others.containsKey(name.group(1))
                        // camel-main's own convention for its options, e.g. CAMEL_MAIN_ROUTESRELOADENABLED
                        && !name.group(1).startsWith("CAMEL_MAIN_")) {
                    unknown.add(page + ": " + name.group(1));
                }
            }
        }
        assertThat(unknown).as("environment variables named in the documentation but not in the table").isEmpty();
    }

    @Test
    void everyDocumentApplicationPropertiesPointsToIsInTheRepository() throws IOException {
        List<String> broken = new ArrayList<>();
        for (String line : Files.readAllLines(PROPERTIES)) {
            if (!line.startsWith("#")) {
                continue;
            }
            Matcher reference = DOCUMENT_REFERENCE.matcher(line);
            while (reference.find()) {
                Path document = Path.of(reference.group(1).equals("README") ? "README.md" : reference.group(1));
                if (!Files.isRegularFile(document)) {
                    broken.add(line.trim() + "  <- no " + document);
                } else if (reference.group(2) != null && !hasHeading(document, reference.group(2))) {
                    broken.add(line.trim() + "  <- no section \"" + reference.group(2) + "\" in " + document);
                }
            }
        }
        assertThat(broken).isEmpty();
    }

    /** Camel's mapping of an environment variable onto a property key. */
    static String environmentVariable(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static Properties properties() throws IOException {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(PROPERTIES, StandardCharsets.UTF_8)) {
            properties.load(in);
        }
        Properties trimmed = new Properties();
        properties.stringPropertyNames().forEach(k -> trimmed.setProperty(k, properties.getProperty(k).trim()));
        return trimmed;
    }

    private static Map<String, String> logbackVariables() throws IOException {
        Map<String, String> variables = new LinkedHashMap<>();
        Matcher m = LOGBACK_VARIABLE.matcher(Files.readString(LOGBACK));
        while (m.find()) {
            variables.put(m.group(1), m.group(2));
        }
        assertThat(variables).as("variables read by logback.xml").isNotEmpty();
        return variables;
    }

    /** The table whose header starts with {@code | variable | property key | default |}. */
    private static List<Row> settingsTable() throws IOException {
        List<Row> rows = new ArrayList<>();
        for (List<String> cells : table("variable", "property key", "default")) {
            String variable = onlyBackticked(cells.get(0));
            String key = cells.get(1).startsWith("—") ? null : onlyBackticked(cells.get(1));
            rows.add(new Row(variable, key, statedDefault(cells.get(2))));
        }
        assertThat(rows).as("rows of the settings table").hasSizeGreaterThan(30);
        Set<String> unique = new LinkedHashSet<>();
        rows.forEach(row -> assertThat(unique.add(row.variable())).as("%s listed once", row.variable()).isTrue());
        return rows;
    }

    /** The table whose header starts with {@code | property key | value |}: Camel's own keys. */
    private static Map<String, String> camelTable() throws IOException {
        Map<String, String> rows = new LinkedHashMap<>();
        for (List<String> cells : table("property key", "value")) {
            rows.put(onlyBackticked(cells.get(0)), onlyBackticked(cells.get(1)));
        }
        assertThat(rows).as("rows of the Camel table").isNotEmpty();
        return rows;
    }

    /** The body rows of the table in docs/configuration.md whose header begins with these cells. */
    private static List<List<String>> table(String... header) throws IOException {
        List<List<String>> rows = new ArrayList<>();
        boolean inTable = false;
        boolean found = false;
        for (String line : Files.readAllLines(TABLE)) {
            if (!line.startsWith("|")) {
                inTable = false;
                continue;
            }
            List<String> cells = cells(line);
            if (!inTable && cells.size() >= header.length && cells.subList(0, header.length).equals(List.of(header))) {
                inTable = true;
                found = true;
            } else if (inTable && !line.startsWith("|---")) {
                rows.add(cells);
            }
        }
        assertThat(found).as("a table headed %s in %s", List.of(header), TABLE).isTrue();
        return rows;
    }

    private static List<String> cells(String line) {
        String inner = line.substring(1, line.lastIndexOf('|'));
        List<String> cells = new ArrayList<>();
        for (String cell : inner.split("\\|", -1)) {
            cells.add(cell.trim());
        }
        return cells;
    }

    /** A cell that is exactly one backticked name. */
    private static String onlyBackticked(String cell) {
        Matcher m = Pattern.compile("`([^`]+)`").matcher(cell);
        assertThat(m.matches()).as("a cell holding one backticked name: %s", cell).isTrue();
        return m.group(1);
    }

    /** {@code `8080`} → 8080; {@code empty...} → the empty string. */
    private static String statedDefault(String cell) {
        if (cell.startsWith("empty")) {
            return "";
        }
        Matcher m = Pattern.compile("`([^`]*)`").matcher(cell);
        assertThat(m.lookingAt()).as("a default that starts with a backticked value or 'empty': %s", cell).isTrue();
        return m.group(1);
    }

    private static boolean hasHeading(Path document, String heading) throws IOException {
        return Files.readAllLines(document).stream()
                .anyMatch(l -> l.startsWith("#") && l.replaceFirst("^#+\\s*", "").trim().equalsIgnoreCase(heading));
    }
}
