package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Every key whose value in {@code application.properties} is a number, given a value that is not one, is refused by
 * {@link Settings#from} by name (docs/configuration.md#when-the-configuration-is-wrong), never read later by some
 * other code that would fail with a stack trace; the YAML routes' placeholders and camel-main's keys the service
 * relies on included. {@code ApplicationProcessTest} starts the process with all of them wrong at once.
 */
class NumericSettingsTest {

    private static final Pattern NUMBER = Pattern.compile("-?\\d+");

    static Properties file() throws IOException {
        Properties file = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of("application.properties"), StandardCharsets.UTF_8)) {
            file.load(in);
        }
        return file;
    }

    /** The keys whose value in application.properties is a whole number, in no particular order. */
    static List<String> numericKeys() throws IOException {
        Properties file = file();
        return file.stringPropertyNames().stream().filter(k -> NUMBER.matcher(file.getProperty(k).trim()).matches())
                .sorted().toList();
    }

    @Test
    void theNumericKeysAreFoundInApplicationProperties() throws IOException {
        assertThat(numericKeys()).hasSizeGreaterThan(40).contains("kraken.pairs.refresh-seconds",
                "kraken.prices.max-age-ms", "kraken.balances.max-age-ms", "kraken.rate-limit.max-wait-ms",
                "alert-clock-skew-seconds", "orders.reconcile.poll-ms", "kraken.prices.refresh-ms",
                "notify.max-redeliveries", "kraken.http.connect-timeout-ms", "camel.server.max-body-size",
                "camel.main.shutdown-timeout", "smtp.port", "gcp.secret-manager.timeout-ms");
    }

    @ParameterizedTest
    @MethodSource("numericKeys")
    void aValueThatIsNoNumberIsRefusedByName(String key) throws IOException {
        Map<String, String> values = new HashMap<>();
        file().forEach((k, v) -> values.put((String) k, (String) v));
        values.put(key, "abc");
        assertThatThrownBy(() -> Settings.from(values::get))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("Invalid configuration: " + key + " must be a whole number, not 'abc'");
    }

    @Test
    void allOfThemWrongAreRefusedInOneMessage() throws IOException {
        Map<String, String> values = new HashMap<>();
        numericKeys().forEach(key -> values.put(key, " 12x "));
        assertThatThrownBy(() -> Settings.from(values::get))
                .isInstanceOf(InvalidConfigurationException.class)
                .satisfies(e -> assertThat(e.getMessage().split("; ")).hasSize(numericKeys().size()))
                .satisfies(e -> numericKeys().forEach(key -> assertThat(e.getMessage())
                        .contains(key + " must be a whole number, not '12x'")));
    }

    @Test
    void aNumberTooLargeForItsSettingIsRefusedToo() {
        assertThatThrownBy(() -> Settings.from(Map.of("kraken.prices.max-age-ms", "99999999999")::get))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("kraken.prices.max-age-ms must be a whole number, not '99999999999'");
    }

    @Test
    void problemsOfEveryAreaAreReportedTogetherInOneMessage() {
        Map<String, String> values = new HashMap<>();
        values.put("kraken.tier", "gold");
        values.put("allowed.ips", "not-an-address");
        values.put("trusted.proxies", "10.0.0.0/99");
        values.put("http.max-header-bytes", "10");
        values.put("webhook.rate-limit", "-1");
        values.put("kraken.balances.refresh-ms", "1000");
        values.put("paper.prices", "XXBTZUSD");
        values.put("notify.queue-size", "0");
        values.put("smtp.host", "smtp.example.com");
        values.put("gcp.secret-manager.versions", "KRAKEN_API_KEY=4");
        assertThatThrownBy(() -> Settings.from(values::get))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("KRAKEN_TIER must be starter, intermediate or pro, not 'gold'")
                .hasMessageContaining("ALLOWED_IPS: 'not-an-address' is not an IP address or CIDR block")
                .hasMessageContaining("TRUSTED_PROXIES: '10.0.0.0/99'")
                .hasMessageContaining("http.max-header-bytes at least 1024")
                .hasMessageContaining("webhook rate limit: the limit must be 0 (off) or more")
                .hasMessageContaining("kraken.balances.refresh-ms must be at least 15000")
                .hasMessageContaining("paper.prices entry 'XXBTZUSD' must look like NAME=123.45")
                .hasMessageContaining("notify.queue-size must be at least 1")
                .hasMessageContaining("e-mail notifications need both SMTP_HOST and SMTP_TO")
                .hasMessageContaining("GCP_SECRET_MANAGER_* is set but GCP_PROJECT_ID is not");
    }
}
