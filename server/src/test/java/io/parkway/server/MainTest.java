package io.parkway.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line, run in-process through {@link Main#run}. */
class MainTest {

    private static final Pattern CREDENTIALS = Pattern.compile("username=((\\d+):bob)\npassword=(\\S+)\n");

    @Test
    void credentialsPrintsUsernameAndPasswordInCoturnsRestFormat() throws Exception {
        long before = Instant.now().getEpochSecond();
        Result r = run("credentials", "--secret", "s3cret", "--user", "bob");
        long after = Instant.now().getEpochSecond();
        assertEquals(0, r.code, r.err);
        Matcher m = CREDENTIALS.matcher(r.out);
        assertTrue(m.matches(), "exactly two lines, username=EXPIRY:USER and password=...: " + r.out);
        long expiry = Long.parseLong(m.group(2));
        assertTrue(expiry >= before + 86_400 && expiry <= after + 86_400, "expiry one day ahead: " + expiry);
        assertEquals(hmacSha1Base64("s3cret", m.group(1)), m.group(3));
        assertEquals("", r.err);
    }

    @Test
    void credentialsTtl() throws Exception {
        long before = Instant.now().getEpochSecond();
        Result r = run("credentials", "--secret", "other", "--user", "bob", "--ttl", "60");
        assertEquals(0, r.code, r.err);
        Matcher m = CREDENTIALS.matcher(r.out);
        assertTrue(m.matches(), r.out);
        long expiry = Long.parseLong(m.group(2));
        assertTrue(expiry >= before + 60 && expiry <= before + 62, "expiry: " + expiry);
        assertEquals(hmacSha1Base64("other", m.group(1)), m.group(3));
    }

    @Test
    void credentialsUsageErrors() {
        Result r = run("credentials", "--user", "bob");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("--secret"), r.err);
        assertEquals("", r.out);

        r = run("credentials", "--secret", "s", "--user", "bob", "--ttl", "0");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("--ttl: 0 (expected: >= 1 second)"), r.err);

        r = run("credentials", "--secret", "s", "--user", "bob", "--ttl", "soon");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("soon"), r.err);
    }

    @Test
    void version() {
        Result r = run("version");
        assertEquals(0, r.code, r.err);
        assertEquals("parkway dev\n", r.out); // classes, not the jar: no Implementation-Version
        assertEquals("parkway dev\n", run("--version").out);
    }

    @Test
    void noCommandOrUnknownCommandIsAUsageError() {
        Result r = run();
        assertEquals(2, r.code);
        assertTrue(r.err.contains("Usage: parkway"), r.err);
        r = run("frobnicate");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("frobnicate"), r.err);
    }

    @Test
    void helpListsTheCommands() {
        Result r = run("--help");
        assertEquals(0, r.code);
        assertTrue(r.out.contains("serve") && r.out.contains("credentials") && r.out.contains("version"), r.out);
        r = run("help", "serve");
        assertTrue(r.out.contains("--config") && r.out.contains("embedded development defaults"), r.out);
        assertTrue(r.out.contains("conf/parkway.yaml") && r.out.contains("/etc/parkway/parkway.yaml")
                && r.out.contains("PARKWAY_TURN_REST_SECRETS") && r.out.contains("SIGHUP"), r.out);
    }

    @Test
    void serveWithBadConfigExitsWithCode2AndEveryProblem(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), """
                turn:
                  listen: [ "udp://127.0.0.1:0" ]
                  relay: { ports: 70000-80000 }
                  peers: { allow: [ nonsense ] }
                  colour: blue
                """);
        Result r = run("serve", "--config", bad.toString());
        assertEquals(2, r.code, r.out + r.err);
        assertTrue(r.err.contains("invalid configuration " + bad + " (3 problems):"), r.err);
        assertTrue(r.err.contains("turn.relay.ports: 70000-80000 (expected: MIN-MAX within 1-65535)"), r.err);
        assertTrue(r.err.contains("turn.peers.allow[0]: nonsense"), r.err);
        assertTrue(r.err.contains("turn.colour: unknown key"), r.err);
        assertEquals("", r.out);
    }

    @Test
    void serveWithMissingConfigExitsWithCode2(@TempDir Path dir) {
        Path missing = dir.resolve("missing.yaml");
        Result r = run("serve", "--config", missing.toString());
        assertEquals(2, r.code);
        assertTrue(r.err.contains("config file: " + missing + " (expected: an existing file)"), r.err);
    }

    @Test
    void serveExitsWithCode1WhenAnAddressIsTaken(@TempDir Path dir) throws Exception {
        try (DatagramSocket taken = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Path config = Files.writeString(dir.resolve("taken.yaml"),
                    "turn: { listen: [ \"udp://127.0.0.1:" + taken.getLocalPort() + "\" ] }\n");
            Result r = run("serve", "--config", config.toString());
            assertEquals(1, r.code, r.out + r.err);
            String expected = "parkway: cannot start on udp://127.0.0.1:" + taken.getLocalPort() + ": ";
            assertTrue(r.err.startsWith(expected), r.err);
        }
    }

    @Test
    void configToStringRedactsSecrets() throws Exception {
        String text = ConfigLoader.load(ConfigLoaderTest.SHIPPED).toString();
        assertTrue(text.contains("alice") && !text.contains("wonderland") && !text.contains("s3cret"), text);
    }

    static String hmacSha1Base64(String secret, String username) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(secret.getBytes(UTF_8), "HmacSHA1"));
        return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(UTF_8)));
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8));
        return new Result(code, out.toString(UTF_8), err.toString(UTF_8));
    }

    private record Result(int code, String out, String err) {
    }
}
