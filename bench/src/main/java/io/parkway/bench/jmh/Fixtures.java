package io.parkway.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.parkway.stun.StunAttribute;
import io.parkway.stun.StunClass;
import io.parkway.stun.StunMethod;
import io.parkway.stun.StunWriter;
import io.parkway.stun.TransactionId;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Wire images of the messages the benchmarks decode, built once with the project's own encoder. */
final class Fixtures {
    static final String USERNAME = "1764288000:alice";
    static final String REALM = "parkway.example";
    static final String PASSWORD = "s3cr3t-turn-password";
    static final String NONCE = "obMatJos2AAACf//499k954d6OL34oL9";
    static final String SOFTWARE = "Parkway 0.1.0";
    static final TransactionId TID = new TransactionId(0x01020304, 0x05060708, 0x090a0b0c);
    /** Application data size of a typical relayed audio/video packet in the load profile. */
    static final int PAYLOAD = 170;
    static final InetSocketAddress CLIENT = address(new byte[] {(byte) 192, 0, 2, 10}, 54321);
    static final InetSocketAddress PEER = address(new byte[] {(byte) 198, 51, 100, 7}, 50000);
    static final InetSocketAddress RELAYED = address(new byte[] {(byte) 203, 0, 113, 1}, 49152);
    static final InetSocketAddress PEER_IPV6 = address(new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 7}, 50000);

    private Fixtures() {
    }

    /** RFC 8489 section 9.2.2 long-term key: MD5(username ":" realm ":" password), 16 bytes. */
    static byte[] longTermKeyMd5() {
        return digest("MD5");
    }

    /** RFC 8489 section 18.5.1.2 key for PASSWORD-ALGORITHM SHA-256: 32 bytes. */
    static byte[] longTermKeySha256() {
        return digest("SHA-256");
    }

    private static byte[] digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm)
                    .digest((USERNAME + ":" + REALM + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * An authenticated Allocate request as a browser sends it after the 401: REQUESTED-TRANSPORT, LIFETIME,
     * USERNAME, REALM, NONCE, then MESSAGE-INTEGRITY (or -SHA256) and FINGERPRINT.
     */
    static ByteBuf allocateRequest(ByteBufAllocator alloc, boolean sha256) {
        ByteBuf out = alloc.directBuffer(256);
        StunWriter w = StunWriter.begin(out, StunMethod.ALLOCATE, StunClass.REQUEST, TID)
                .uint32(StunAttribute.REQUESTED_TRANSPORT, 17L << 24)
                .uint32(StunAttribute.LIFETIME, 600)
                .string(StunAttribute.USERNAME, USERNAME)
                .string(StunAttribute.REALM, REALM)
                .string(StunAttribute.NONCE, NONCE);
        if (sha256) {
            w.messageIntegritySha256(longTermKeySha256());
        } else {
            w.messageIntegrity(longTermKeyMd5());
        }
        return w.fingerprint();
    }

    /** A Send indication: XOR-PEER-ADDRESS and DATA with {@link #PAYLOAD} bytes (RFC 8656 section 10). */
    static ByteBuf sendIndication(ByteBufAllocator alloc) {
        return sendIndication(alloc, PEER);
    }

    /** As {@link #sendIndication(ByteBufAllocator)} to another peer (an IPv6 one, say). */
    static ByteBuf sendIndication(ByteBufAllocator alloc, InetSocketAddress peer) {
        ByteBuf out = alloc.directBuffer(256);
        return StunWriter.begin(out, StunMethod.SEND, StunClass.INDICATION, TID)
                .address(StunAttribute.XOR_PEER_ADDRESS, peer)
                .bytes(StunAttribute.DATA, payload())
                .finish();
    }

    /** A ChannelData message on channel 0x4000 with {@link #PAYLOAD} bytes (RFC 8656 section 12.4). */
    static ByteBuf channelData(ByteBufAllocator alloc, int channel) {
        ByteBuf out = alloc.directBuffer(4 + PAYLOAD);
        out.writeShort(channel).writeShort(PAYLOAD).writeBytes(payload());
        return out;
    }

    static byte[] payload() {
        byte[] b = new byte[PAYLOAD];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    static ByteBuf payloadBuffer(ByteBufAllocator alloc) {
        return alloc.directBuffer(PAYLOAD).writeBytes(payload());
    }

    static ByteBuf heapCopy(ByteBuf b) {
        return Unpooled.copiedBuffer(b);
    }

    private static InetSocketAddress address(byte[] ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
