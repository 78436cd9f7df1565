package io.parkway.server.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parkway.server.check.CheckAddresses.HostPort;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class CheckAddressesTest {

    @Test
    void parsesServer() {
        assertEquals(new HostPort("203.0.113.5", 3478), CheckAddresses.parseServer("203.0.113.5"));
        assertEquals(new HostPort("203.0.113.5", 443), CheckAddresses.parseServer("203.0.113.5:443"));
        assertEquals(new HostPort("turn.example.com", 3478), CheckAddresses.parseServer("turn.example.com"));
        assertEquals(new HostPort("turn.example.com", 5000), CheckAddresses.parseServer(" turn.example.com:5000 "));
        assertEquals(new HostPort("2001:db8::1", 3478), CheckAddresses.parseServer("2001:db8::1"));
        assertEquals(new HostPort("2001:db8::1", 3479), CheckAddresses.parseServer("[2001:db8::1]:3479"));
        assertEquals(new HostPort("::1", 3478), CheckAddresses.parseServer("[::1]"));
        assertEquals("[2001:db8::1]:3479", CheckAddresses.parseServer("[2001:db8::1]:3479").toString());
        assertTrue(CheckAddresses.parseServer("[::1]").isLiteral());
        assertFalse(CheckAddresses.parseServer("localhost").isLiteral());
    }

    @Test
    void rejectsBadServers() {
        for (String bad : new String[] {"", ":3478", "host:", "host:0", "host:65536", "host:x", "[::1", "[::1]x",
                "[nonsense]:1", "a:b:c", "host name", "host/path"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> CheckAddresses.parseServer(bad), bad);
            assertTrue(e.getMessage().startsWith("--server: " + bad), e.getMessage());
        }
    }

    @Test
    void privateAndPublicAddresses() throws Exception {
        for (String p : new String[] {"10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1", "100.127.255.254",
                "127.0.0.1", "169.254.1.1", "0.0.0.0", "::1", "fe80::1", "fd00::1", "fc00::1", "::"}) {
            assertTrue(CheckAddresses.isPrivate(InetAddress.getByName(p)), p);
        }
        for (String p : new String[] {"203.0.113.5", "8.8.8.8", "100.128.0.1", "172.32.0.1", "2001:db8::1"}) {
            assertFalse(CheckAddresses.isPrivate(InetAddress.getByName(p)), p);
        }
    }

    @Test
    void printableReplacesControlCharacters() {
        assertEquals("bad?name?", CheckAddresses.printable("bad\u001bname\n"));
        assertEquals("Parkway 1.0", CheckAddresses.printable("Parkway 1.0"));
    }
}
