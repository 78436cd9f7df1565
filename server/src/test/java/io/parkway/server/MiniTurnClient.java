package io.parkway.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.parkway.stun.StunAttribute;
import io.parkway.stun.StunClass;
import io.parkway.stun.StunMessage;
import io.parkway.stun.StunMethod;
import io.parkway.stun.StunParseException;
import io.parkway.stun.StunWriter;
import io.parkway.stun.TransactionId;
import io.parkway.turn.auth.LongTermKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A minimal blocking TURN client over UDP for the process tests (a subset of stun-turn's protocol-test client):
 * Allocate and Refresh with long-term credentials (MD5 MESSAGE-INTEGRITY, RFC 8489 section 9.2), learning REALM and
 * NONCE from a 401 or 438 and retrying once, and retransmitting each request as RFC 8489 section 6.2.1 asks of UDP
 * clients. Messages are built in {@link Unpooled} heap buffers that are released before each method returns.
 */
final class MiniTurnClient implements AutoCloseable {

    /** What a request came to: 0 for a success response, else the ERROR-CODE of the error response. */
    record Outcome(int code, InetSocketAddress relayed) {
        boolean success() {
            return code == 0;
        }
    }

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int ATTEMPTS = 7;
    private static final int RETRANSMIT_MILLIS = 500;

    private final DatagramSocket socket;
    private final InetSocketAddress server;
    private final String username;
    private final String password;
    private String realm;
    private String nonce;

    MiniTurnClient(int port, String username, String password) {
        try {
            this.socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.server = new InetSocketAddress(LOOPBACK, port);
        this.username = username;
        this.password = password;
    }

    /** Allocate with REQUESTED-TRANSPORT UDP (RFC 8656 section 7.1). */
    Outcome allocate() {
        return request(StunMethod.ALLOCATE, w -> w.uint32(StunAttribute.REQUESTED_TRANSPORT, 17L << 24));
    }

    /** Refresh with this LIFETIME; 0 deletes the allocation (RFC 8656 section 8). */
    Outcome refresh(long lifetime) {
        return request(StunMethod.REFRESH, w -> w.uint32(StunAttribute.LIFETIME, lifetime));
    }

    private Outcome request(int method, Consumer<StunWriter> attributes) {
        Outcome last = null;
        for (int round = 0; round < 3; round++) {
            boolean authenticate = nonce != null;
            TransactionId id = TransactionId.random();
            byte[] response = transact(encode(method, id, attributes, authenticate), id);
            ByteBuf buf = Unpooled.wrappedBuffer(response);
            try {
                StunMessage m = StunMessage.decode(buf);
                if (m.messageClass() == StunClass.SUCCESS_RESPONSE) {
                    return new Outcome(0, m.address(StunAttribute.XOR_RELAYED_ADDRESS));
                }
                int code = m.errorCode();
                last = new Outcome(code, null);
                boolean retry = (code == 401 && !authenticate) || code == 438;
                if (!retry || m.string(StunAttribute.NONCE) == null) {
                    return last;
                }
                realm = m.string(StunAttribute.REALM) != null ? m.string(StunAttribute.REALM) : realm;
                nonce = m.string(StunAttribute.NONCE);
            } catch (StunParseException e) {
                throw new AssertionError("unparseable response " + ByteBufUtil.hexDump(response), e);
            } finally {
                buf.release();
            }
        }
        return last;
    }

    private byte[] encode(int method, TransactionId id, Consumer<StunWriter> attributes, boolean authenticate) {
        ByteBuf buf = Unpooled.buffer(256);
        try {
            StunWriter w = StunWriter.begin(buf, method, StunClass.REQUEST, id);
            attributes.accept(w);
            if (authenticate) {
                w.string(StunAttribute.USERNAME, username).string(StunAttribute.REALM, realm)
                        .string(StunAttribute.NONCE, nonce)
                        .messageIntegrity(LongTermKey.md5(username, realm, password));
            }
            w.fingerprint();
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    /** Sends {@code request} until the response with transaction {@code id} arrives. */
    private byte[] transact(byte[] request, TransactionId id) {
        byte[] buffer = new byte[2048];
        byte[] expected = id.toBytes();
        try {
            socket.setSoTimeout(RETRANSMIT_MILLIS);
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                socket.send(new DatagramPacket(request, request.length, server));
                long deadline = System.nanoTime() + RETRANSMIT_MILLIS * 1_000_000L;
                while (System.nanoTime() < deadline) {
                    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                    try {
                        socket.receive(packet);
                    } catch (SocketTimeoutException e) {
                        break;
                    }
                    byte[] bytes = Arrays.copyOf(buffer, packet.getLength());
                    if (bytes.length >= 20 && (bytes[0] & 0xc0) == 0
                            && Arrays.equals(expected, Arrays.copyOfRange(bytes, 8, 20))) {
                        return bytes;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("no response from " + server + " after " + ATTEMPTS + " attempts");
    }

    @Override
    public void close() {
        socket.close();
    }
}
