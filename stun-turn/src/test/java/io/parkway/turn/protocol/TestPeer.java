package io.parkway.turn.protocol;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;

/** A UDP peer of a TURN allocation: one {@link DatagramSocket} on a loopback address with an ephemeral port. */
final class TestPeer implements AutoCloseable {
    private final DatagramSocket socket;

    /** A datagram the peer received. */
    record Datagram(byte[] data, InetSocketAddress sender) {
    }

    private TestPeer(DatagramSocket socket) {
        this.socket = socket;
    }

    /** A peer on 127.0.0.1. */
    static TestPeer open() {
        return on(TestServers.LOOPBACK);
    }

    /** A peer on another loopback address such as 127.0.0.2 (Linux answers for all of 127.0.0.0/8). */
    static TestPeer on(InetAddress loopback) {
        try {
            return new TestPeer(new DatagramSocket(new InetSocketAddress(loopback, 0)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static TestPeer on(String loopback) {
        try {
            return on(InetAddress.getByName(loopback));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    void send(byte[] data, InetSocketAddress to) {
        try {
            socket.send(new DatagramPacket(data, data.length, to));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next datagram; fails the test if none arrives within {@link TestTurnClient#TIMEOUT}. */
    Datagram receive() {
        Datagram d = receive((int) TestTurnClient.TIMEOUT.toMillis());
        if (d == null) {
            fail("the peer received nothing within " + TestTurnClient.TIMEOUT);
        }
        return d;
    }

    /** Fails if a datagram arrives within {@link TestTurnClient#QUIET}. */
    void assertNothingReceived() {
        Datagram d = receive((int) TestTurnClient.QUIET.toMillis());
        assertNull(d, () -> "the peer received " + d.data().length + " bytes from " + d.sender());
    }

    private Datagram receive(int millis) {
        byte[] buf = new byte[65536];
        DatagramPacket packet = new DatagramPacket(buf, buf.length);
        try {
            socket.setSoTimeout(millis);
            socket.receive(packet);
        } catch (SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Datagram(Arrays.copyOf(buf, packet.getLength()), (InetSocketAddress) packet.getSocketAddress());
    }

    @Override
    public void close() {
        socket.close();
    }
}
