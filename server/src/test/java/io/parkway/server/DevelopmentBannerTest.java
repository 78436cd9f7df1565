package io.parkway.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parkway.turn.ListenAddress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class DevelopmentBannerTest {

    @Test
    void printsWorkingCredentialsAndCommandLines() throws Exception {
        StringWriter text = new StringWriter();
        Clock clock = Clock.fixed(Instant.ofEpochSecond(1_700_000_000), ZoneOffset.UTC);
        List<ListenAddress> bound = List.of(ListenAddress.parse("udp://127.0.0.1:3478"),
                ListenAddress.parse("tcp://[::1]:3479"));
        DevelopmentBanner.print(new PrintWriter(text), ParkwayConfig.development("dev-secret"), bound, "dev-secret",
                clock);
        String out = text.toString();
        String username = "1700086400:demo";
        String password = MainTest.hmacSha1Base64("dev-secret", username);
        assertTrue(out.contains("listening  udp://127.0.0.1:3478  tcp://[::1]:3479"), out);
        assertTrue(out.contains("username   " + username), out);
        assertTrue(out.contains("password   " + password), out);
        assertTrue(out.contains("turnutils_uclient -y -c -n 20 -u " + username + " -w " + password
                + " -p 3478 127.0.0.1"), out);
        assertTrue(out.contains("turnutils_uclient -t -y -c -n 20 -u " + username + " -w " + password
                + " -p 3479 ::1"), out);
        assertTrue(out.contains("\"turn:127.0.0.1:3478?transport=udp\", \"turn:[::1]:3479?transport=tcp\""), out);
        assertTrue(out.contains("./parkway credentials --secret dev-secret --user NAME"), out);
    }
}
