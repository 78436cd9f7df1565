package io.parkway.turn.protocol;

import io.parkway.turn.IpRange;
import io.parkway.turn.ListenAddress;
import io.parkway.turn.PeerPolicy;
import io.parkway.turn.TurnServer;
import io.parkway.turn.TurnServerBuilder;
import io.parkway.turn.TurnTransport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.List;

/** The servers of the protocol tests: UDP and TCP listeners on 127.0.0.1 with ephemeral ports. */
final class TestServers {
    static final String REALM = "parkway.test";
    static final InetAddress LOOPBACK = address(127, 0, 0, 1);
    static final String ALICE = "alice";
    static final String ALICE_PASSWORD = "wonderland";
    static final String BOB = "bob";
    static final String BOB_PASSWORD = "builder";
    static final String REST_SECRET = "s3cret";
    /** Peers live on loopback, which the default peer policy denies: the tests allow it back. */
    static final PeerPolicy ALLOW_LOOPBACK = PeerPolicy.builder().allow(IpRange.parse("127.0.0.0/8")).build();

    private TestServers() {
    }

    /**
     * A builder with the test defaults: two static users, one REST secret, loopback peers allowed, and a per-user
     * quota high enough that the tests of one class never meet it.
     */
    static TurnServerBuilder builder(Clock clock) {
        return TurnServer.builder()
                .realm(REALM)
                .listen(ListenAddress.parse("udp://127.0.0.1:0"))
                .listen(ListenAddress.parse("tcp://127.0.0.1:0"))
                .relayAddress(LOOPBACK)
                .user(ALICE, ALICE_PASSWORD)
                .user(BOB, BOB_PASSWORD)
                .restSecrets(List.of(REST_SECRET))
                .peerPolicy(ALLOW_LOOPBACK)
                .allocationsPerUser(1000)
                .allocationsPerRestCredential(1000)
                .clock(clock);
    }

    static TurnServerBuilder builder() {
        return builder(Clock.systemUTC());
    }

    static TurnServer start(TurnServerBuilder builder) {
        try {
            return builder.build().start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static InetSocketAddress udp(TurnServer server) {
        return bound(server, TurnTransport.UDP);
    }

    static InetSocketAddress tcp(TurnServer server) {
        return bound(server, TurnTransport.TCP);
    }

    /** A UDP client of {@code server} with alice's credentials. */
    static TestTurnClient alice(TurnServer server) {
        return TestTurnClient.udp(udp(server)).credentials(ALICE, ALICE_PASSWORD);
    }

    static TestTurnClient bob(TurnServer server) {
        return TestTurnClient.udp(udp(server)).credentials(BOB, BOB_PASSWORD);
    }

    private static InetSocketAddress bound(TurnServer server, TurnTransport transport) {
        return server.boundAddresses().stream()
                .filter(a -> a.transport() == transport)
                .map(ListenAddress::address)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + transport + " listener"));
    }

    static InetAddress address(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static InetSocketAddress socketAddress(String ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(ip), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] payload(int length, int seed) {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = (byte) (seed + 31 * i);
        }
        return data;
    }
}
