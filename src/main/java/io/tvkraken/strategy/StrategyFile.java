package io.tvkraken.strategy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The strategies file, read at start-up and again whenever it changes (route reload-strategy-settings,
 * docs/strategies.md#the-strategies-file). An edit that does not read - broken YAML, an unknown key, a value out of
 * range - keeps the settings in force and says why in the log, once per version of the file; a file that disappears
 * keeps them too. Without a file (setting empty) nothing is limited.
 */
public class StrategyFile {

    private static final Logger LOG = LoggerFactory.getLogger(StrategyFile.class);

    private final Path path;
    private final java.util.Set<String> accounts;
    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    private volatile StrategySettings current = StrategySettings.NONE;
    /** The content last read, good or not: a broken version is reported once, not at every look. */
    private byte[] lastDigest;

    /**
     * @param path the file, or null for none
     * @throws IllegalArgumentException when the file is set but does not read at start-up: the service does not start
     *                                  on limits other than those the operator wrote
     */
    public StrategyFile(Path path) {
        this(path, null);
    }

    /**
     * @param accounts the accounts configured (docs/accounts.md), the default one included: the file's
     *                 {@code accounts} section may name no other; null: not checked
     */
    public StrategyFile(Path path, java.util.Collection<String> accounts) {
        this.path = path;
        this.accounts = accounts == null ? null : java.util.Set.copyOf(accounts);
        if (path != null) {
            if (!Files.isRegularFile(path)) {
                throw new IllegalArgumentException("strategies.file " + path + " does not exist");
            }
            try {
                byte[] content = Files.readAllBytes(path);
                current = parse(content);
                lastDigest = digest(content);
                LOG.info("strategies file {}: {} strateg{}", path, current.strategies().size(),
                        current.strategies().size() == 1 ? "y" : "ies");
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("strategies.file " + path + " could not be read: "
                        + why(e), e);
            }
        }
    }

    /** The file, or null for none. */
    public Path path() {
        return path;
    }

    /**
     * Whether {@code content} reads as a strategies file (a replay's settings to try, docs/replays.md): empty when it
     * does, else what is wrong, in one line.
     */
    public static java.util.Optional<String> problemIn(byte[] content, java.util.Collection<String> accounts) {
        try {
            new StrategyFile(null, accounts).parse(content);
            return java.util.Optional.empty();
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.of(why(e));
        }
    }

    /** The settings in force. */
    public StrategySettings settings() {
        return current;
    }

    /**
     * The reload-strategy-settings route: reads the file again if its content changed; a version that does not read
     * keeps the settings in force.
     *
     * @return true when new settings took effect
     */
    public synchronized boolean reload() {
        if (path == null) {
            return false;
        }
        byte[] content;
        try {
            content = Files.readAllBytes(path);
        } catch (IOException e) {
            if (lastDigest != null) {
                LOG.error("strategies file {} cannot be read ({}): the settings in force stay", path,
                        e.getClass().getSimpleName());
                lastDigest = null;
            }
            return false;
        }
        byte[] digest = digest(content);
        if (Arrays.equals(digest, lastDigest)) {
            return false;
        }
        lastDigest = digest;
        try {
            current = parse(content);
            LOG.info("strategies file {} reloaded: {} strateg{}", path, current.strategies().size(),
                    current.strategies().size() == 1 ? "y" : "ies");
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.error("strategies file {} was edited but does not read, the settings in force stay: {}", path,
                    why(e));
            return false;
        }
    }

    private StrategySettings parse(byte[] content) throws IOException {
        StrategySettings read = yaml.readValue(content, StrategySettings.class);
        if (read != null && accounts != null) {
            for (String name : read.accounts().keySet()) {
                if (!accounts.contains(name)) {
                    // a misspelt account would leave the real one unsized and unlimited
                    throw new IllegalArgumentException("accounts." + name + ": not an account (accounts: "
                            + String.join(", ", new java.util.TreeSet<>(accounts)) + ")");
                }
            }
            read.strategies().forEach((strategy, settings) -> settings.accounts().forEach(name -> {
                if (!accounts.contains(name)) {
                    // a misspelt account would leave the strategy's alerts without an order there
                    throw new IllegalArgumentException("strategies." + strategy + ".accounts: " + name + " is not an "
                            + "account (accounts: " + String.join(", ", new java.util.TreeSet<>(accounts)) + ")");
                }
            }));
        }
        return read == null ? StrategySettings.NONE : read;
    }

    /**
     * What is wrong, in one line and without a stack trace: the key by its path ({@code strategies.a.max-order-cots})
     * for a key or value that does not fit, the line and column for YAML that does not parse.
     */
    static String why(Exception e) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            return path(unknown) + ": unknown key (known: " + unknown.getKnownPropertyIds().stream().map(String::valueOf)
                    .sorted().toList() + ")";
        }
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            Throwable cause = mapping.getCause() != null ? mapping.getCause() : mapping;
            String what = cause instanceof IllegalArgumentException ? cause.getMessage() : mapping.getOriginalMessage();
            return path(mapping) + ": " + oneLine(what);
        }
        return oneLine(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .reduce((a, b) -> b.startsWith("[") ? a + b : a + "." + b).orElse("(top)");
    }

    private static String oneLine(String text) {
        return text.replace("\n", " ").replaceAll("\\s+", " ").trim();
    }

    private static byte[] digest(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
