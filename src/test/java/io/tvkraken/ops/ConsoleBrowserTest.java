package io.tvkraken.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.RunningApp;
import io.tvkraken.TestSecrets;
import io.tvkraken.paper.Fault;
import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.PaperExchangeHarness;
import java.io.File;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real headless browser (docs/operations.md#console): Debian's chromium, driven through its
 * chromium-driver by Selenium, against the running service in paper mode. A trader logs in with the token, sees an
 * order appear after an alert is sent, replays a dead letter, switches trading off and sees the next alert refused,
 * and reads the positions. A screenshot of each page is written to {@code target/console-screenshots/}.
 *
 * <p>Needs {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver}: without them the test is skipped, unless the
 * system property {@value #REQUIRED} is true (CI), then it fails.
 */
class ConsoleBrowserTest {

    static final String REQUIRED = "browser.required";
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path data;
    static RunningApp app;
    static PaperExchangeHarness paper;
    static WebDriver browser;
    static WebDriverWait wait;

    @BeforeAll
    static void start() throws IOException {
        for (Path tool : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(tool)) {
                String message = tool + " is missing: install Debian's chromium and chromium-driver";
                if (Boolean.getBoolean(REQUIRED)) {
                    throw new AssertionError(message + " (-D" + REQUIRED + "=true: CI runs this test)");
                }
                Assumptions.abort(message);
            }
        }
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("admin.token", TestSecrets.ADMIN_TOKEN);
        p.put("paper.rate-limit-tier", "off");
        app = RunningApp.start(p);
        paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,900", "--user-data-dir=" + data.resolve("chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(15));
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (app != null) {
            app.close();
        }
    }

    @Test
    void aTraderLogsInSeesOrdersReplaysADeadLetterSwitchesTradingOffAndReadsPositions() throws Exception {
        // without the token: the log-in page, and a wrong token is refused there
        browser.get(app.uri("/console").toString());
        WebElement token = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        token.sendKeys("not-the-token");
        browser.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("login-error"), "not the admin token"));
        screenshot("1-login");
        token.clear();
        token.sendKeys(TestSecrets.ADMIN_TOKEN);
        browser.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("orders-table")));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("trading-state"), "trading on"));

        // an alert sent: its order appears, executed
        String executed = alert("console-buy");
        HttpResponse<String> answer = app.post("/webhook/tradingview", executed);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(rowWithStatus(id(executed), "executed")).contains("buy 0.001 XBTUSD market")
                .contains("console-strategy");
        screenshot("2-orders");

        // Kraken refuses the next AddOrder: a dead letter, replayed from the console, then executed
        paper.injectFault("AddOrder", Fault.RATE_LIMITED, 1);
        String lettered = alert("console-lettered");
        HttpResponse<String> stored = app.post("/webhook/tradingview", lettered);
        assertThat(stored.statusCode()).as(stored.body()).isEqualTo(202);
        String letterId = JSON.readTree(stored.body()).path("dead_letter_id").asText();
        browser.findElement(By.cssSelector("[data-tab=dead-letters]")).click();
        WebElement replay = wait.until(ExpectedConditions.elementToBeClickable(
                By.cssSelector("#dead-letters-table button.replay[data-id='" + letterId + "']")));
        screenshot("3-dead-letters");
        replay.click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("replay-result"), letterId));
        wait.until(ExpectedConditions.invisibilityOfElementLocated(
                By.cssSelector("#dead-letters-table tr[data-id='" + letterId + "']")));
        browser.findElement(By.cssSelector("[data-tab=orders]")).click();
        rowWithStatus(id(lettered), "executed");

        // the kill switch, switched off from the console: the next alert is refused 423
        browser.findElement(By.cssSelector("[data-tab=trading]")).click();
        WebElement toggle = wait.until(ExpectedConditions.elementToBeClickable(By.id("trading-toggle")));
        wait.until(ExpectedConditions.textToBePresentInElement(toggle, "Switch trading off"));
        toggle.click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("trading-state"), "trading OFF"));
        screenshot("4-trading-off");
        String refused = alert("console-refused");
        HttpResponse<String> off = app.post("/webhook/tradingview", refused);
        assertThat(off.statusCode()).as(off.body()).isEqualTo(423);
        browser.findElement(By.cssSelector("[data-tab=orders]")).click();
        assertThat(rowWithStatus(id(refused), "rejected")).contains("trading_disabled");
        new Select(browser.findElement(By.id("filter-outcome"))).selectByVisibleText("rejected");
        wait.ignoring(StaleElementReferenceException.class).until(d -> {
            List<WebElement> rows = d.findElements(By.cssSelector("#orders-table tbody tr"));
            return !rows.isEmpty() && rows.stream().allMatch(r -> "rejected".equals(r.getDomAttribute("data-status")));
        });
        screenshot("5-orders-rejected");
        browser.findElement(By.cssSelector("[data-tab=trading]")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("trading-toggle"), "Switch trading on"));
        browser.findElement(By.id("trading-toggle")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("trading-state"), "trading on"));

        // positions: the default book is not used by order alerts without a strategy; the page reads the account
        browser.findElement(By.cssSelector("[data-tab=positions]")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("drift"), "drift"));
        screenshot("6-positions");

        // a replay of this session under a limit the alerts did not meet: its report and its equity chart
        browser.findElement(By.cssSelector("[data-tab=replays]")).click();
        WebElement settings = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("replay-settings")));
        settings.sendKeys("{\"account\": {\"max-order-cost\": 10}}");
        browser.findElement(By.id("replay-run")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("replay-status"), ": done ("));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(
                "#equity-chart polyline[data-account='default']")));
        assertThat(browser.findElement(By.id("replay-table")).getText()).contains("console-strategy", "risk_limit");
        screenshot("7-replay");

        // logged out: the log-in page again
        browser.findElement(By.id("logout")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
    }

    static String alert(String prefix) {
        return "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"order_type\":\"market\",\"volume\":\"0.001\","
                + "\"strategy\":\"console-strategy\",\"id\":\"" + prefix + "-" + UUID.randomUUID() + "\"}";
    }

    static String id(String alert) throws IOException {
        return JSON.readTree(alert).path("id").asText();
    }

    /**
     * The text of the orders table's row of an alert once it shows {@code status}. The table is drawn anew at every
     * refresh, so the row is looked up again each time.
     */
    static String rowWithStatus(String alertId, String status) {
        return wait.ignoring(StaleElementReferenceException.class).until(d -> {
            List<WebElement> rows = d.findElements(By.cssSelector("#orders-table tr[data-alert-id='" + alertId
                    + "'][data-status='" + status + "']"));
            return rows.isEmpty() ? null : rows.get(0).getText();
        });
    }

    static void screenshot(String name) throws IOException {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    /** Selenium's select helper, by its own name so that the test reads as the page does. */
    static final class Select extends org.openqa.selenium.support.ui.Select {
        Select(WebElement element) {
            super(element);
        }
    }
}
