package io.tvkraken.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tvkraken.InvalidConfigurationException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The Secret Manager settings as an operator writes them: what they mean, and every mistake named at once. */
class SecretManagerConfigTest {

    @Test
    void withoutAProjectSecretManagerIsNotUsed() {
        SecretManagerConfig config = SecretManagerConfig.of("", "", "", 10000);
        assertThat(config.enabled()).isFalse();
    }

    @Test
    void everySecretIsReadAtLatestUnlessPinned() {
        SecretManagerConfig config = SecretManagerConfig.of("my-project", "",
                " KRAKEN_API_KEY=4, KRAKEN_API_SECRET = 4,ADMIN_TOKEN=latest", 2500);
        assertThat(config.enabled()).isTrue();
        assertThat(config.versionOf(SecretName.KRAKEN_API_KEY)).isEqualTo("4");
        assertThat(config.versionOf(SecretName.KRAKEN_API_SECRET)).isEqualTo("4");
        assertThat(config.versionOf(SecretName.ADMIN_TOKEN)).isEqualTo("latest");
        assertThat(config.versionOf(SecretName.WEBHOOK_PASSPHRASE)).isEqualTo("latest");
        assertThat(config.timeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(config.emulatorHost()).isNull();
        assertThat(config.describe()).isEqualTo("project my-project");
    }

    @Test
    void mistakesAreNamedTogether() {
        assertThatThrownBy(() -> SecretManagerConfig.of("projects/x", "localhost", "KRAKEN_KEY=1,ADMIN_TOKEN=v2", 0))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("GCP_PROJECT_ID must be a Google Cloud project id or number, not 'projects/x'")
                .hasMessageContaining("GCP_SECRET_MANAGER_EMULATOR_HOST must look like host:port")
                .hasMessageContaining("GCP_SECRET_MANAGER_VERSIONS names 'KRAKEN_KEY'")
                .hasMessageContaining("GCP_SECRET_MANAGER_VERSIONS entry ADMIN_TOKEN must be a version number")
                .hasMessageContaining("gcp.secret-manager.timeout-ms must be at least 1");
    }

    @Test
    void secretManagerSettingsWithoutAProjectAreAMistake() {
        assertThatThrownBy(() -> SecretManagerConfig.of("", "127.0.0.1:8085", "", 10000))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("GCP_PROJECT_ID is not");
    }
}
