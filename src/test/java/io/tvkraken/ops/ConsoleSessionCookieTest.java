package io.tvkraken.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The console's session cookie as the admin guard reads it (docs/operations.md#console). */
class ConsoleSessionCookieTest {

    static String cookie(String token) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(token.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theTokenIsReadFromItsCookieAmongOthersWhateverCharactersItHolds() {
        String token = "a token; with, \"odd\" characters=é";
        assertThat(Console.sessionToken("theme=dark; " + Console.COOKIE + "=" + cookie(token) + "; other=1"))
                .isEqualTo(token);
    }

    @Test
    void noCookieOrOneThatIsNotBase64GivesNoToken() {
        assertThat(Console.sessionToken(null)).isNull();
        assertThat(Console.sessionToken("theme=dark")).isNull();
        assertThat(Console.sessionToken(Console.COOKIE + "=not base64!")).isNull();
    }

    @Test
    void onlyABrowsersGetOfTheConsolePageGetsTheLogInPage() {
        assertThat(Console.isPageRequest("GET", "/console", "text/html,application/xhtml+xml")).isTrue();
        assertThat(Console.isPageRequest("GET", "/console", "application/json")).isFalse();
        assertThat(Console.isPageRequest("GET", "/console/assets/console.js", "text/html")).isFalse();
        assertThat(Console.isPageRequest("POST", "/console", "text/html")).isFalse();
    }
}
