package io.parkway.turn.protocol;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parkway.stun.StunAttribute;
import io.parkway.stun.StunClass;
import io.parkway.stun.StunMethod;
import io.parkway.stun.TransactionId;
import io.parkway.turn.TurnServer;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Datagrams that are neither valid STUN (RFC 8489 section 6.3: "silently discarded") nor valid ChannelData (RFC 8656
 * section 12.4) get no response, are counted, and leave the server answering.
 */
class MalformedPacketTest {
    private static TurnServer server;

    @BeforeAll
    static void startServer() {
        server = TestServers.start(TestServers.builder());
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private static byte[] bindingRequest() {
        return TestTurnClient.message(StunMethod.BINDING, StunClass.REQUEST, TransactionId.random(),
                w -> w.string(StunAttribute.SOFTWARE, "test"));
    }

    static Stream<Arguments> malformed() {
        byte[] valid = bindingRequest();
        byte[] badFingerprint = valid.clone();
        badFingerprint[badFingerprint.length - 1] ^= 0x01;
        byte[] truncated = Arrays.copyOf(valid, valid.length - 8); // the header still counts the FINGERPRINT
        byte[] badCookie = valid.clone();
        badCookie[4] ^= 0x10;
        byte[] oddLength = valid.clone();
        oddLength[3] += 2;
        byte[] garbage = new byte[48];
        Arrays.fill(garbage, (byte) 0xa5);
        return Stream.of(
                Arguments.of("garbage", garbage),
                Arguments.of("three bytes", new byte[] {0, 1, 0}),
                Arguments.of("truncated STUN", truncated),
                Arguments.of("header only, length 16", Arrays.copyOf(valid, 20)),
                Arguments.of("bad FINGERPRINT", badFingerprint),
                Arguments.of("bad magic cookie", badCookie),
                Arguments.of("length not a multiple of 4", oddLength),
                Arguments.of("ChannelData longer than the datagram", new byte[] {0x40, 0x00, 0x00, 0x64, 1, 2, 3, 4}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedDatagramGetsNoResponseAndIsCounted(String name, byte[] datagram) {
        try (TestTurnClient client = TestServers.alice(server)) {
            long malformed = server.stats().malformedDropped();

            client.sendRaw(datagram);

            await().atMost(Duration.ofSeconds(3)).until(() -> server.stats().malformedDropped() > malformed);
            client.assertNothingReceived();
            StunPacket binding = client.binding();
            assertTrue(binding.isSuccess(), "still answering after " + name + ": " + binding);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedDatagramNextToAnAllocationLeavesItWorking(String name, byte[] datagram) {
        try (TestTurnClient client = TestServers.alice(server); TestPeer peer = TestPeer.open()) {
            client.allocateOrFail();
            client.channelBindOrFail(0x4000, peer.address());
            long malformed = server.stats().malformedDropped();

            client.sendRaw(datagram);

            await().atMost(Duration.ofSeconds(3)).until(() -> server.stats().malformedDropped() > malformed);
            client.sendChannelData(0x4000, new byte[] {42});
            assertTrue(Arrays.equals(new byte[] {42}, peer.receive().data()), name);
        }
    }
}
