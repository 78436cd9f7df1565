package io.parkway.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpAddressTest {

    @Test
    void parsesIpv4AndIpv6WithTheirPorts() throws Exception {
        assertEquals(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 9641),
                HttpAddress.parse("http://127.0.0.1:9641").address());
        assertEquals(new InetSocketAddress(InetAddress.getByName("::1"), 9641),
                HttpAddress.parse("http://[::1]:9641/").address());
        assertEquals(0, HttpAddress.parse("HTTP://0.0.0.0:0").address().getPort());
        assertEquals(new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 80),
                HttpAddress.parse(" http://10.1.2.3:80 ").address());
    }

    @Test
    void printsWhatItParses() {
        for (String s : new String[] {"http://127.0.0.1:9641", "http://[::1]:9641", "http://0.0.0.0:0"}) {
            assertEquals(s, HttpAddress.parse(s).toString());
        }
        assertEquals(URI.create("http://[::1]:9641/metrics"), HttpAddress.parse("http://[::1]:9641").uri("/metrics"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:9641", "https://127.0.0.1:9641", "http://localhost:9641", "http://127.0.0.1",
        "http://127.0.0.1:9641/metrics", "http://user@127.0.0.1:9641", "http://127.0.0.1:9641?x", "http://127.0.0.1:99999",
        "http://::1:9641", "", "http://300.1.1.1:9641"})
    void refusesAnythingElseSayingWhatItExpects(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HttpAddress.parse(value));
        assertEquals("http address: " + value + " (expected: " + HttpAddress.EXPECTED + ")", e.getMessage());
    }
}
