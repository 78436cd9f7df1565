package io.parkway.server.check;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.parkway.stun.ChannelData;
import io.parkway.stun.StunAttribute;
import io.parkway.stun.StunClass;
import io.parkway.stun.StunErrorCode;
import io.parkway.stun.StunMessage;
import io.parkway.stun.StunMethod;
import io.parkway.stun.StunParseException;
import io.parkway.stun.StunWriter;
import io.parkway.stun.TransactionId;
import io.parkway.turn.auth.LongTermKey;
import io.parkway.turn.auth.OpaqueString;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * A small blocking STUN/TURN client for {@code parkway check}: one {@link CheckTransport} to the server, messages built
 * with the project's {@link StunWriter} and read with {@link StunMessage}.
 *
 * <p>What it does, as RFC 8489 asks of a client:
 * <ul>
 *   <li>Retransmits over UDP (section 6.2.1, https://datatracker.ietf.org/doc/html/rfc8489#section-6.2.1): RTO 500
 *       ms, doubled after each try, at most Rc = 7 tries, then waits Rm = 16 RTOs; over TCP it sends once (section
 *       6.2.2). The whole transaction is also bounded by the caller's timeout.</li>
 *   <li>Long-term credentials (section 9.2.5): the first authenticated request goes without them; a 401 teaches it
 *       REALM and NONCE and it retries once with USERNAME, REALM, NONCE and MESSAGE-INTEGRITY (the MD5 key, which is
 *       what browsers use); a 438 (Stale Nonce) teaches it a new nonce and it retries.</li>
 *   <li>Checks responses: a message whose FINGERPRINT does not match is discarded (section 14.7); a response to an
 *       authenticated request must carry a MESSAGE-INTEGRITY that verifies with the key, except 400, 401 and 438
 *       (section 9.2.5), or it is discarded as if it never arrived.</li>
 * </ul>
 * Data indications and ChannelData messages that arrive while a transaction waits are kept, in order, for
 * {@link #receive}. Not thread-safe: one thread drives it.
 */
final class TurnCheckClient implements AutoCloseable {
    /** RFC 8489 section 6.2.1: initial RTO. */
    static final Duration INITIAL_RTO = Duration.ofMillis(500);
    /** RFC 8489 section 6.2.1: Rc, the number of tries over UDP. */
    static final int MAX_TRIES = 7;
    /** RFC 8489 section 6.2.1: Rm, how many initial RTOs to wait after the last try. */
    static final int LAST_WAIT_RTOS = 16;
    /** REQUESTED-TRANSPORT value for UDP: protocol 17 in the first byte (RFC 8656 section 18.8). */
    static final long REQUESTED_TRANSPORT_UDP = 17L << 24;
    static final String SOFTWARE = "parkway check";
    /** How many 438 (Stale Nonce) answers one request may get before it fails. */
    private static final int MAX_STALE_NONCE_RETRIES = 2;
    /** Data kept for {@link #receive} while a transaction waits; more is dropped (and counted). */
    private static final int MAX_BACKLOG = 1024;

    private final CheckTransport transport;
    private long timeoutNanos;
    private final ArrayDeque<byte[]> backlog = new ArrayDeque<>();

    private String username;
    private String password;
    private String realm;
    private String nonce;
    private byte[] key;

    /**
     * Packets dropped: not a valid STUN or ChannelData message (a bad FINGERPRINT among them), or beyond the backlog.
     */
    private long dropped;

    TurnCheckClient(CheckTransport transport, Duration timeout) {
        this.transport = transport;
        this.timeoutNanos = timeout.toNanos();
    }

    /** Long-term credentials for authenticated requests; the username as the user typed it (prepared here). */
    void credentials(String username, String password) {
        this.username = OpaqueString.apply(username);
        this.password = password;
        this.key = null;
    }

    /** The realm learnt from the server's first 401, or null before. */
    String realm() {
        return realm;
    }

    CheckTransport transport() {
        return transport;
    }

    /** Changes the bound on each transaction from now on (shorter for the clean-up after a failure). */
    void timeout(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    /**
     * Loads and initialises what the first transaction needs (the codec, the buffer allocator, the secure random
     * generator, HMAC and CRC), so that the time printed for the first step is the network's, not the JVM's.
     */
    static void warmUp() {
        byte[] key = new byte[16];
        ByteBuf out = Unpooled.buffer(128);
        try {
            StunWriter.begin(out, StunMethod.BINDING, StunClass.REQUEST, TransactionId.random())
                    .string(StunAttribute.SOFTWARE, SOFTWARE)
                    .messageIntegrity(key)
                    .fingerprint();
            StunMessage.decode(out).verifyIntegrity(key);
            LongTermKey.md5("user", "realm", "password");
        } catch (StunParseException e) {
            throw new IllegalStateException("the codec cannot read its own Binding request", e);
        } finally {
            out.release();
        }
    }

    /** A Binding request without credentials (RFC 8489 section 3: Binding needs no authentication). */
    StunMessage binding() throws CheckFailure, IOException {
        return transact(StunMethod.BINDING, w -> { }, false);
    }

    /**
     * Sends a request and returns its success response.
     *
     * @param authenticate whether to use the long-term credentials (every TURN request) or not (Binding)
     * @throws CheckFailure on an error response (with its code), a timeout, or a response that never verifies
     */
    StunMessage transact(int method, Consumer<StunWriter> attributes, boolean authenticate)
            throws CheckFailure, IOException {
        boolean challenged = false;
        int staleRetries = 0;
        while (true) {
            boolean withCredentials = authenticate && nonce != null;
            StunMessage response = exchange(method, encode(method, attributes, withCredentials), withCredentials);
            if (response.messageClass() == StunClass.SUCCESS_RESPONSE) {
                return response;
            }
            int code = response.errorCode();
            if (authenticate && code == StunErrorCode.UNAUTHENTICATED && !withCredentials && !challenged) {
                learn(response);
                challenged = true;
                continue;
            }
            if (authenticate && code == StunErrorCode.STALE_NONCE && staleRetries < MAX_STALE_NONCE_RETRIES) {
                learn(response);
                staleRetries++;
                continue;
            }
            throw errorResponse(response, staleRetries);
        }
    }

    /** Sends a ChannelData message (RFC 8656 section 12.4), padded to 4 bytes over TCP (section 12.5). */
    void sendChannelData(int channel, byte[] data) throws IOException {
        int length = ChannelData.HEADER_LENGTH
                + (transport.reliable() ? ChannelData.paddedLength(data.length) : data.length);
        byte[] message = new byte[length];
        message[0] = (byte) (channel >>> 8);
        message[1] = (byte) channel;
        message[2] = (byte) (data.length >>> 8);
        message[3] = (byte) data.length;
        System.arraycopy(data, 0, message, ChannelData.HEADER_LENGTH, data.length);
        sendQuietly(message);
    }

    /** Sends a Send indication (RFC 8656 section 11.1): XOR-PEER-ADDRESS and DATA, no credentials. */
    void sendIndication(InetSocketAddress peer, byte[] data) throws IOException {
        ByteBuf out = Unpooled.buffer(64 + data.length);
        try {
            StunWriter.begin(out, StunMethod.SEND, StunClass.INDICATION, TransactionId.random())
                    .address(StunAttribute.XOR_PEER_ADDRESS, peer)
                    .bytes(StunAttribute.DATA, data)
                    .fingerprint();
            sendQuietly(ByteBufUtil.getBytes(out));
        } finally {
            out.release();
        }
    }

    /** Data that reached this client: a ChannelData message ({@code peer} null) or a Data indication. */
    record Incoming(int channel, InetSocketAddress peer, byte[] data) {
        boolean isChannelData() {
            return peer == null;
        }
    }

    /** The next ChannelData message or Data indication, or null once {@code deadlineNanos} has passed. */
    Incoming receive(long deadlineNanos) throws IOException {
        while (true) {
            byte[] packet = backlog.poll();
            if (packet == null) {
                try {
                    packet = transport.receive(deadlineNanos);
                } catch (PortUnreachableException e) {
                    continue;
                }
                if (packet == null) {
                    return null;
                }
            }
            Incoming incoming = incoming(packet);
            if (incoming != null) {
                return incoming;
            }
        }
    }

    @Override
    public void close() {
        transport.close();
    }

    private byte[] encode(int method, Consumer<StunWriter> attributes, boolean withCredentials)
            throws CheckFailure {
        ByteBuf out = Unpooled.buffer(256);
        try {
            StunWriter w = StunWriter.begin(out, method, StunClass.REQUEST, TransactionId.random());
            attributes.accept(w);
            w.string(StunAttribute.SOFTWARE, SOFTWARE);
            if (withCredentials) {
                w.string(StunAttribute.USERNAME, username)
                        .string(StunAttribute.REALM, realm)
                        .string(StunAttribute.NONCE, nonce)
                        .messageIntegrity(key());
            }
            w.fingerprint();
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    /** The MD5 long-term key (RFC 8489 section 9.2.2), derived once the realm is known. */
    private byte[] key() throws CheckFailure {
        if (key == null) {
            try {
                key = LongTermKey.md5(username, realm, password);
            } catch (IllegalArgumentException e) {
                throw new CheckFailure("cannot derive the long-term key: " + e.getMessage(),
                        "the realm \"" + realm + "\" or the password is not a valid STUN string");
            }
        }
        return key;
    }

    /** Takes REALM and NONCE from a 401 or 438 (RFC 8489 section 9.2.5). */
    private void learn(StunMessage challenge) throws CheckFailure {
        String newRealm = challenge.string(StunAttribute.REALM);
        String newNonce = challenge.string(StunAttribute.NONCE);
        if (newNonce == null || (newRealm == null && realm == null)) {
            throw new CheckFailure(challenge.errorCode() + " " + reasonPhrase(challenge) + " without REALM and NONCE",
                    challenge.errorCode(), "the server does not offer the long-term credential mechanism "
                    + "(RFC 8489 section 9.2); is it a TURN server?");
        }
        if (newRealm != null && !newRealm.equals(realm)) {
            realm = newRealm;
            key = null;
        }
        nonce = newNonce;
    }

    /**
     * One transaction: sends {@code request} (retransmitting over UDP) until a response with its transaction ID
     * arrives that passes the checks of the class description.
     */
    private StunMessage exchange(int method, byte[] request, boolean withCredentials)
            throws CheckFailure, IOException {
        TransactionId id = TransactionId.read(Unpooled.wrappedBuffer(request), 8);
        long start = System.nanoTime();
        long deadline = start + timeoutNanos;
        long rto = INITIAL_RTO.toNanos();
        long nextSend = start;
        int tries = 0;
        boolean unreachable = false;
        int unverified = 0;
        while (true) {
            long now = System.nanoTime();
            if (tries == 0 || (!transport.reliable() && tries < MAX_TRIES && now - nextSend >= 0)) {
                unreachable |= !sendQuietly(request);
                tries++;
                if (tries == MAX_TRIES) {
                    long last = now + LAST_WAIT_RTOS * INITIAL_RTO.toNanos();
                    deadline = last - deadline < 0 ? last : deadline;
                } else {
                    nextSend = now + rto;
                    rto *= 2;
                }
            }
            long wait = transport.reliable() || tries >= MAX_TRIES || deadline - nextSend < 0 ? deadline : nextSend;
            byte[] packet;
            try {
                packet = transport.receive(wait);
            } catch (PortUnreachableException e) {
                unreachable = true;
                packet = null;
            }
            if (packet == null) {
                if (System.nanoTime() - deadline >= 0) {
                    throw timeout(tries, System.nanoTime() - start, unreachable, unverified);
                }
                continue;
            }
            StunMessage response = response(packet, id, method);
            if (response == null) {
                continue;
            }
            if (withCredentials && !verifies(response)) {
                unverified++;
                continue;
            }
            return response;
        }
    }

    /** Sends, reporting an ICMP port unreachable (from an earlier datagram) as false instead of throwing. */
    private boolean sendQuietly(byte[] message) throws IOException {
        try {
            transport.send(message);
            return true;
        } catch (PortUnreachableException e) {
            return false;
        }
    }

    /**
     * RFC 8489 section 9.2.5: a response to an authenticated request must carry a MESSAGE-INTEGRITY that verifies,
     * except the error responses 400, 401 and 438, which the server may send before it knows the key. Other error
     * responses are checked when they carry one.
     */
    private boolean verifies(StunMessage response) throws CheckFailure {
        if (response.messageClass() == StunClass.ERROR_RESPONSE) {
            int code = response.errorCode();
            if (code == StunErrorCode.BAD_REQUEST || code == StunErrorCode.UNAUTHENTICATED
                    || code == StunErrorCode.STALE_NONCE || !response.hasIntegrity()) {
                return true;
            }
        }
        return response.verifyIntegrity(key());
    }

    /** The response to transaction {@code id}, or null after keeping (Data, ChannelData) or dropping the packet. */
    private StunMessage response(byte[] packet, TransactionId id, int method) {
        int kind = packet.length == 0 ? -1 : packet[0] & 0xc0;
        if (kind == 0x40) {
            keep(packet);
            return null;
        }
        if (kind != 0x00) {
            dropped++;
            return null;
        }
        StunMessage message;
        try {
            message = StunMessage.decode(Unpooled.wrappedBuffer(packet));
        } catch (StunParseException e) {
            dropped++;
            return null;
        }
        StunClass cls = message.messageClass();
        if (cls == StunClass.INDICATION) {
            keep(packet);
            return null;
        }
        if ((cls == StunClass.SUCCESS_RESPONSE || cls == StunClass.ERROR_RESPONSE)
                && message.method() == method && message.transactionId().equals(id)) {
            return message;
        }
        return null; // a late answer to an earlier retransmission, or a stray request
    }

    private void keep(byte[] packet) {
        if (backlog.size() < MAX_BACKLOG) {
            backlog.add(packet);
        } else {
            dropped++;
        }
    }

    /** A ChannelData message or a Data indication, or null (and counted) for anything else. */
    private Incoming incoming(byte[] packet) {
        if (packet.length >= ChannelData.HEADER_LENGTH && (packet[0] & 0xc0) == 0x40) {
            int channel = (packet[0] & 0xff) << 8 | (packet[1] & 0xff);
            int length = (packet[2] & 0xff) << 8 | (packet[3] & 0xff);
            if (length > packet.length - ChannelData.HEADER_LENGTH) {
                dropped++;
                return null;
            }
            return new Incoming(channel, null, Arrays.copyOfRange(packet, 4, 4 + length));
        }
        try {
            StunMessage message = StunMessage.decode(Unpooled.wrappedBuffer(packet));
            if (message.messageClass() == StunClass.INDICATION && message.method() == StunMethod.DATA) {
                InetSocketAddress peer = message.address(StunAttribute.XOR_PEER_ADDRESS);
                byte[] data = message.bytes(StunAttribute.DATA);
                if (peer != null && data != null) {
                    return new Incoming(-1, peer, data);
                }
            }
        } catch (StunParseException e) {
            // counted below
        }
        dropped++;
        return null;
    }

    private CheckFailure timeout(int tries, long elapsedNanos, boolean unreachable, int unverified) {
        String reason = String.format(Locale.ROOT, "no response after %d %s in %.1f s over %s", tries,
                tries == 1 ? "try" : "tries", elapsedNanos / 1e9, transport.name());
        if (dropped > 0) {
            reason += "; " + dropped + " unreadable packet" + (dropped == 1 ? "" : "s") + " dropped";
        }
        if (unverified > 0) {
            return new CheckFailure(reason + "; " + unverified + " response" + (unverified == 1 ? "" : "s")
                    + " with a MESSAGE-INTEGRITY that does not verify",
                    "a different server answered, or something on the path altered the responses");
        }
        if (unreachable) {
            return new CheckFailure(reason + "; ICMP port unreachable", "nothing listens on that UDP port: is the "
                    + "server running, and is the port one of its turn.listen addresses?");
        }
        return new CheckFailure(reason, null);
    }

    private static CheckFailure errorResponse(StunMessage response, int staleRetries) {
        int code = response.errorCode();
        String text = code < 0 ? "error response without ERROR-CODE" : code + " " + reasonPhrase(response);
        if (code == StunErrorCode.STALE_NONCE) {
            text += " (still stale after " + staleRetries + " fresh nonces)";
        }
        if (code == StunErrorCode.TRY_ALTERNATE) {
            InetSocketAddress alternate = response.address(StunAttribute.ALTERNATE_SERVER);
            if (alternate != null) {
                text += " to " + CheckAddresses.format(alternate);
            }
        }
        if (code == StunErrorCode.UNKNOWN_ATTRIBUTE) {
            byte[] unknown = response.bytes(StunAttribute.UNKNOWN_ATTRIBUTES);
            if (unknown != null) {
                StringBuilder list = new StringBuilder();
                for (int i = 0; i + 1 < unknown.length; i += 2) {
                    list.append(list.length() == 0 ? " " : ", ")
                            .append(String.format("0x%04x", (unknown[i] & 0xff) << 8 | (unknown[i + 1] & 0xff)));
                }
                text += list;
            }
        }
        return new CheckFailure(text, code, null);
    }

    /** The reason phrase of ERROR-CODE (RFC 8489 section 14.8), or the RFC's phrase when the server sent none. */
    static String reasonPhrase(StunMessage response) {
        int i = response.indexOf(StunAttribute.ERROR_CODE);
        if (i >= 0 && response.valueLength(i) > 4) {
            String phrase = response.buffer().toString(response.valueIndex(i) + 4, response.valueLength(i) - 4,
                    StandardCharsets.UTF_8).strip();
            if (!phrase.isEmpty()) {
                return CheckAddresses.printable(phrase);
            }
        }
        return StunErrorCode.reason(response.errorCode());
    }
}
