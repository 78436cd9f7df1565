package io.parkway.turn.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.parkway.stun.ChannelData;
import io.parkway.stun.StunAttribute;
import io.parkway.stun.StunClass;
import io.parkway.stun.StunMethod;
import io.parkway.stun.StunParseException;
import io.parkway.stun.StunWriter;
import io.parkway.stun.TransactionId;
import io.parkway.turn.auth.LongTermKey;
import io.parkway.turn.auth.OpaqueString;
import io.parkway.turn.auth.PasswordAlgorithm;
import io.parkway.turn.auth.UserHash;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A small blocking TURN client for the protocol tests: one {@link DatagramSocket} or {@link Socket} on 127.0.0.1,
 * reads bounded by SO_TIMEOUT, messages built with the project's {@link StunWriter} in {@link Unpooled} heap buffers
 * that are released before each method returns.
 *
 * <p>It does what a real long-term-credential client does (RFC 8489 section 9.2.5): the first request goes without
 * credentials; a 401 teaches it REALM, NONCE and the offered PASSWORD-ALGORITHMS and it retries once with USERNAME
 * (or USERHASH), REALM, NONCE and MESSAGE-INTEGRITY (MD5 key) or PASSWORD-ALGORITHMS + PASSWORD-ALGORITHM +
 * MESSAGE-INTEGRITY-SHA256 (SHA-256 key); a 438 teaches it a fresh nonce and it retries. Over TCP it frames the stream
 * itself, ChannelData padded to 4 bytes (RFC 8656 section 12.5).
 *
 * <p>Packets that arrive while it waits for a response (Data indications, ChannelData) are kept, in order, for
 * {@link #receive}. Not thread-safe: one test thread drives it.
 */
final class TestTurnClient implements AutoCloseable {
    /** How long a response or an expected packet may take; generous, only a failing test waits this long. */
    static final Duration TIMEOUT = Duration.ofSeconds(3);
    /** How long a test listens to conclude that nothing arrives. */
    static final Duration QUIET = Duration.ofMillis(300);
    /** REQUESTED-TRANSPORT protocol numbers (RFC 8656 section 18.8). */
    static final int UDP = 17;
    static final int TCP = 6;

    private static final InetAddress LOOPBACK = TestServers.LOOPBACK;

    private final InetSocketAddress server;
    private final DatagramSocket udp;
    private final Socket tcp;
    private final DataInputStream in;
    private final OutputStream out;
    private final ArrayDeque<Object> backlog = new ArrayDeque<>();

    private String username;
    private String password;
    private PasswordAlgorithm algorithm = PasswordAlgorithm.MD5;
    private boolean userHash;
    /** When set, sent as PASSWORD-ALGORITHMS instead of what the server offered; empty array leaves it out. */
    private byte[] algorithmsOverride;
    private String realm;
    private String nonce;
    private byte[] offeredAlgorithms;
    private InetSocketAddress relayedAddress;

    private TestTurnClient(InetSocketAddress server, DatagramSocket udp, Socket tcp) throws IOException {
        this.server = server;
        this.udp = udp;
        this.tcp = tcp;
        this.in = tcp == null ? null : new DataInputStream(tcp.getInputStream());
        this.out = tcp == null ? null : tcp.getOutputStream();
    }

    /** A UDP client on 127.0.0.1 with an ephemeral port. */
    static TestTurnClient udp(InetSocketAddress server) {
        try {
            return new TestTurnClient(server, new DatagramSocket(new InetSocketAddress(LOOPBACK, 0)), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A TCP client connected from 127.0.0.1. */
    static TestTurnClient tcp(InetSocketAddress server) {
        try {
            Socket socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.bind(new InetSocketAddress(LOOPBACK, 0));
            socket.connect(server, (int) TIMEOUT.toMillis());
            return new TestTurnClient(server, null, socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- credentials

    /** Long-term credentials for the requests that need them; keeps the realm and nonce already learnt. */
    TestTurnClient credentials(String username, String password) {
        this.username = username;
        this.password = password;
        return this;
    }

    /** MD5 (MESSAGE-INTEGRITY) or SHA-256 (PASSWORD-ALGORITHM + MESSAGE-INTEGRITY-SHA256). */
    TestTurnClient passwordAlgorithm(PasswordAlgorithm algorithm) {
        this.algorithm = algorithm;
        return this;
    }

    /** Sends USERHASH instead of USERNAME (RFC 8489 section 14.4). */
    TestTurnClient useUserHash(boolean userHash) {
        this.userHash = userHash;
        return this;
    }

    /**
     * Sends these (code, empty parameters) pairs as PASSWORD-ALGORITHMS instead of echoing the server's offer, to
     * test the server's check; no codes leaves the attribute out.
     */
    TestTurnClient echoPasswordAlgorithms(int... codes) {
        byte[] value = new byte[codes.length * 4];
        for (int i = 0; i < codes.length; i++) {
            value[4 * i] = (byte) (codes[i] >>> 8);
            value[4 * i + 1] = (byte) codes[i];
        }
        this.algorithmsOverride = value;
        return this;
    }

    String realm() {
        return realm;
    }

    String nonce() {
        return nonce;
    }

    /** Replaces the nonce the next authenticated request carries. */
    void nonce(String nonce) {
        this.nonce = nonce;
    }

    /** The long-term key of the current credentials, realm and algorithm (RFC 8489 section 9.2.2). */
    byte[] key() {
        if (realm == null) {
            throw new IllegalStateException("no realm learnt yet: send a request first");
        }
        String user = OpaqueString.apply(username);
        return algorithm == PasswordAlgorithm.SHA256
                ? LongTermKey.sha256(user, realm, password)
                : LongTermKey.md5(user, realm, password);
    }

    /** Whether a response carries the integrity attribute this client's requests use, valid with its key. */
    boolean verifies(StunPacket response) {
        return algorithm == PasswordAlgorithm.SHA256
                ? response.verifiesIntegritySha256(key())
                : response.verifiesIntegrity(key());
    }

    /** Takes REALM, NONCE and PASSWORD-ALGORITHMS from a 401 or 438. */
    void learn(StunPacket challenge) {
        String r = challenge.string(StunAttribute.REALM);
        if (r != null) {
            realm = r;
        }
        String n = challenge.string(StunAttribute.NONCE);
        if (n != null) {
            nonce = n;
        }
        byte[] algorithms = challenge.bytes(StunAttribute.PASSWORD_ALGORITHMS);
        if (algorithms != null) {
            offeredAlgorithms = algorithms;
        }
    }

    /**
     * Gets a challenge without side effects (an unauthenticated Refresh is answered 401 before any allocation
     * check) and learns from it.
     */
    StunPacket learnNonce() {
        StunPacket challenge = transact(TransactionId.random(), StunMethod.REFRESH, w -> { }, false);
        assertEquals(401, challenge.errorCode(), () -> "challenge: " + challenge);
        learn(challenge);
        return challenge;
    }

    // ---------------------------------------------------------------- requests

    /**
     * Sends a request the way a real client does: with credentials once a realm and nonce are known, retrying once
     * after a 401 to an unauthenticated attempt and after each 438 (at most twice in all). Returns the last response.
     */
    StunPacket request(int method, Consumer<StunWriter> attributes) {
        boolean authenticated = username != null && realm != null && nonce != null;
        StunPacket response = transact(TransactionId.random(), method, attributes, authenticated);
        for (int retry = 0; retry < 2 && username != null && response.isError(); retry++) {
            int code = response.errorCode();
            boolean again = (code == 401 && !authenticated) || code == 438;
            if (!again || !response.has(StunAttribute.NONCE)) {
                break;
            }
            learn(response);
            authenticated = true;
            response = transact(TransactionId.random(), method, attributes, true);
        }
        return response;
    }

    /** One request without credentials, without retries. */
    StunPacket requestWithoutCredentials(int method, Consumer<StunWriter> attributes) {
        return transact(TransactionId.random(), method, attributes, false);
    }

    /** Sends one request with this transaction ID and waits for its response; no retries. */
    StunPacket transact(TransactionId id, int method, Consumer<StunWriter> attributes, boolean authenticate) {
        sendRaw(encode(method, StunClass.REQUEST, id, attributes, authenticate));
        return awaitResponse(id);
    }

    /** Encodes a message: the attributes, then credentials and integrity when asked, then FINGERPRINT. */
    byte[] encode(int method, StunClass cls, TransactionId id, Consumer<StunWriter> attributes,
            boolean authenticate) {
        return message(method, cls, id, authenticate ? attributes.andThen(this::appendCredentials) : attributes);
    }

    /** Encodes a message without credentials: the attributes, then FINGERPRINT. */
    static byte[] message(int method, StunClass cls, TransactionId id, Consumer<StunWriter> attributes) {
        ByteBuf buf = Unpooled.buffer(256);
        try {
            StunWriter w = StunWriter.begin(buf, method, cls, id);
            attributes.accept(w);
            w.fingerprint();
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    private void appendCredentials(StunWriter w) {
        if (userHash) {
            w.bytes(StunAttribute.USERHASH, UserHash.of(username, realm));
        } else {
            w.string(StunAttribute.USERNAME, OpaqueString.apply(username));
        }
        w.string(StunAttribute.REALM, realm).string(StunAttribute.NONCE, nonce);
        byte[] algorithms = algorithmsOverride != null ? algorithmsOverride : offeredAlgorithms;
        if (algorithm == PasswordAlgorithm.SHA256) {
            if (algorithms != null && algorithms.length > 0) {
                w.bytes(StunAttribute.PASSWORD_ALGORITHMS, algorithms);
            }
            int code = PasswordAlgorithm.SHA256.code();
            w.bytes(StunAttribute.PASSWORD_ALGORITHM, new byte[] {(byte) (code >>> 8), (byte) code, 0, 0});
            w.messageIntegritySha256(key());
        } else {
            if (algorithmsOverride != null && algorithmsOverride.length > 0) {
                w.bytes(StunAttribute.PASSWORD_ALGORITHMS, algorithmsOverride);
            }
            w.messageIntegrity(key());
        }
    }

    /** Waits for the response with this transaction ID, keeping whatever else arrives for {@link #receive}. */
    StunPacket awaitResponse(TransactionId id) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        for (long left; (left = deadline - System.nanoTime()) > 0; ) {
            Object packet = read(Duration.ofNanos(left));
            if (packet instanceof StunPacket stun && stun.isResponse() && stun.transactionId().equals(id)) {
                return stun;
            }
            if (packet != null) {
                backlog.add(packet);
            }
        }
        throw new AssertionError("no response to transaction " + id + " within " + TIMEOUT);
    }

    // ---------------------------------------------------------------- TURN

    /** Allocate with REQUESTED-TRANSPORT UDP plus {@code extra}; remembers the relayed address on success. */
    StunPacket allocate(Consumer<StunWriter> extra) {
        StunPacket response = request(StunMethod.ALLOCATE, w -> {
            w.uint32(StunAttribute.REQUESTED_TRANSPORT, (long) UDP << 24);
            extra.accept(w);
        });
        if (response.isSuccess()) {
            relayedAddress = response.address(StunAttribute.XOR_RELAYED_ADDRESS);
        }
        return response;
    }

    StunPacket allocate() {
        return allocate(w -> { });
    }

    /** Allocates and fails the test unless it succeeds; returns the relayed transport address. */
    InetSocketAddress allocateOrFail() {
        StunPacket response = allocate();
        assertTrue(response.isSuccess(), () -> "Allocate: " + response);
        return relayedAddress;
    }

    /** The relayed transport address from the last successful Allocate. */
    InetSocketAddress relayedAddress() {
        return relayedAddress;
    }

    /** Where a peer reaches the relay socket: the relayed port on 127.0.0.1, whatever address is advertised. */
    InetSocketAddress relaySocketAddress() {
        return new InetSocketAddress(LOOPBACK, relayedAddress.getPort());
    }

    StunPacket refresh(long lifetime) {
        return request(StunMethod.REFRESH, w -> w.uint32(StunAttribute.LIFETIME, lifetime));
    }

    /** Refresh without LIFETIME. */
    StunPacket refresh() {
        return request(StunMethod.REFRESH, w -> { });
    }

    StunPacket createPermission(InetSocketAddress... peers) {
        return request(StunMethod.CREATE_PERMISSION, w -> {
            for (InetSocketAddress peer : peers) {
                w.address(StunAttribute.XOR_PEER_ADDRESS, peer);
            }
        });
    }

    void createPermissionOrFail(InetSocketAddress... peers) {
        StunPacket response = createPermission(peers);
        assertTrue(response.isSuccess(), () -> "CreatePermission: " + response);
    }

    StunPacket channelBind(int channel, InetSocketAddress peer) {
        return request(StunMethod.CHANNEL_BIND, w -> w
                .uint32(StunAttribute.CHANNEL_NUMBER, (long) channel << 16)
                .address(StunAttribute.XOR_PEER_ADDRESS, peer));
    }

    void channelBindOrFail(int channel, InetSocketAddress peer) {
        StunPacket response = channelBind(channel, peer);
        assertTrue(response.isSuccess(), () -> "ChannelBind: " + response);
    }

    /** A Binding request; Binding needs no credentials (RFC 8489 section 7.3.1). */
    StunPacket binding(Consumer<StunWriter> attributes) {
        return transact(TransactionId.random(), StunMethod.BINDING, attributes, false);
    }

    StunPacket binding() {
        return binding(w -> { });
    }

    /** A Send indication (RFC 8656 section 10.1); indications carry no credentials. */
    void sendIndication(InetSocketAddress peer, byte[] data) {
        sendIndication(w -> w.address(StunAttribute.XOR_PEER_ADDRESS, peer).bytes(StunAttribute.DATA, data));
    }

    void sendIndication(Consumer<StunWriter> attributes) {
        sendRaw(encode(StunMethod.SEND, StunClass.INDICATION, TransactionId.random(), attributes, false));
    }

    /** ChannelData (RFC 8656 section 12.4), padded to 4 bytes over TCP (section 12.5), unpadded over UDP. */
    void sendChannelData(int channel, byte[] data) {
        sendRaw(channelData(channel, data, tcp != null));
    }

    static byte[] channelData(int channel, byte[] data, boolean pad) {
        int wire = pad ? ChannelData.paddedLength(data.length) : data.length;
        byte[] message = new byte[ChannelData.HEADER_LENGTH + wire];
        message[0] = (byte) (channel >>> 8);
        message[1] = (byte) channel;
        message[2] = (byte) (data.length >>> 8);
        message[3] = (byte) data.length;
        System.arraycopy(data, 0, message, ChannelData.HEADER_LENGTH, data.length);
        return message;
    }

    // ---------------------------------------------------------------- receiving

    /** The next packet that is not a response (kept from earlier waits first), or null after {@code timeout}. */
    Object receive(Duration timeout) {
        if (!backlog.isEmpty()) {
            return backlog.poll();
        }
        return read(timeout);
    }

    /** The next packet, which must be a Data indication. */
    StunPacket receiveDataIndication() {
        Object packet = receive(TIMEOUT);
        assertInstanceOf(StunPacket.class, packet, "expected a Data indication within " + TIMEOUT);
        StunPacket indication = (StunPacket) packet;
        assertTrue(indication.isDataIndication(), () -> "expected a Data indication, got " + indication);
        return indication;
    }

    /** The next packet, which must be ChannelData. */
    ChannelDataPacket receiveChannelData() {
        Object packet = receive(TIMEOUT);
        assertInstanceOf(ChannelDataPacket.class, packet, "expected ChannelData within " + TIMEOUT);
        return (ChannelDataPacket) packet;
    }

    /** Fails if anything arrives within {@link #QUIET}. */
    void assertNothingReceived() {
        assertTrue(backlog.isEmpty(), () -> "unexpected packets: " + backlog);
        Object packet = read(QUIET);
        assertNull(packet, () -> "expected nothing, got " + describe(packet));
    }

    /** Over TCP: waits until the server closes the connection; fails if it does not within {@link #TIMEOUT}. */
    void awaitClosedByServer() {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        try {
            for (long left; (left = deadline - System.nanoTime()) > 0; ) {
                tcp.setSoTimeout((int) Math.max(1, left / 1_000_000));
                try {
                    if (in.read() < 0) {
                        return;
                    }
                } catch (SocketTimeoutException e) {
                    // keep waiting
                } catch (IOException e) {
                    return; // reset by the server: closed too
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        fail("the server did not close the connection within " + TIMEOUT);
    }

    private Object read(Duration timeout) {
        int millis = (int) Math.max(1, timeout.toMillis());
        try {
            return udp != null ? readDatagram(millis) : readFrame(millis);
        } catch (SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Object readDatagram(int millis) throws IOException {
        udp.setSoTimeout(millis);
        byte[] buf = new byte[65536];
        DatagramPacket datagram = new DatagramPacket(buf, buf.length);
        udp.receive(datagram);
        byte[] bytes = Arrays.copyOf(buf, datagram.getLength());
        if (bytes.length >= ChannelData.HEADER_LENGTH && (bytes[0] & 0xc0) == 0x40) {
            int length = u16(bytes, 2);
            if (ChannelData.HEADER_LENGTH + length <= bytes.length) {
                return new ChannelDataPacket(u16(bytes, 0),
                        Arrays.copyOfRange(bytes, ChannelData.HEADER_LENGTH, ChannelData.HEADER_LENGTH + length),
                        bytes.length);
            }
        }
        return stunOrRaw(bytes);
    }

    private Object readFrame(int millis) throws IOException {
        tcp.setSoTimeout(millis);
        int first = in.read();
        if (first < 0) {
            throw new EOFException("the server closed the connection");
        }
        tcp.setSoTimeout((int) TIMEOUT.toMillis()); // the rest of a started frame must follow
        byte[] header = new byte[ChannelData.HEADER_LENGTH];
        header[0] = (byte) first;
        in.readFully(header, 1, 3);
        int length = u16(header, 2);
        if ((first & 0xc0) == 0) {
            byte[] message = Arrays.copyOf(header, 20 + length);
            in.readFully(message, 4, 16 + length);
            return stunOrRaw(message);
        }
        if ((first & 0xc0) == 0x40) {
            byte[] padded = new byte[ChannelData.paddedLength(length)];
            in.readFully(padded);
            return new ChannelDataPacket(u16(header, 0), Arrays.copyOf(padded, length),
                    ChannelData.HEADER_LENGTH + padded.length);
        }
        throw new AssertionError(String.format("unframeable first byte 0x%02x on the TCP stream", first));
    }

    private static Object stunOrRaw(byte[] bytes) {
        try {
            return StunPacket.parse(bytes);
        } catch (StunParseException e) {
            return bytes;
        }
    }

    private static int u16(byte[] b, int i) {
        return (b[i] & 0xff) << 8 | (b[i + 1] & 0xff);
    }

    private static String describe(Object packet) {
        if (packet instanceof byte[] raw) {
            return "raw " + ByteBufUtil.hexDump(raw);
        }
        if (packet instanceof ChannelDataPacket cd) {
            return String.format("ChannelData channel 0x%04x, %d bytes", cd.channel(), cd.data().length);
        }
        return String.valueOf(packet);
    }

    // ---------------------------------------------------------------- sockets

    /** Sends bytes as they are: one datagram, or written to the stream. */
    void sendRaw(byte[] bytes) {
        try {
            if (udp != null) {
                udp.send(new DatagramPacket(bytes, bytes.length, server));
            } else {
                out.write(bytes);
                out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The client's transport address as the server sees it on loopback. */
    InetSocketAddress localAddress() {
        return udp != null
                ? new InetSocketAddress(LOOPBACK, udp.getLocalPort())
                : new InetSocketAddress(LOOPBACK, tcp.getLocalPort());
    }

    @Override
    public void close() {
        try {
            if (udp != null) {
                udp.close();
            } else {
                tcp.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
