package io.parkway.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's {@code /usr/bin/chromium} driven by {@code /usr/bin/chromedriver}, both by explicit path, so Selenium
 * Manager never runs and nothing is downloaded. The caller adds its own flags (window size, fake audio file, …) to
 * {@link #options(Path)} and, for tests whose traffic must stay on 127.0.0.1, applies {@link #loopbackOnly}.
 *
 * <p>Needs {@code org.seleniumhq.selenium:selenium-java} on the test classpath; this module declares it optional, so
 * a module that uses this class declares it too.
 */
public final class Chromium {

    public static final Path BINARY = Path.of("/usr/bin/chromium");
    public static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    /** Headless, fake media devices with the permission prompt auto-accepted, autoplay, and no background noise. */
    public static final List<String> STANDARD_FLAGS = List.of(
            "--headless=new",
            "--no-sandbox",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            "--autoplay-policy=no-user-gesture-required",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run");

    private Chromium() {
    }

    /**
     * Null when both binaries exist; otherwise the reason to skip {@code testName}, printed loudly. With
     * {@code CI=true} a missing browser is a failure instead (throws {@link IllegalStateException}).
     */
    public static String missing(String testName) {
        boolean ci = "true".equals(System.getenv("CI"));
        for (Path p : List.of(BINARY, DRIVER)) {
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
     * Options for {@link #BINARY} with the {@link #STANDARD_FLAGS}, the profile {@code userDataDir}, the
     * {@code extraFlags}, and the browser console captured at every level (read with
     * {@code driver.manage().logs().get(LogType.BROWSER)}).
     */
    public static ChromeOptions options(Path userDataDir, String... extraFlags) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BINARY.toFile());
        List<String> flags = new ArrayList<>(STANDARD_FLAGS);
        flags.add("--user-data-dir=" + userDataDir);
        flags.addAll(List.of(extraFlags));
        options.addArguments(flags);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        return options;
    }

    /**
     * Keeps WebRTC on 127.0.0.1: {@code --allow-loopback-in-peer-connection} lets Chromium gather loopback candidates,
     * and the preference {@code webrtc.ip_handling_policy=default_public_interface_only} keeps it on one socket bound
     * to the wildcard address, whose source address towards 127.0.0.1 is 127.0.0.1. Without the preference Chromium
     * allocates from every interface, and a TURN server answers to the machine's non-loopback address.
     */
    public static ChromeOptions loopbackOnly(ChromeOptions options) {
        options.addArguments("--allow-loopback-in-peer-connection");
        options.setExperimentalOption("prefs", Map.of("webrtc.ip_handling_policy", "default_public_interface_only"));
        return options;
    }

    /** A chromedriver service builder for {@link #DRIVER} on any free port. */
    public static ChromeDriverService.Builder service() {
        return new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER.toString()))
                .usingAnyFreePort();
    }
}
