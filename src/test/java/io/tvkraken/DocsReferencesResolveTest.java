package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The knowledge the code relies on lives in the repository: every {@code docs/<page>.md#<anchor>} that a comment, a
 * route, the configuration or a docs page cites names a page and a heading that exist, and nothing cites notes that
 * are not in the repository.
 */
class DocsReferencesResolveTest {

    private static final Pattern REFERENCE = Pattern.compile("docs/([\\w.-]+\\.md)#([\\w-]+)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");
    /** Notes that were never part of the repository; a reader who picks the project up cannot follow them. */
    private static final List<String> OUTSIDE_NOTES = List.of("kraken-rest.md", "camel-4.18.md",
            "tradingview-webhooks.md", "perf-and-reliability.md", "SPEC.md", "SPEC §");

    @Test
    void everyDocsAnchorThatIsCitedExists() {
        Map<String, Set<String>> anchorsByPage = new HashMap<>();
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (Path file : citingFiles()) {
            List<String> lines = read(file);
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = REFERENCE.matcher(lines.get(i));
                while (m.find()) {
                    checked++;
                    Set<String> anchors = anchorsByPage.computeIfAbsent(m.group(1),
                            page -> anchors(Path.of("docs", page)));
                    if (anchors == null || !anchors.contains(m.group(2))) {
                        missing.add(file + ":" + (i + 1) + " docs/" + m.group(1) + "#" + m.group(2));
                    }
                }
            }
        }
        assertThat(checked).as("references found").isGreaterThan(50);
        assertThat(missing).as("references to a docs page or heading that does not exist").isEmpty();
    }

    @Test
    void nothingCitesNotesOutsideTheRepository() {
        List<String> found = new ArrayList<>();
        for (Path file : citingFiles()) {
            if (file.endsWith(Path.of("DocsReferencesResolveTest.java"))) {
                continue;
            }
            List<String> lines = read(file);
            for (int i = 0; i < lines.size(); i++) {
                for (String note : OUTSIDE_NOTES) {
                    if (lines.get(i).contains(note)) {
                        found.add(file + ":" + (i + 1) + " cites " + note);
                    }
                }
            }
        }
        assertThat(found).isEmpty();
    }

    /** The sources, routes, configuration and documentation of the repository. */
    private static List<Path> citingFiles() {
        List<Path> files = new ArrayList<>();
        for (String root : List.of("src", "routes", "docs", "examples", ".ci", "monitoring", "deploy")) {
            Path dir = Path.of(root);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.filter(Files::isRegularFile).filter(DocsReferencesResolveTest::isText).forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (String single : List.of("README.md", "application.properties", "pom.xml", "Dockerfile")) {
            if (Files.isRegularFile(Path.of(single))) {
                files.add(Path.of(single));
            }
        }
        return files;
    }

    private static boolean isText(Path file) {
        String name = file.getFileName().toString();
        return Stream.of(".java", ".md", ".yaml", ".yml", ".properties", ".sql", ".xml", ".sh", ".json")
                .anyMatch(name::endsWith) || name.equals("run");
    }

    /** GitHub's anchors for a page's headings: lower case, punctuation dropped, spaces as hyphens, repeats -1, -2. */
    private static Set<String> anchors(Path page) {
        if (!Files.isRegularFile(page)) {
            return null;
        }
        Set<String> anchors = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean fenced = false;
        for (String line : read(page)) {
            if (line.startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            Matcher m = fenced ? null : HEADING.matcher(line);
            if (m != null && m.matches()) {
                String slug = m.group(1).trim().toLowerCase(Locale.ROOT).replaceAll("[^\\w\\- ]", "")
                        .replace(' ', '-');
                int n = seen.merge(slug, 1, Integer::sum) - 1;
                anchors.add(n == 0 ? slug : slug + "-" + n);
            }
        }
        return anchors;
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of();
        }
    }
}
