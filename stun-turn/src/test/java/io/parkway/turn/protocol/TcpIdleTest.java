package io.parkway.turn.protocol;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parkway.turn.TurnServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Idle TCP connections without an allocation are closed; with one, the allocation's lifetime governs. */
class TcpIdleTest {

    @Test
    void silentConnectionWithoutAllocationIsClosed() {
        TurnServer server = TestServers.start(TestServers.builder().tcpIdleTimeout(Duration.ofMillis(500)));
        try (TestTurnClient idle = TestTurnClient.tcp(TestServers.tcp(server))) {
            assertTrue(idle.binding().isSuccess());
            idle.awaitClosedByServer();
        } finally {
            server.close();
        }
    }

    @Test
    void connectionWithAllocationOutlivesTheIdleTimeout() {
        TurnServer server = TestServers.start(TestServers.builder().tcpIdleTimeout(Duration.ofMillis(500)));
        try (TestTurnClient client = TestTurnClient.tcp(TestServers.tcp(server))
                .credentials(TestServers.ALICE, TestServers.ALICE_PASSWORD)) {
            client.allocateOrFail();
            client.assertNothingReceived(); // waits past the idle timeout
            client.assertNothingReceived();
            assertTrue(client.refresh().isSuccess(), "still connected");
        } finally {
            server.close();
        }
    }
}
