package io.parkway.server.park;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.parkway.testing.Chromium;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * One Chromium, driven from inside a network namespace: the test starts {@code ip netns exec NS java -cp … BrowserAgent
 * --wav FILE --profile DIR [--secure-origin URL]}, because a chromedriver started in a namespace listens on that
 * namespace's loopback, which the test's JVM (in the root namespace) cannot reach. The agent starts chromedriver and
 * Chromium locally, serves this test's own pages (classpath {@code /park/}) on the namespace's 127.0.0.1, and obeys
 * commands on stdin, one JSON object a line, answering each on stdout with one line {@code @@park {"id":…,"ok":…,
 * "value"|"error":…}} (other stdout lines are noise from libraries). Commands ({@code op}): {@code get} (url),
 * {@code js} and {@code async} (script, as Selenium's executeScript / executeAsyncScript), {@code click} (css or
 * button text), {@code screenshot} (file), {@code console} (browser log), {@code quit}. End of stdin also quits, so a
 * dying test leaves no browser behind.
 */
public final class BrowserAgent {

    static final String PREFIX = "@@park ";
    private static final ObjectMapper JSON = new ObjectMapper();

    private BrowserAgent() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, UTF_8);
        // Libraries that print to System.out would interleave with replies: they get stderr instead.
        System.setOut(System.err);
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        http.createContext("/park/", BrowserAgent::serveResource);
        http.start();
        ChromeDriver driver = null;
        try {
            driver = startDriver(options);
            out.println(PREFIX + JSON.writeValueAsString(Map.of("ready", true,
                    "pages", "http://127.0.0.1:" + http.getAddress().getPort() + "/park/")));
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode command = JSON.readTree(line);
                ObjectNode reply = JSON.createObjectNode();
                reply.set("id", command.get("id"));
                String op = command.path("op").asText();
                try {
                    Object value = execute(driver, op, command);
                    reply.put("ok", true);
                    reply.set("value", JSON.valueToTree(value));
                } catch (RuntimeException | IOException e) {
                    reply.put("ok", false);
                    reply.put("error", e.toString());
                }
                out.println(PREFIX + JSON.writeValueAsString(reply));
                if (op.equals("quit")) {
                    break;
                }
            }
        } finally {
            if (driver != null) {
                try {
                    driver.quit();
                } catch (RuntimeException e) {
                    System.err.println("BrowserAgent: quit: " + e);
                }
            }
            http.stop(0);
        }
        System.exit(0); // Selenium's HTTP client threads are not daemons
    }

    private static Object execute(ChromeDriver driver, String op, JsonNode command) throws IOException {
        switch (op) {
            case "get" -> {
                driver.get(command.path("url").asText());
                return null;
            }
            case "js" -> {
                return driver.executeScript(command.path("script").asText());
            }
            case "async" -> {
                return driver.executeAsyncScript(command.path("script").asText());
            }
            case "click" -> {
                if (command.hasNonNull("css")) {
                    driver.findElement(By.cssSelector(command.get("css").asText())).click();
                } else {
                    String text = command.path("text").asText();
                    driver.findElement(By.xpath("//button[normalize-space()='" + text + "']")).click();
                }
                return null;
            }
            case "screenshot" -> {
                Path file = Path.of(command.path("file").asText());
                Files.createDirectories(file.toAbsolutePath().getParent());
                Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
                return file.toString();
            }
            case "console" -> {
                List<String> lines = new ArrayList<>();
                for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
                    lines.add(entry.toString());
                }
                return lines;
            }
            case "quit" -> {
                return null;
            }
            default -> throw new IllegalArgumentException("op: " + op
                    + " (expected: get, js, async, click, screenshot, console or quit)");
        }
    }

    private static ChromeDriver startDriver(Map<String, String> options) {
        // Explicit paths: Selenium Manager never runs. Not Chromium.loopbackOnly: in its namespace this browser is a
        // listener on a carrier network, whose candidates are the namespace's own addresses.
        List<String> flags = new ArrayList<>(List.of("--window-size=1100,900"));
        if (options.containsKey("wav")) {
            flags.add("--use-file-for-fake-audio-capture=" + options.get("wav"));
        }
        if (options.containsKey("secure-origin")) {
            // Parkway's signaling serves the demo over plain http on a public address: not a secure context, so no
            // getUserMedia unless Chromium is told to treat that one origin as secure.
            flags.add("--unsafely-treat-insecure-origin-as-secure=" + options.get("secure-origin"));
        }
        ChromeOptions chrome = Chromium.options(Path.of(options.get("profile")), flags.toArray(String[]::new));
        ChromeDriverService service = Chromium.service()
                .withLogOutput(OutputStream.nullOutputStream())
                .build();
        ChromeDriver driver = new ChromeDriver(service, chrome);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
        return driver;
    }

    private static void serveResource(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (path.contains("..")) {
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            byte[] body;
            try (InputStream in = BrowserAgent.class.getResourceAsStream(path)) {
                if (in == null) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                body = in.readAllBytes();
            }
            exchange.getResponseHeaders().set("Content-Type",
                    path.endsWith(".html") ? "text/html; charset=utf-8" : "text/javascript; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        }
    }
}
