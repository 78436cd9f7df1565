package io.parkway.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS from PEM files made by the real {@code openssl}, and a renewed certificate picked up by
 * {@link SignalingServer#reloadCertificates()} for new connections; a broken file keeps the old one in use.
 */
class TlsTest {

    @Test
    void servesHttpsAndReloadsARenewedCertificate(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        selfSigned(dir, "first.parkway.test", cert, key);
        SignalingServer server = TestServers.start(TestServers.builder().tls(cert.toFile(), key.toFile()));
        try {
            int port = server.boundAddress().getPort();
            assertEquals("CN=first.parkway.test", fetch(port));

            Path renewedCert = dir.resolve("renewed-cert.pem");
            Path renewedKey = dir.resolve("renewed-key.pem");
            selfSigned(dir, "second.parkway.test", renewedCert, renewedKey);
            Files.move(renewedCert, cert, StandardCopyOption.REPLACE_EXISTING);
            Files.move(renewedKey, key, StandardCopyOption.REPLACE_EXISTING);
            assertTrue(server.reloadCertificates());
            assertEquals("CN=second.parkway.test", fetch(port));

            Files.writeString(cert, "not a certificate");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, server::reloadCertificates);
            assertTrue(e.getMessage().startsWith("tls: cannot load"), e.getMessage());
            assertEquals("CN=second.parkway.test", fetch(port), "the previous certificate stays in use");
        } finally {
            server.close();
        }
    }

    @Test
    void withoutTlsThereIsNothingToReload() {
        SignalingServer server = TestServers.start(TestServers.builder());
        try {
            assertEquals(false, server.reloadCertificates());
        } finally {
            server.close();
        }
    }

    private static void selfSigned(Path dir, String name, Path cert, Path key) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "SKIPPED: /usr/bin/openssl missing");
        Process p = new ProcessBuilder("/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=" + name,
                "-keyout", key.toString(), "-out", cert.toString())
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, output);
    }

    /** Connects over TLS, asks for the landing page, and returns the subject of the certificate presented. */
    private static String fetch(int port) throws Exception {
        X509Certificate[][] seen = new X509Certificate[1][];
        TrustManager recordAll = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                seen[0] = chain;
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {recordAll}, null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            OutputStream out = socket.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            assertTrue(status != null && status.startsWith("HTTP/1.1 200"), String.valueOf(status));
        }
        return seen[0][0].getSubjectX500Principal().getName();
    }
}
