package dev.herald.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven by chromium-driver, one per test class. Under {@code CI=true} a missing
 * browser fails the test class; elsewhere it is skipped with the command that installs it.
 */
public final class Browser implements AutoCloseable {
    public static final int WIDE = 1440;
    public static final int PHONE = 390;
    private static final Path CHROMIUM = firstExisting("/usr/bin/chromium", "/usr/lib/chromium/chromium");
    private static final Path DRIVER = firstExisting("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target/screenshots");
    private static final Duration WAIT = Duration.ofSeconds(15);

    private final ChromeDriver driver;
    private final Path profile;
    private final WebDriverWait wait;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
        this.wait = new WebDriverWait(driver, WAIT, Duration.ofMillis(50));
        // why: a page that navigates or re-renders while a condition reads it replaces the element read; the next
        // poll reads the new one
        this.wait.ignoring(StaleElementReferenceException.class);
    }

    /** Starts a browser, or skips the calling test class (fails it under CI=true) when none is installed. */
    public static Browser start() {
        if (CHROMIUM == null || DRIVER == null) {
            String how = "the browser tests need Debian's chromium and chromium-driver: apt-get install -y chromium chromium-driver";
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException("CI=true but " + how + " (.ci/run installs them)");
            }
            Assumptions.abort("Skipped: " + how);
        }
        try {
            Path profile = Files.createTempDirectory("herald-chromium");
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments("--headless=new", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--no-default-browser-check", "--disable-dev-shm-usage",
                    "--user-data-dir=" + profile, "--window-size=" + WIDE + ",900", "--lang=en-US", "--force-device-scale-factor=1",
                    "--disable-features=Translate,MediaRouter,OptimizationHints");
            if ("root".equals(System.getProperty("user.name"))) {
                options.addArguments("--no-sandbox"); // why: Chromium refuses to start its sandbox as root
            }
            LoggingPreferences logs = new LoggingPreferences();
            logs.enable(LogType.BROWSER, Level.ALL);
            options.setCapability("goog:loggingPrefs", logs);
            ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().scriptTimeout(WAIT);
            Files.createDirectories(SCREENSHOTS);
            return new Browser(driver, profile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public ChromeDriver driver() {
        return driver;
    }

    public void open(String url) {
        driver.get(url);
    }

    public WebElement find(By by) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    public List<WebElement> all(By by) {
        return driver.findElements(by);
    }

    public void click(By by) {
        WebElement e = wait.until(ExpectedConditions.elementToBeClickable(by));
        ((JavascriptExecutor) driver).executeScript("arguments[0].scrollIntoView({block: 'center'})", e);
        e.click();
    }

    /** Clicks the button or link whose visible text is exactly {@code text}. */
    public void clickText(String text) {
        click(byText(text));
    }

    public static By byText(String text) {
        String literal = text.contains("'") ? "\"" + text + "\"" : "'" + text + "'";
        return By.xpath("//*[self::button or self::a][normalize-space(.)=" + literal + "]");
    }

    /** The input labelled {@code label}. */
    public static By byLabel(String label) {
        return By.xpath("//*[@id=//label[normalize-space(.)='" + label + "']/@for]");
    }

    public void type(By by, String text) {
        WebElement e = find(by);
        e.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
        e.sendKeys(text);
    }

    /** Sets a value through the DOM (a datetime-local input, whose typing depends on the locale). */
    public void setValue(By by, String value) {
        WebElement e = find(by);
        ((JavascriptExecutor) driver).executeScript(
                "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true}));", e, value);
    }

    public void waitForText(String text) {
        wait.until(d -> bodyText().contains(text));
    }

    public void waitForText(By by, String text) {
        wait.until(ExpectedConditions.textToBePresentInElementLocated(by, text));
    }

    public void waitGone(By by) {
        wait.until(ExpectedConditions.invisibilityOfElementLocated(by));
    }

    public void waitFor(java.util.function.Function<ChromeDriver, Boolean> condition, Duration timeout) {
        new WebDriverWait(driver, timeout, Duration.ofMillis(100)).ignoring(StaleElementReferenceException.class)
                .until(d -> condition.apply(driver));
    }

    public String bodyText() {
        return driver.findElement(By.tagName("body")).getText();
    }

    public Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** The toast with {@code text} appeared. */
    public void toast(String text) {
        waitForText(By.id("toasts"), text);
    }

    /**
     * Saves the page at 1440 and at 390 px wide, the whole page tall, as {@code target/screenshots/<name>-<width>.png},
     * then restores the wide window.
     */
    /** The page as it is now, at the current width, as {@code target/screenshots/<name>.png} (kept for a failing test). */
    public void screenshot(String name) {
        try {
            Files.write(SCREENSHOTS.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void screenshots(String name) {
        js("document.querySelectorAll('.toast').forEach(t => t.remove())");
        // why: a hover left by the last click (a highlighted chart bar) is not part of the page
        new org.openqa.selenium.interactions.Actions(driver).moveToLocation(0, 0).perform();
        shot(name, WIDE);
        shot(name, PHONE);
        driver.manage().window().setSize(new Dimension(WIDE, 900));
    }

    private void shot(String name, int width) {
        driver.manage().window().setSize(new Dimension(width, 900));
        settle();
        // why: an open dialog scrolls inside itself; the window is made tall enough to show all of it too
        Number height = (Number) js("const d = document.querySelector('dialog[open]');"
                + " return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight, d ? d.scrollHeight + 80 : 0)");
        int tall = Math.min(Math.max(height.intValue() + 120, 760), 4000); // why: the window's height includes its frame
        driver.manage().window().setSize(new Dimension(width, tall));
        settle();
        try {
            Files.write(SCREENSHOTS.resolve(name + "-" + width + ".png"), driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void settle() {
        // why: a resize relayouts on the next frames; two animation frames later the page is drawn at its new width
        ((JavascriptExecutor) driver).executeAsyncScript(
                "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done()))");
    }

    /** Browser console messages since the last call. */
    public List<String> consoleMessages() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::getMessage).toList();
    }

    /** Nothing broke the policy or threw since the last call (401/404 answers the page expects are allowed). */
    public void assertNoScriptErrors() {
        assertThat(consoleMessages()).as("browser console")
                .noneMatch(m -> m.contains("Content Security Policy") || m.contains("Uncaught") || m.contains("TypeError")
                        || m.contains("SyntaxError") || m.contains("ReferenceError"));
    }

    /** Every visible form control has a label: a label element, aria-label or aria-labelledby. */
    public void assertEveryControlLabelled() {
        Object unlabelled = js("return [...document.querySelectorAll('input, select, textarea')]"
                + ".filter(e => e.type !== 'hidden' && e.getClientRects().length > 0)"
                + ".filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))"
                + ".map(e => e.outerHTML.slice(0, 120))");
        assertThat((List<?>) unlabelled).as("form controls without a label").isEmpty();
    }

    public void clearSession() {
        js("sessionStorage.clear()");
    }

    public Map<String, Object> windowState() {
        return Map.of("url", driver.getCurrentUrl(), "title", driver.getTitle());
    }

    @Override
    public void close() {
        driver.quit();
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover profile in /tmp is harmless
        }
    }

    private static Path firstExisting(String... paths) {
        for (String p : paths) {
            Path path = Path.of(p);
            if (Files.isExecutable(path)) {
                return path;
            }
        }
        return null;
    }
}
