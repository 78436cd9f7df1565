package io.parkway.server.e2e;

import io.parkway.testing.Chromium;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * Chromium sessions for the end-to-end tests: Debian's {@code /usr/bin/chromium} driven by {@code /usr/bin/chromedriver},
 * both by explicit path so Selenium Manager never runs and nothing is downloaded. Each session is its own browser
 * process with a fresh profile (a separate browser context: no shared cookies, storage or media state).
 *
 * <p>Network rule: pages load only from 127.0.0.1 and WebRTC keeps to loopback — {@code
 * --allow-loopback-in-peer-connection} lets Chromium use loopback candidates, and the preference {@code
 * webrtc.ip_handling_policy=default_public_interface_only} keeps it on one wildcard-bound socket, whose source address
 * towards 127.0.0.1 is 127.0.0.1 (see {@link Chromium#loopbackOnly}).
 */
final class Browsers implements AutoCloseable {

    private final List<Browser> open = new ArrayList<>();

    /**
     * Starts a browser named {@code name} (for diagnostics). With {@code fakeAudio} non-null its fake microphone plays
     * that WAV file in a loop.
     */
    synchronized Browser start(String name, Path fakeAudio) throws IOException {
        Path profile = Files.createTempDirectory("parkway-e2e-" + name + "-");
        List<String> extra = new ArrayList<>(List.of("--window-size=1280,1000"));
        if (fakeAudio != null) {
            extra.add("--use-file-for-fake-audio-capture=" + fakeAudio);
        }
        ChromeOptions options = Chromium.loopbackOnly(Chromium.options(profile, extra.toArray(String[]::new)));
        ChromeDriverService service = Chromium.service().build();
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
