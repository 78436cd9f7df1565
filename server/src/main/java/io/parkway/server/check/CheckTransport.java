package io.parkway.server.check;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;

/**
 * The socket of one {@link TurnCheckClient}: a connected UDP socket, or a TCP connection framed as RFC 8656 section
 * 12.5 describes (https://datatracker.ietf.org/doc/html/rfc8656#section-12.5): STUN messages by their header length,
 * ChannelData messages by theirs, padded to a multiple of 4 bytes.
 *
 * <p>Blocking, one thread; every read is bounded by a deadline on {@link System#nanoTime()}.
 */
abstract class CheckTransport implements AutoCloseable {
    /** Largest datagram read; more than any path MTU. */
    static final int MAX_DATAGRAM = 65_535;

    /** A UDP socket on the wildcard address with an ephemeral port, connected to {@code server}. */
    static CheckTransport udp(InetSocketAddress server) throws IOException {
        DatagramSocket socket = new DatagramSocket();
        try {
            socket.connect(server);
            return new Udp(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** A TCP connection to {@code server}, established within {@code connectTimeoutMillis}. */
    static CheckTransport tcp(InetSocketAddress server, int connectTimeoutMillis) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(server, connectTimeoutMillis);
            return new Tcp(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Whether the transport delivers reliably, so that requests are sent once (RFC 8489 section 6.2.2). */
    abstract boolean reliable();

    /** "udp" or "tcp". */
    abstract String name();

    abstract InetSocketAddress localAddress();

    /** Sends one STUN message or one ChannelData message (padded over TCP by the caller's framing rules). */
    abstract void send(byte[] message) throws IOException;

    /**
     * The next message, or null once {@code deadlineNanos} has passed.
     *
     * @throws PortUnreachableException (UDP) when the server's host answered a datagram with ICMP port unreachable
     */
    abstract byte[] receive(long deadlineNanos) throws IOException;

    @Override
    public abstract void close();

    /** Milliseconds left until {@code deadlineNanos}, at least 1 (0 would mean "forever" to SO_TIMEOUT). */
    static int remainingMillis(long deadlineNanos) {
        long left = (deadlineNanos - System.nanoTime() + 999_999) / 1_000_000;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, left));
    }

    private static final class Udp extends CheckTransport {
        private final DatagramSocket socket;
        private final byte[] buffer = new byte[MAX_DATAGRAM];

        Udp(DatagramSocket socket) {
            this.socket = socket;
        }

        @Override
        boolean reliable() {
            return false;
        }

        @Override
        String name() {
            return "udp";
        }

        @Override
        InetSocketAddress localAddress() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        @Override
        void send(byte[] message) throws IOException {
            socket.send(new DatagramPacket(message, message.length));
        }

        @Override
        byte[] receive(long deadlineNanos) throws IOException {
            if (deadlineNanos - System.nanoTime() <= 0) {
                return null;
            }
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            socket.setSoTimeout(remainingMillis(deadlineNanos));
            try {
                socket.receive(packet);
            } catch (SocketTimeoutException e) {
                return null;
            }
            return Arrays.copyOf(buffer, packet.getLength());
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    private static final class Tcp extends CheckTransport {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        /** Bytes read but not yet returned as a whole message. */
        private byte[] pending = new byte[4096];
        private int pendingLength;

        Tcp(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        @Override
        boolean reliable() {
            return true;
        }

        @Override
        String name() {
            return "tcp";
        }

        @Override
        InetSocketAddress localAddress() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        @Override
        void send(byte[] message) throws IOException {
            out.write(message);
            out.flush();
        }

        @Override
        byte[] receive(long deadlineNanos) throws IOException {
            while (true) {
                int length = frameLength();
                if (length > 0 && pendingLength >= length) {
                    byte[] message = Arrays.copyOf(pending, length);
                    System.arraycopy(pending, length, pending, 0, pendingLength - length);
                    pendingLength -= length;
                    return message;
                }
                if (deadlineNanos - System.nanoTime() <= 0) {
                    return null;
                }
                if (pending.length - pendingLength < 1500) {
                    pending = Arrays.copyOf(pending, pending.length * 2);
                }
                socket.setSoTimeout(remainingMillis(deadlineNanos));
                int n;
                try {
                    n = in.read(pending, pendingLength, pending.length - pendingLength);
                } catch (SocketTimeoutException e) {
                    return null;
                }
                if (n < 0) {
                    throw new IOException("the server closed the TCP connection");
                }
                pendingLength += n;
            }
        }

        /**
         * The length of the message at the head of {@link #pending}, padding included, or 0 when its header is not
         * complete yet: a STUN message is its 20-byte header plus the length field; ChannelData is 4 bytes plus the
         * length field rounded up to 4 (RFC 8656 section 12.5).
         */
        private int frameLength() throws IOException {
            if (pendingLength < 4) {
                return 0;
            }
            int kind = pending[0] & 0xc0;
            int length = (pending[2] & 0xff) << 8 | (pending[3] & 0xff);
            if (kind == 0x00) {
                return 20 + length;
            }
            if (kind == 0x40) {
                return 4 + ((length + 3) & ~3);
            }
            throw new IOException(String.format(
                    "TCP stream from the server: first byte 0x%02x (expected: a STUN or ChannelData message)",
                    pending[0] & 0xff));
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // Nothing left to do with a socket that fails to close.
            }
        }
    }
}
