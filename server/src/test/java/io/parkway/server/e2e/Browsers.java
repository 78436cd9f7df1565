package io.parkway.server.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Chromium sessions for the end-to-end tests: Debian's {@code /usr/bin/chromium} driven by {@code /usr/bin/chromedriver},
 * both by explicit path so Selenium Manager never runs and nothing is downloaded. Each session is its own browser
 * process with a fresh profile (a separate browser context: no shared cookies, storage or media state).
 *
 * <p>Network rule: pages load only from 127.0.0.1 and WebRTC keeps to loopback — {@code
 * --allow-loopback-in-peer-connection} lets Chromium use loopback candidates, and the preference {@code
 * webrtc.ip_handling_policy=default_public_interface_only} keeps it on one wildcard-bound socket, whose source address
 * towards 127.0.0.1 is 127.0.0.1 (the approach of {@code io.parkway.turn.browser.ChromiumRelayTest}).
 */
final class Browsers implements AutoCloseable {

    static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Paths.get("/usr/bin/chromedriver");

    private final List<Browser> open = new ArrayList<>();

    /**
     * Null when both binaries exist; otherwise the reason to skip, printed loudly. With {@code CI=true} a missing
     * browser is a failure instead (throws).
     */
    static String missing(String testName) {
        boolean ci = "true".equals(System.getenv("CI"));
        for (Path p : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(p)) {
                String message = testName + " needs " + p + " (Debian packages chromium and chromium-driver; .ci/run"
                        + " installs them); it is missing, so the test is " + (ci ? "FAILING (CI=true)" : "SKIPPED");
                System.err.println("\n!!!!!!!! " + message + " !!!!!!!!\n");
                if (ci) {
                    throw new IllegalStateException(message);
                }
                return message;
            }
        }
        return null;
    }

    /**
     * Starts a browser named {@code name} (for diagnostics). With {@code fakeAudio} non-null its fake microphone plays
     * that WAV file in a loop.
     */
    synchronized Browser start(String name, Path fakeAudio) throws IOException {
        Path profile = Files.createTempDirectory("parkway-e2e-" + name + "-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        List<String> args = new ArrayList<>(List.of(
                "--headless=new",
                "--no-sandbox",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                "--autoplay-policy=no-user-gesture-required",
                "--allow-loopback-in-peer-connection",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--window-size=1280,1000",
                "--user-data-dir=" + profile));
        if (fakeAudio != null) {
            args.add("--use-file-for-fake-audio-capture=" + fakeAudio);
        }
        options.addArguments(args);
        options.setExperimentalOption("prefs", Map.of("webrtc.ip_handling_policy", "default_public_interface_only"));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort()
                .build();
        ChromeDriver driver;
        try {
            driver = new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            deleteTree(profile);
            throw e;
        }
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
        Browser browser = new Browser(name, driver, profile);
        open.add(browser);
        return browser;
    }

    synchronized List<Browser> all() {
        return List.copyOf(open);
    }

    /** Quits every browser (each in its own try, so one failure does not leak the others) and deletes profiles. */
    @Override
    public synchronized void close() {
        for (Browser b : open) {
            try {
                b.driver.quit();
            } catch (RuntimeException e) {
                System.err.println("quitting " + b.name + ": " + e);
            }
            deleteTree(b.profile);
        }
        open.clear();
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // best effort: a temp directory
        }
    }

    /** One Chromium session with the helpers the tests need. */
    static final class Browser {
        final String name;
        final ChromeDriver driver;
        private final Path profile;
        /** Console entries read so far (reading drains ChromeDriver's buffer). */
        private final List<String> console = new ArrayList<>();

        Browser(String name, ChromeDriver driver, Path profile) {
            this.name = name;
            this.driver = driver;
            this.profile = profile;
        }

        Object js(String script, Object... args) {
            return driver.executeScript(script, args);
        }

        /** {@code document.body.dataset.state}, or null before the page set one. */
        String state() {
            return (String) js("return document.body ? (document.body.dataset.state || null) : null");
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> dataset() {
            return (Map<String, Object>) js("return document.body ? Object.assign({}, document.body.dataset) : null");
        }

        /** Clicks the button whose visible label is exactly {@code label}. */
        void clickButton(String label) {
            button(label).click();
        }

        WebElement button(String label) {
            List<WebElement> found = driver.findElements(By.xpath(
                    "//button[normalize-space(.)=" + xpathLiteral(label) + "]"));
            if (found.isEmpty()) {
                throw new AssertionError(name + ": no button labelled \"" + label + "\" on " + driver.getCurrentUrl());
            }
            for (WebElement b : found) {
                if (b.isDisplayed()) {
                    return b;
                }
            }
            return found.get(0);
        }

        synchronized List<String> consoleLog() {
            try {
                for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
                    console.add(entry.toString());
                }
            } catch (RuntimeException e) {
                console.add("(console unavailable: " + e + ")");
            }
            return List.copyOf(console);
        }

        /** Saves a PNG of the viewport to {@code file} (parents created) and returns it. */
        Path screenshot(Path file) throws IOException {
            Files.createDirectories(file.getParent());
            File png = driver.getScreenshotAs(OutputType.FILE);
            Files.copy(png.toPath(), file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        }

        @Override
        public String toString() {
            return name;
        }

        private static String xpathLiteral(String s) {
            return s.contains("\"") ? "'" + s + "'" : "\"" + s + "\"";
        }
    }
}
