package io.parkway.stun;

import static io.parkway.stun.Rfc5769VectorsTest.address;
import static io.parkway.stun.Rfc5769VectorsTest.types;
import static io.parkway.stun.StunTestSupport.bytes;
import static io.parkway.stun.StunTestSupport.fingerprintOf;
import static io.parkway.stun.StunTestSupport.hex;
import static io.parkway.stun.StunTestSupport.hmac;
import static io.parkway.stun.StunTestSupport.putInt;
import static io.parkway.stun.StunTestSupport.setLength;
import static io.parkway.stun.StunTestSupport.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Round trips through {@link StunWriter} and {@link StunMessage} for every attribute type, message type encoding,
 * the indexing rules (first wins, ignored after integrity, nothing after FINGERPRINT) and rejection of malformed input
 * (RFC 8489 sections 5, 6.3 and 14, https://datatracker.ietf.org/doc/html/rfc8489#section-14). Expected wire bytes are
 * written out or computed here with the JDK, never with the code under test.
 */
class StunCodecTest {
    private static final TransactionId TID = TransactionId.of(hex("0102030405060708090a0b0c"));
    private static final byte[] KEY = utf8("short-term password");
    private static final byte[] KEY_256 = StunTestSupport.sha256("user:realm:password");

    private final StunTestSupport support = new StunTestSupport();

    @AfterEach
    void release() {
        support.releaseAll();
    }

    // --- message type (RFC 8489 section 5, figure 3) ---------------------------------------------------------------

    @ParameterizedTest(name = "method 0x{0} -> 0x{1} 0x{2} 0x{3} 0x{4}")
    @CsvSource({
        // method, request, indication, success, error
        "001, 0001, 0011, 0101, 0111", // Binding
        "003, 0003, 0013, 0103, 0113", // Allocate
        "004, 0004, 0014, 0104, 0114", // Refresh
        "006, 0006, 0016, 0106, 0116", // Send
        "007, 0007, 0017, 0107, 0117", // Data
        "008, 0008, 0018, 0108, 0118", // CreatePermission
        "009, 0009, 0019, 0109, 0119", // ChannelBind
        "080, 0200, 0210, 0300, 0310", // GOOG-PING: M7 moves to bit 9
        "070, 00e0, 00f0, 01e0, 01f0", // M4-M6 move to bits 5-7
        "fff, 3eef, 3eff, 3fef, 3fff", // every method bit
    })
    void messageTypeForEveryMethodAndClass(String method, String request, String indication, String success,
            String error) throws StunParseException {
        int m = Integer.parseInt(method, 16);
        String[] expected = {request, indication, success, error};
        StunClass[] classes = {StunClass.REQUEST, StunClass.INDICATION, StunClass.SUCCESS_RESPONSE,
                StunClass.ERROR_RESPONSE};
        for (int c = 0; c < 4; c++) {
            int type = Integer.parseInt(expected[c], 16);
            assertEquals(type, StunMethod.messageType(m, classes[c]), classes[c].toString());
            ByteBuf out = support.out();
            StunWriter.begin(out, m, classes[c], TID).finish();
            assertEquals(type, out.getUnsignedShort(0), "wire type for " + classes[c]);
            StunMessage decoded = StunMessage.decode(out);
            assertEquals(m, decoded.method());
            assertEquals(classes[c], decoded.messageClass());
            assertEquals(type, decoded.messageType());
        }
    }

    @Test
    void everyMethodAndClassRoundTrips() {
        for (int method = 0; method <= 0xfff; method++) {
            for (StunClass cls : StunClass.values()) {
                int type = StunMethod.messageType(method, cls);
                assertEquals(0, type & 0xc000, "the two most significant bits stay zero");
                assertEquals(method, StunMethod.methodOf(type));
                assertEquals(cls, StunMethod.classOf(type));
            }
        }
    }

    @Test
    void headerLayout() throws StunParseException {
        ByteBuf out = support.out();
        StunWriter.begin(out, StunMethod.ALLOCATE, StunClass.ERROR_RESPONSE, TID).finish();
        assertEquals("0113 0000 2112a442 0102030405060708090a0b0c".replace(" ", ""), hex(bytes(out)));
        StunMessage m = StunMessage.decode(out);
        assertEquals(TID, m.transactionId());
        assertEquals(0, m.attributeCount());
        assertEquals(20, m.encodedLength());
        assertTrue(m.toString().contains("allocate ERROR_RESPONSE"), m.toString());
    }

    @Test
    void methodNames() {
        assertEquals("binding", StunMethod.name(StunMethod.BINDING));
        assertEquals("channel_bind", StunMethod.name(StunMethod.CHANNEL_BIND));
        assertEquals("0x0ab", StunMethod.name(0x0ab));
    }

    // --- every attribute type --------------------------------------------------------------------------------------

    /** One attribute: how to write it, its expected value bytes on the wire, and an accessor check after decoding. */
    record Case(String name, int type, Consumer<StunWriter> write, byte[] value, Consumer<StunMessage> check) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> attributeCases() {
        InetSocketAddress v4 = address("192.0.2.1", 32853);
        InetSocketAddress v6 = address("2001:db8:1234:5678:11:2233:4455:6677", 3478);
        List<Case> cases = new ArrayList<>();
        for (int type : new int[] {StunAttribute.MAPPED_ADDRESS, StunAttribute.ALTERNATE_SERVER,
                StunAttribute.XOR_MAPPED_ADDRESS, StunAttribute.XOR_PEER_ADDRESS, StunAttribute.XOR_RELAYED_ADDRESS}) {
            boolean xor = type == StunAttribute.XOR_MAPPED_ADDRESS || type == StunAttribute.XOR_PEER_ADDRESS
                    || type == StunAttribute.XOR_RELAYED_ADDRESS;
            for (InetSocketAddress a : List.of(v4, v6)) {
                cases.add(new Case(String.format("0x%04x %s", type, a), type, w -> w.address(type, a),
                        addressValue(a, xor, TID), m -> assertEquals(a, m.address(type))));
            }
        }
        cases.add(new Case("USERNAME", StunAttribute.USERNAME, w -> w.string(StunAttribute.USERNAME, "alice:bob"),
                utf8("alice:bob"), m -> assertEquals("alice:bob", m.string(StunAttribute.USERNAME))));
        cases.add(new Case("REALM", StunAttribute.REALM, w -> w.string(StunAttribute.REALM, "parkway.example"),
                utf8("parkway.example"), m -> assertEquals("parkway.example", m.string(StunAttribute.REALM))));
        cases.add(new Case("NONCE", StunAttribute.NONCE, w -> w.string(StunAttribute.NONCE, "obMatJos2AAABnonce"),
                utf8("obMatJos2AAABnonce"), m -> assertEquals("obMatJos2AAABnonce", m.string(StunAttribute.NONCE))));
        cases.add(new Case("SOFTWARE", StunAttribute.SOFTWARE, w -> w.string(StunAttribute.SOFTWARE, "Parkway 0.1"),
                utf8("Parkway 0.1"), m -> assertEquals("Parkway 0.1", m.string(StunAttribute.SOFTWARE))));
        cases.add(new Case("ALTERNATE-DOMAIN", StunAttribute.ALTERNATE_DOMAIN,
                w -> w.string(StunAttribute.ALTERNATE_DOMAIN, "turn.example.org"), utf8("turn.example.org"),
                m -> assertEquals("turn.example.org", m.string(StunAttribute.ALTERNATE_DOMAIN))));
        cases.add(new Case("ERROR-CODE", StunAttribute.ERROR_CODE, w -> w.errorCode(438, "Stale Nonce"),
                hex("00000426" + hex(utf8("Stale Nonce"))), m -> assertEquals(438, m.errorCode())));
        cases.add(new Case("UNKNOWN-ATTRIBUTES", StunAttribute.UNKNOWN_ATTRIBUTES,
                w -> w.unknownAttributes(new int[] {0x7fff, 0x0003, 0x0031}), hex("7fff 0003 0031"), m -> { }));
        cases.add(new Case("CHANNEL-NUMBER", StunAttribute.CHANNEL_NUMBER,
                w -> w.uint32(StunAttribute.CHANNEL_NUMBER, 0x4001L << 16), hex("4001 0000"),
                m -> assertEquals(0x4001, m.uint32(StunAttribute.CHANNEL_NUMBER, -1) >>> 16)));
        cases.add(new Case("LIFETIME", StunAttribute.LIFETIME, w -> w.uint32(StunAttribute.LIFETIME, 0xfffffffeL),
                hex("fffffffe"), m -> assertEquals(0xfffffffeL, m.uint32(StunAttribute.LIFETIME, -1))));
        cases.add(new Case("DATA", StunAttribute.DATA, w -> w.bytes(StunAttribute.DATA, hex("0102030405")),
                hex("0102030405"), m -> assertArrayEquals(hex("0102030405"), m.bytes(StunAttribute.DATA))));
        cases.add(new Case("REQUESTED-ADDRESS-FAMILY", StunAttribute.REQUESTED_ADDRESS_FAMILY,
                w -> w.uint32(StunAttribute.REQUESTED_ADDRESS_FAMILY, 0x02000000L), hex("02000000"), m -> { }));
        cases.add(new Case("EVEN-PORT", StunAttribute.EVEN_PORT,
                w -> w.bytes(StunAttribute.EVEN_PORT, new byte[] {(byte) 0x80}), hex("80"), m -> { }));
        cases.add(new Case("REQUESTED-TRANSPORT", StunAttribute.REQUESTED_TRANSPORT,
                w -> w.uint32(StunAttribute.REQUESTED_TRANSPORT, 17L << 24), hex("11000000"),
                m -> assertEquals(17, m.uint32(StunAttribute.REQUESTED_TRANSPORT, -1) >>> 24)));
        cases.add(new Case("DONT-FRAGMENT", StunAttribute.DONT_FRAGMENT, w -> w.flag(StunAttribute.DONT_FRAGMENT),
                new byte[0], m -> assertTrue(m.has(StunAttribute.DONT_FRAGMENT))));
        cases.add(new Case("PASSWORD-ALGORITHM", StunAttribute.PASSWORD_ALGORITHM,
                w -> w.bytes(StunAttribute.PASSWORD_ALGORITHM, hex("00020000")), hex("00020000"), m -> { }));
        byte[] userhash = StunTestSupport.sha256("user:realm");
        cases.add(new Case("USERHASH", StunAttribute.USERHASH, w -> w.bytes(StunAttribute.USERHASH, userhash),
                userhash, m -> { }));
        cases.add(new Case("RESERVATION-TOKEN", StunAttribute.RESERVATION_TOKEN,
                w -> w.bytes(StunAttribute.RESERVATION_TOKEN, hex("0011223344556677")), hex("0011223344556677"),
                m -> { }));
        cases.add(new Case("PASSWORD-ALGORITHMS", StunAttribute.PASSWORD_ALGORITHMS,
                w -> w.passwordAlgorithms(1, 2), hex("0001 0000 0002 0000"), m -> { }));
        cases.add(new Case("ADDITIONAL-ADDRESS-FAMILY", StunAttribute.ADDITIONAL_ADDRESS_FAMILY,
                w -> w.uint32(StunAttribute.ADDITIONAL_ADDRESS_FAMILY, 0x02000000L), hex("02000000"), m -> { }));
        byte[] addressError = hex("01000208" + hex(utf8("Address Family not Supported")));
        cases.add(new Case("ADDRESS-ERROR-CODE", StunAttribute.ADDRESS_ERROR_CODE,
                w -> w.bytes(StunAttribute.ADDRESS_ERROR_CODE, addressError), addressError, m -> { }));
        cases.add(new Case("ICMP", StunAttribute.ICMP, w -> w.bytes(StunAttribute.ICMP, hex("00000301 00000000")),
                hex("00000301 00000000"), m -> { }));
        cases.add(new Case("PRIORITY", StunAttribute.PRIORITY, w -> w.uint32(StunAttribute.PRIORITY, 0x6e0001ffL),
                hex("6e0001ff"), m -> assertEquals(0x6e0001ffL, m.uint32(StunAttribute.PRIORITY, -1))));
        cases.add(new Case("USE-CANDIDATE", StunAttribute.USE_CANDIDATE, w -> w.flag(StunAttribute.USE_CANDIDATE),
                new byte[0], m -> { }));
        cases.add(new Case("ICE-CONTROLLED", StunAttribute.ICE_CONTROLLED,
                w -> w.bytes(StunAttribute.ICE_CONTROLLED, hex("932ff9b151263b36")), hex("932ff9b151263b36"),
                m -> { }));
        cases.add(new Case("ICE-CONTROLLING", StunAttribute.ICE_CONTROLLING,
                w -> w.bytes(StunAttribute.ICE_CONTROLLING, hex("0123456789abcdef")), hex("0123456789abcdef"),
                m -> { }));
        return cases;
    }

    /**
     * Writes the attribute between two sentinels, checks the exact wire layout (type, length, value, zero padding),
     * then decodes and checks the value and the accessor. The trailing sentinel proves the padding was skipped right.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("attributeCases")
    void attributeRoundTrips(Case c) throws StunParseException {
        // Sentinels of other types than the attribute under test, since the first of a type wins.
        int before = c.type() == StunAttribute.LIFETIME ? StunAttribute.PRIORITY : StunAttribute.LIFETIME;
        int after = c.type() == StunAttribute.SOFTWARE ? StunAttribute.REALM : StunAttribute.SOFTWARE;
        ByteBuf out = support.out();
        StunWriter w = StunWriter.begin(out, StunMethod.BINDING, StunClass.REQUEST, TID).uint32(before, 0x11111111L);
        c.write().accept(w);
        w.string(after, "end").fingerprint();

        byte[] wire = bytes(out);
        int padded = (c.value().length + 3) & ~3;
        assertEquals(20 + 8 + 4 + padded + 8 + 8, wire.length);
        assertEquals(wire.length - 20, (wire[2] & 0xff) << 8 | (wire[3] & 0xff), "header length");
        assertEquals(String.format("%04x%04x", c.type(), c.value().length) + hex(c.value()) + "00".repeat(
                padded - c.value().length), hex(Arrays.copyOfRange(wire, 28, 32 + padded)), "attribute on the wire");

        StunMessage m = StunMessage.decode(out);
        assertTrue(m.hasFingerprint());
        assertEquals(3, m.attributeCount());
        assertEquals(c.type(), m.attributeType(1));
        assertEquals(c.value().length, m.valueLength(1));
        assertArrayEquals(c.value(), bytes(m.value(1)));
        assertArrayEquals(c.value(), m.bytes(c.type()));
        assertEquals(32, m.valueIndex(1));
        assertEquals(0x11111111L, m.uint32(before, -1));
        assertEquals("end", m.string(after));
        c.check().accept(m);
    }

    @Test
    void everyAttributeTypeInStunAttributeHasARoundTripCase() throws IllegalAccessException {
        TreeSet<Integer> declared = new TreeSet<>();
        for (Field f : StunAttribute.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                declared.add(f.getInt(null));
            }
        }
        TreeSet<Integer> covered = new TreeSet<>();
        attributeCases().forEach(c -> covered.add(c.type()));
        // Covered by their own tests below, where the expected digest is computed independently.
        covered.addAll(List.of(StunAttribute.MESSAGE_INTEGRITY, StunAttribute.MESSAGE_INTEGRITY_SHA256,
                StunAttribute.FINGERPRINT));
        assertEquals(declared, covered);
    }

    @Test
    void everyDeclaredComprehensionRequiredTypeIsKnown() throws IllegalAccessException {
        for (Field f : StunAttribute.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                int type = f.getInt(null);
                assertEquals(type < 0x8000, StunAttribute.isComprehensionRequired(type), f.getName());
                if (type < 0x8000) {
                    assertTrue(StunAttribute.isKnownComprehensionRequired(type), f.getName());
                }
            }
        }
    }

    @Test
    void integrityAndFingerprintMatchAnIndependentComputation() throws StunParseException {
        ByteBuf out = support.out();
        StunWriter.begin(out, StunMethod.ALLOCATE, StunClass.REQUEST, TID)
                .string(StunAttribute.USERNAME, "user")
                .messageIntegrity(KEY)
                .messageIntegritySha256(KEY_256)
                .fingerprint();
        byte[] wire = bytes(out);
        int mi = 28;
        int sha = mi + 24;
        int fp = sha + 36;
        assertEquals(fp + 8, wire.length);
        assertEquals("00080014", hex(Arrays.copyOfRange(wire, mi, mi + 4)));
        assertEquals("001c0020", hex(Arrays.copyOfRange(wire, sha, sha + 4)));
        assertEquals("80280004", hex(Arrays.copyOfRange(wire, fp, fp + 4)));

        // RFC 8489 section 14.5: HMAC over everything before the attribute, with the header length counting up to
        // and including MESSAGE-INTEGRITY. Section 14.6 likewise for MESSAGE-INTEGRITY-SHA256.
        byte[] input = wire.clone();
        setLength(input, mi + 24);
        assertArrayEquals(hmac("HmacSHA1", KEY, input, 0, mi), Arrays.copyOfRange(wire, mi + 4, mi + 24));
        setLength(input, sha + 36);
        assertArrayEquals(hmac("HmacSHA256", KEY_256, input, 0, sha), Arrays.copyOfRange(wire, sha + 4, sha + 36));
        // Section 14.7: CRC-32 of everything before FINGERPRINT (final header length) XOR 0x5354554e.
        assertEquals(fingerprintOf(wire, fp), out.getInt(fp + 4));

        StunMessage m = StunMessage.decode(out);
        assertArrayEquals(new int[] {StunAttribute.USERNAME, StunAttribute.MESSAGE_INTEGRITY,
                StunAttribute.MESSAGE_INTEGRITY_SHA256}, types(m));
        assertTrue(m.verifyIntegrity(KEY));
        assertTrue(m.verifyIntegritySha256(KEY_256));
        assertFalse(m.verifyIntegrity(KEY_256));
        assertFalse(m.verifyIntegritySha256(KEY));
        assertTrue(m.hasFingerprint());
    }

    @Test
    void integrityAbsentNeverVerifies() throws StunParseException {
        ByteBuf out = support.out();
        StunWriter.begin(out, StunMethod.BINDING, StunClass.REQUEST, TID).string(StunAttribute.USERNAME, "u")
                .fingerprint();
        StunMessage m = StunMessage.decode(out);
        assertFalse(m.hasIntegrity());
        assertFalse(m.verifyIntegrity(KEY));
        assertFalse(m.verifyIntegritySha256(KEY));
    }

    /** RFC 8489 section 14.6: a MESSAGE-INTEGRITY-SHA256 truncated to 16-28 bytes (built here with the JDK). */
    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {16, 20, 24, 28, 32})
    void truncatedMessageIntegritySha256(int length) throws StunParseException {
        ByteBuf out = support.out();
        StunWriter.begin(out, StunMethod.REFRESH, StunClass.REQUEST, TID).string(StunAttribute.USERNAME, "user")
                .finish();
        int attributeIndex = out.writerIndex();
        out.writeShort(StunAttribute.MESSAGE_INTEGRITY_SHA256).writeShort(length).writeZero(length);
        byte[] wire = bytes(out);
        setLength(wire, wire.length);
        byte[] mac = hmac("HmacSHA256", KEY_256, wire, 0, attributeIndex);
        System.arraycopy(mac, 0, wire, attributeIndex + 4, length);

        StunMessage m = support.decode(wire);
        assertTrue(m.verifyIntegritySha256(KEY_256));
        wire[attributeIndex + 4 + length - 1] ^= 1;
        assertFalse(support.decode(wire).verifyIntegritySha256(KEY_256));
    }

    // --- addresses -------------------------------------------------------------------------------------------------

    static Stream<Arguments> addressCases() {
        List<Arguments> args = new ArrayList<>();
        int[] types = {StunAttribute.MAPPED_ADDRESS, StunAttribute.ALTERNATE_SERVER, StunAttribute.XOR_MAPPED_ADDRESS,
                StunAttribute.XOR_PEER_ADDRESS, StunAttribute.XOR_RELAYED_ADDRESS};
        String[][] addresses = {{"192.0.2.1", "32853"}, {"0.0.0.0", "0"}, {"255.255.255.255", "65535"},
                {"127.0.0.1", "3478"}, {"2001:db8::1", "49152"}, {"::1", "1"}, {"::", "0"},
                {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "65535"}, {"fe80::1:2:3:4", "5349"}};
        for (int type : types) {
            for (String[] a : addresses) {
                args.add(Arguments.of(String.format("0x%04x", type), type, address(a[0], Integer.parseInt(a[1]))));
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("addressCases")
    void addressRoundTrips(String name, int type, InetSocketAddress address) throws StunParseException {
        boolean xor = type == StunAttribute.XOR_MAPPED_ADDRESS || type == StunAttribute.XOR_PEER_ADDRESS
                || type == StunAttribute.XOR_RELAYED_ADDRESS;
        ByteBuf out = support.out();
        StunWriter.begin(out, StunMethod.ALLOCATE, StunClass.SUCCESS_RESPONSE, TID).address(type, address).finish();
        byte[] expected = addressValue(address, xor, TID);
        assertEquals(hex(expected), hex(Arrays.copyOfRange(bytes(out), 24, 24 + expected.length)));
        assertEquals(StunAddress.valueLength(address.getAddress()), expected.length);
        StunMessage m = StunMessage.decode(out);
        assertEquals(address, m.address(type));
        assertEquals(List.of(address), m.addresses(type));
    }

    @Test
    void malformedAddressValuesReadAsNull() throws StunParseException {
        String[] values = {
            "0003 1234 01020304", // unknown family
            "0001 1234 0102030405060708090a0b0c0d0e0f10", // IPv4 family with 16 address bytes
            "0002 1234 01020304", // IPv6 family with 4 address bytes
            "0001 1234 010203", // truncated IPv4
            "0001", // shorter than the family and port
            "", // empty
        };
        for (String v : values) {
            ByteBuf out = support.out();
            StunWriter.begin(out, StunMethod.BINDING, StunClass.SUCCESS_RESPONSE, TID)
                    .bytes(StunAttribute.XOR_MAPPED_ADDRESS, hex(v))
                    .bytes(StunAttribute.MAPPED_ADDRESS, hex(v))
                    .finish();
            StunMessage m = StunMessage.decode(out);
            assertNull(m.address(StunAttribute.XOR_MAPPED_ADDRESS), v);
            assertNull(m.address(StunAttribute.MAPPED_ADDRESS), v);
            assertEquals(Arrays.asList((InetSocketAddress) null), m.addresses(StunAttribute.MAPPED_ADDRESS), v);
        }
    }

    @Test
    void multipleXorPeerAddressesAreAllReturned() throws StunParseException {
        List<InetSocketAddress> peers = List.of(address("192.0.2.10", 5000), address("2001:db8::10", 5001),
                address("192.0.2.10", 5000), address("198.51.100.7", 65535));
        ByteBuf out = support.out();
        StunWriter w = StunWriter.begin(out, StunMethod.CREATE_PERMISSION, StunClass.REQUEST, TID);
        for (InetSocketAddress p : peers) {
            w.address(StunAttribute.XOR_PEER_ADDRESS, p);
        }
        w.bytes(StunAttribute.XOR_PEER_ADDRESS, hex("0009 0000")); // malformed: reads as null, still listed
        w.fingerprint();
        StunMessage m = StunMessage.decode(out);
        List<InetSocketAddress> expected = new ArrayList<>(peers);
        expected.add(null);
        assertEquals(expected, m.addresses(StunAttribute.XOR_PEER_ADDRESS));
        assertEquals(peers.get(0), m.address(StunAttribute.XOR_PEER_ADDRESS));
        assertEquals(5, m.attributeCount());
        assertEquals(List.of(), m.addresses(StunAttribute.XOR_RELAYED_ADDRESS));
    }

    // --- strings and padding ---------------------------------------------------------------------------------------

    static Stream<Arguments> stringCases() {
        List<Arguments> args = new ArrayList<>();
        for (int type : new int[] {StunAttribute.USERNAME, StunAttribute.REALM, StunAttribute.NONCE,
                StunAttribute.SOFTWARE}) {
            for (String s : new String[] {"", "a", "ab", "abc", "abcd", "abcde", "\u00e9", "\u20ac", "\u20ac\u00e9",
                    "\ud83c\udfa7"}) {
                args.add(Arguments.of(type, s));
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "0x{0}: \"{1}\"")
    @MethodSource("stringCases")
    void stringsOfEveryPaddingLength(int type, String value) throws StunParseException {
        byte[] utf8 = utf8(value);
        ByteBuf out = support.out();
        StunWriter.begin(out, StunMethod.BINDING, StunClass.REQUEST, TID)
                .string(type, value)
                .uint32(StunAttribute.LIFETIME, 0xdeadbeefL)
                .fingerprint();
        int padded = (utf8.length + 3) & ~3;
        assertEquals(20 + 4 + padded + 8 + 8, out.readableBytes());
        assertEquals(utf8.length, out.getUnsignedShort(22), "length field counts UTF-8 bytes, not padding");
        for (int i = 24 + utf8.length; i < 24 + padded; i++) {
            assertEquals(0, out.getByte(i), "padding byte " + i);
        }
        StunMessage m = StunMessage.decode(out);
        assertEquals(value, m.string(type));
        assertEquals(0xdeadbeefL, m.uint32(StunAttribute.LIFETIME, -1));
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1200})
    void dataOfEveryPaddingLength(int length) throws StunParseException {
        byte[] data = new byte[length];
        new Random(length).nextBytes(data);
        ByteBuf source = support.direct(data);
        source.readerIndex(0);
        ByteBuf out = support.out();
        StunWriter.begin(out, StunMethod.SEND, StunClass.INDICATION, TID)
                .address(StunAttribute.XOR_PEER_ADDRESS, address("192.0.2.1", 9))
                .bytes(StunAttribute.DATA, source)
                .flag(StunAttribute.DONT_FRAGMENT)
                .fingerprint();
        assertEquals(0, source.readerIndex(), "bytes(ByteBuf) does not move the source's indexes");
        assertEquals(1, source.refCnt(), "bytes(ByteBuf) does not release the source");
        assertEquals(0, out.readableBytes() % 4);
        StunMessage m = StunMessage.decode(out);
        assertArrayEquals(data, m.bytes(StunAttribute.DATA));
        assertTrue(m.has(StunAttribute.DONT_FRAGMENT));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {300, 400, 401, 403, 420, 437, 438, 440, 441, 442, 443, 486, 487, 500, 508, 699})
    void errorCodes(int code) throws StunParseException {
        String reason = StunErrorCode.reason(code);
        ByteBuf out = support.out();
        StunWriter.begin(out, StunMethod.ALLOCATE, StunClass.ERROR_RESPONSE, TID)
                .errorCode(code, reason)
                .string(StunAttribute.SOFTWARE, "x")
                .fingerprint();
        StunMessage m = StunMessage.decode(out);
        assertEquals(code, m.errorCode());
        byte[] value = m.bytes(StunAttribute.ERROR_CODE);
        assertEquals(String.format("0000%02x%02x", code / 100, code % 100) + hex(utf8(reason)), hex(value));
        assertEquals("x", m.string(StunAttribute.SOFTWARE));
    }

    @Test
    void errorCodeWithAnEmptyReasonAndAbsentOrShort() throws StunParseException {
        ByteBuf out = support.out();
        StunWriter.begin(out, StunMethod.BINDING, StunClass.ERROR_RESPONSE, TID).errorCode(400, "").finish();
        assertEquals(400, StunMessage.decode(out).errorCode());
        ByteBuf none = support.out();
        StunWriter.begin(none, StunMethod.BINDING, StunClass.ERROR_RESPONSE, TID).finish();
        assertEquals(-1, StunMessage.decode(none).errorCode());
        ByteBuf shortValue = support.out();
        StunWriter.begin(shortValue, StunMethod.BINDING, StunClass.ERROR_RESPONSE, TID)
                .bytes(StunAttribute.ERROR_CODE, hex("000004")).finish();
        assertEquals(-1, StunMessage.decode(shortValue).errorCode());
    }

    @ParameterizedTest(name = "{0} types")
    @ValueSource(ints = {0, 1, 2, 3, 4, 5})
    void unknownAttributesOfOddAndEvenCounts(int count) throws StunParseException {
        int[] types = new int[count];
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < count; i++) {
            types[i] = 0x7f00 + i;
            expected.append(String.format("%04x", types[i]));
        }
        ByteBuf out = support.out();
        StunWriter.begin(out, StunMethod.ALLOCATE, StunClass.ERROR_RESPONSE, TID)
                .errorCode(420, "Unknown Attribute")
                .unknownAttributes(types)
                .string(StunAttribute.SOFTWARE, "y")
                .fingerprint();
        StunMessage m = StunMessage.decode(out);
        assertEquals(2 * count, m.valueLength(m.indexOf(StunAttribute.UNKNOWN_ATTRIBUTES)));
        assertEquals(expected.toString(), hex(m.bytes(StunAttribute.UNKNOWN_ATTRIBUTES)));
        assertEquals("y", m.string(StunAttribute.SOFTWARE));
    }

    @Test
    void passwordAlgorithms() throws StunParseException {
        ByteBuf out = support.out();
        StunWriter.begin(out, StunMethod.ALLOCATE, StunClass.ERROR_RESPONSE, TID)
                .passwordAlgorithms()
                .passwordAlgorithms(2)
                .finish();
        StunMessage m = StunMessage.decode(out);
        assertArrayEquals(new byte[0], m.bytes(StunAttribute.PASSWORD_ALGORITHMS), "first (empty) wins");
        ByteBuf two = support.out();
        StunWriter.begin(two, StunMethod.ALLOCATE, StunClass.ERROR_RESPONSE, TID).passwordAlgorithms(2, 1).finish();
        assertEquals("0002000000010000", hex(StunMessage.decode(two).bytes(StunAttribute.PASSWORD_ALGORITHMS)));
    }

    @Test
    void uint32Values() throws StunParseException {
        ByteBuf out = support.out();
        StunWriter.begin(out, StunMethod.REFRESH, StunClass.SUCCESS_RESPONSE, TID)
                .uint32(StunAttribute.LIFETIME, 0xffffffffL)
                .uint32(StunAttribute.PRIORITY, 0)
                .bytes(StunAttribute.CHANNEL_NUMBER, hex("4000")) // wrong length: reads as absent
                .finish();
        StunMessage m = StunMessage.decode(out);
        assertEquals(0xffffffffL, m.uint32(StunAttribute.LIFETIME, -1));
        assertEquals(0, m.uint32(StunAttribute.PRIORITY, -1));
        assertEquals(-7, m.uint32(StunAttribute.CHANNEL_NUMBER, -7));
        assertEquals(-7, m.uint32(StunAttribute.REQUESTED_TRANSPORT, -7));
        assertNull(m.string(StunAttribute.USERNAME));
        assertNull(m.bytes(StunAttribute.USERNAME));
    }

    @Test
    void messageWrittenAtANonZeroIndexOfASharedBuffer() throws StunParseException {
        ByteBuf out = support.out();
        out.writeBytes(hex("deadbeefcc")); // 5 bytes of something else: the message starts unaligned
        StunWriter.begin(out, StunMethod.ALLOCATE, StunClass.SUCCESS_RESPONSE, TID)
                .address(StunAttribute.XOR_RELAYED_ADDRESS, address("2001:db8::7", 50000))
                .address(StunAttribute.XOR_MAPPED_ADDRESS, address("203.0.113.9", 40000))
                .string(StunAttribute.SOFTWARE, "odd")
                .uint32(StunAttribute.LIFETIME, 600)
                .messageIntegrity(KEY)
                .fingerprint();
        out.readerIndex(5);
        StunMessage m = StunMessage.decode(out);
        assertEquals(5, m.start());
        assertEquals(address("2001:db8::7", 50000), m.address(StunAttribute.XOR_RELAYED_ADDRESS));
        assertEquals(address("203.0.113.9", 40000), m.address(StunAttribute.XOR_MAPPED_ADDRESS));
        assertEquals(600, m.uint32(StunAttribute.LIFETIME, -1));
        assertTrue(m.verifyIntegrity(KEY));
        assertTrue(m.hasFingerprint());
        for (int i = 0; i < m.attributeCount(); i++) {
            assertEquals(0, (m.valueIndex(i) - 4 - m.start()) % 4, "attribute " + i + " aligned to the message");
        }
        // The same bytes copied to the start of a fresh buffer decode identically.
        byte[] copy = bytes(out);
        assertTrue(support.decode(copy).verifyIntegrity(KEY));
    }

    // --- indexing rules --------------------------------------------------------------------------------------------

    @Test
    void duplicateAttributesFirstWins() throws StunParseException {
        ByteBuf out = support.out();
        StunWriter.begin(out, StunMethod.ALLOCATE, StunClass.REQUEST, TID)
                .string(StunAttribute.USERNAME, "first")
                .uint32(StunAttribute.LIFETIME, 1)
                .string(StunAttribute.USERNAME, "second")
                .uint32(StunAttribute.LIFETIME, 2)
                .address(StunAttribute.XOR_MAPPED_ADDRESS, address("192.0.2.1", 1))
                .address(StunAttribute.XOR_MAPPED_ADDRESS, address("192.0.2.2", 2))
                .bytes(0x7fff, hex("01"))
                .bytes(0x7fff, hex("02"))
                .finish();
        StunMessage m = StunMessage.decode(out);
        assertEquals("first", m.string(StunAttribute.USERNAME));
        assertEquals(1, m.uint32(StunAttribute.LIFETIME, -1));
        assertEquals(address("192.0.2.1", 1), m.address(StunAttribute.XOR_MAPPED_ADDRESS));
        assertEquals(List.of(address("192.0.2.1", 1)), m.addresses(StunAttribute.XOR_MAPPED_ADDRESS));
        assertArrayEquals(hex("01"), m.bytes(0x7fff));
        assertArrayEquals(new int[] {StunAttribute.USERNAME, StunAttribute.LIFETIME, StunAttribute.XOR_MAPPED_ADDRESS,
                0x7fff}, types(m));
    }

    @Test
    void attributesAfterMessageIntegrityAreIgnoredExceptSha256AndFingerprint() throws StunParseException {
        ByteBuf out = support.out();
        StunWriter.begin(out, StunMethod.ALLOCATE, StunClass.REQUEST, TID)
                .string(StunAttribute.USERNAME, "user")
                .messageIntegrity(KEY)
                .string(StunAttribute.SOFTWARE, "ignored") // RFC 8489 14.5: ignored after MESSAGE-INTEGRITY
                .bytes(0x7ffe, hex("00")) // also ignored, so not "unknown comprehension-required" either
                .messageIntegritySha256(KEY_256) // kept: section 14.6
                .string(StunAttribute.REALM, "ignored") // ignored after MESSAGE-INTEGRITY-SHA256
                .messageIntegrity(KEY) // ignored: a second MESSAGE-INTEGRITY
                .fingerprint();
        StunMessage m = StunMessage.decode(out);
        assertArrayEquals(new int[] {StunAttribute.USERNAME, StunAttribute.MESSAGE_INTEGRITY,
                StunAttribute.MESSAGE_INTEGRITY_SHA256}, types(m));
        assertFalse(m.has(StunAttribute.SOFTWARE));
        assertNull(m.string(StunAttribute.REALM));
        assertEquals(0, m.unknownComprehensionRequired().length);
        assertTrue(m.verifyIntegrity(KEY));
        assertTrue(m.verifyIntegritySha256(KEY_256));
        assertTrue(m.hasFingerprint());
    }

    @Test
    void attributesAfterMessageIntegritySha256AreIgnored() throws StunParseException {
        ByteBuf out = support.out();
        StunWriter.begin(out, StunMethod.REFRESH, StunClass.REQUEST, TID)
                .string(StunAttribute.USERNAME, "user")
                .messageIntegritySha256(KEY_256)
                .messageIntegrity(KEY) // MESSAGE-INTEGRITY may not follow MESSAGE-INTEGRITY-SHA256: ignored
                .messageIntegritySha256(KEY_256) // a second one: ignored
                .uint32(StunAttribute.LIFETIME, 0)
                .finish();
        StunMessage m = StunMessage.decode(out);
        assertArrayEquals(new int[] {StunAttribute.USERNAME, StunAttribute.MESSAGE_INTEGRITY_SHA256}, types(m));
        assertFalse(m.hasIntegrity());
        assertEquals(-1, m.uint32(StunAttribute.LIFETIME, -1));
        assertTrue(m.verifyIntegritySha256(KEY_256));
    }

    @Test
    void ignoredAttributesAreNotCoveredByTheIntegrityThatPrecedesThem() throws StunParseException {
        ByteBuf out = support.out();
        StunWriter.begin(out, StunMethod.BINDING, StunClass.REQUEST, TID)
                .string(StunAttribute.USERNAME, "user")
                .messageIntegrity(KEY)
                .string(StunAttribute.SOFTWARE, "tail")
                .finish();
        out.setByte(out.writerIndex() - 1, 'X'); // change the ignored SOFTWARE value
        StunMessage m = StunMessage.decode(out);
        assertTrue(m.verifyIntegrity(KEY), "the HMAC covers only what precedes MESSAGE-INTEGRITY");
    }

    @Test
    void badLengthIntegrityAfterIntegrityIsIgnoredButBadSha256IsNot() throws StunParseException {
        // An ignored attribute's content does not matter, even a MESSAGE-INTEGRITY with a wrong length.
        ByteBuf ignored = support.out();
        StunWriter.begin(ignored, StunMethod.BINDING, StunClass.REQUEST, TID)
                .messageIntegrity(KEY)
                .bytes(StunAttribute.MESSAGE_INTEGRITY, new byte[4])
                .finish();
        assertTrue(StunMessage.decode(ignored).verifyIntegrity(KEY));
        // MESSAGE-INTEGRITY-SHA256 after MESSAGE-INTEGRITY is processed, so its length is checked.
        ByteBuf checked = support.out();
        StunWriter.begin(checked, StunMethod.BINDING, StunClass.REQUEST, TID)
                .messageIntegrity(KEY)
                .bytes(StunAttribute.MESSAGE_INTEGRITY_SHA256, new byte[12])
                .finish();
        assertThrows(StunParseException.class, () -> StunMessage.decode(checked));
    }

    @Test
    void unknownComprehensionRequiredAttributes() throws StunParseException {
        ByteBuf out = support.out();
        StunWriter.begin(out, StunMethod.ALLOCATE, StunClass.REQUEST, TID)
                .bytes(0x7fff, hex("00"))
                .bytes(0x8fff, hex("00")) // comprehension-optional: never listed
                .string(StunAttribute.USERNAME, "u")
                .bytes(0x0003, hex("00000000")) // RFC 5780 CHANGE-REQUEST: not understood here
                .bytes(0x7fff, hex("01")) // a duplicate: first wins, listed once
                .bytes(0xc001, hex(""))
                .finish();
        StunMessage m = StunMessage.decode(out);
        assertArrayEquals(new int[] {0x7fff, 0x0003}, m.unknownComprehensionRequired());
        assertTrue(m.has(0x8fff));

        ByteBuf known = support.out();
        StunWriter.begin(known, StunMethod.ALLOCATE, StunClass.REQUEST, TID)
                .uint32(StunAttribute.REQUESTED_TRANSPORT, 17L << 24)
                .flag(StunAttribute.DONT_FRAGMENT)
                .bytes(StunAttribute.ICE_CONTROLLING, new byte[8])
                .finish();
        assertArrayEquals(new int[0], StunMessage.decode(known).unknownComprehensionRequired());
    }

    @Test
    void manyAttributesGrowTheIndex() throws StunParseException {
        ByteBuf out = support.out();
        StunWriter w = StunWriter.begin(out, StunMethod.CREATE_PERMISSION, StunClass.REQUEST, TID);
        for (int i = 0; i < 100; i++) {
            w.address(StunAttribute.XOR_PEER_ADDRESS, address("10.0.0." + i, 1000 + i));
        }
        w.fingerprint();
        StunMessage m = StunMessage.decode(out);
        assertEquals(100, m.attributeCount());
        assertEquals(address("10.0.0.99", 1099), m.addresses(StunAttribute.XOR_PEER_ADDRESS).get(99));
    }

    // --- malformed input -------------------------------------------------------------------------------------------

    /** A valid message with a few attributes and a FINGERPRINT, for the malformed-input tests to damage. */
    private byte[] valid() {
        ByteBuf out = support.out();
        StunWriter.begin(out, StunMethod.BINDING, StunClass.REQUEST, TID)
                .string(StunAttribute.USERNAME, "user:name")
                .uint32(StunAttribute.PRIORITY, 12345)
                .messageIntegrity(KEY)
                .fingerprint();
        return bytes(out);
    }

    private void assertRejected(byte[] message, String expectedText) {
        StunParseException e = assertThrows(StunParseException.class, () -> support.decode(message), hex(message));
        assertNotNull(e.getMessage());
        if (expectedText != null) {
            assertTrue(e.getMessage().contains(expectedText), e.getMessage());
        }
        // Also from a direct buffer, which takes the NIO path for CRC and HMAC.
        assertThrows(StunParseException.class, () -> StunMessage.decode(support.direct(message)));
        // And into a reusable message that held a valid one: the same error, and nothing of either message is left.
        for (ByteBuf buf : new ByteBuf[] {support.heap(message), support.direct(message)}) {
            StunMessage reused = StunMessage.reusable();
            try {
                reused.reset(support.heap(valid()));
            } catch (StunParseException unexpected) {
                throw new AssertionError(unexpected);
            }
            StunParseException again = assertThrows(StunParseException.class, () -> reused.reset(buf), hex(message));
            assertEquals(e.getMessage(), again.getMessage());
            StunReuseTest.assertEmpty(reused);
        }
    }

    @Test
    void truncatedHeader() {
        byte[] valid = valid();
        for (int n = 0; n < StunMessage.HEADER_LENGTH; n++) {
            assertRejected(Arrays.copyOf(valid, n), "expected: >= 20");
        }
    }

    @Test
    void truncatedOrExtendedBody() {
        byte[] valid = valid();
        for (int n = StunMessage.HEADER_LENGTH; n < valid.length; n++) {
            assertRejected(Arrays.copyOf(valid, n), null);
        }
        assertRejected(Arrays.copyOf(valid, valid.length + 4), "bytes after the header");
        assertRejected(Arrays.copyOf(valid, valid.length + 1), null);
    }

    @ParameterizedTest(name = "first byte 0x{0}")
    @ValueSource(strings = {"40", "80", "c0", "ff"})
    void firstTwoBitsMustBeZero(String firstByte) {
        byte[] b = valid();
        b[0] |= (byte) Integer.parseInt(firstByte, 16);
        assertRejected(b, "first two bits");
    }

    @Test
    void badMagicCookie() {
        byte[] b = valid();
        b[7] ^= 0x01;
        assertRejected(b, "magic cookie: 0x2112a443");
        byte[] rfc3489 = hex("0001 0000 00000000 000102030405060708090a0b"); // RFC 3489: no cookie
        assertRejected(rfc3489, "magic cookie");
    }

    @ParameterizedTest(name = "length {0}")
    @ValueSource(ints = {1, 2, 3, 5, 6, 7, 13})
    void lengthNotAMultipleOfFour(int length) {
        byte[] b = new byte[20 + length];
        System.arraycopy(hex("0001 0000 2112a442 0102030405060708090a0b0c"), 0, b, 0, 20);
        setLength(b, b.length);
        assertRejected(b, "a multiple of 4");
    }

    @Test
    void attributeOverrunningTheMessage() {
        assertRejected(hex("0001 0008 2112a442 0102030405060708090a0b0c 0006 0005 61626364"), "0x0006 length: 5");
        assertRejected(hex("0001 0008 2112a442 0102030405060708090a0b0c 0006 0008 61626364"), null);
        assertRejected(hex("0001 0008 2112a442 0102030405060708090a0b0c 0006 ffff 61626364"), null);
        assertRejected(hex("0001 0008 2112a442 0102030405060708090a0b0c 0006 0000 8022 0001"), null);
        // A second attribute whose header fits but whose value does not.
        assertRejected(hex("0001 000c 2112a442 0102030405060708090a0b0c 0013 0001 ff000000 0013 0001"),
                "0x0013 length: 1 (expected: <= 0)");
    }

    @Test
    void attributeAfterFingerprint() {
        byte[] valid = valid();
        byte[] b = Arrays.copyOf(valid, valid.length + 8);
        System.arraycopy(hex("0024 0004 00000001"), 0, b, valid.length, 8);
        setLength(b, b.length);
        // A FINGERPRINT that matches the message as sent (header length included), so only its position is wrong.
        putInt(b, valid.length - 4, fingerprintOf(b, valid.length - 8));
        assertRejected(b, "after FINGERPRINT");
    }

    @Test
    void badFingerprint() {
        byte[] b = valid();
        b[b.length - 1] ^= 0x01;
        assertRejected(b, "FINGERPRINT does not match");
        byte[] body = valid();
        body[24] ^= 0x01; // inside USERNAME
        assertRejected(body, "FINGERPRINT does not match");
    }

    @Test
    void fingerprintWithAWrongLength() {
        for (String v : new String[] {"8028 0000", "8028 0008 0000000000000000", "8028 0003 00000000"}) {
            byte[] b = hex("0001 0000 2112a442 0102030405060708090a0b0c" + v);
            setLength(b, b.length);
            assertRejected(b, "FINGERPRINT length");
        }
    }

    @ParameterizedTest(name = "MESSAGE-INTEGRITY of {0} bytes")
    @ValueSource(ints = {0, 4, 16, 19, 21, 24, 32})
    void messageIntegrityWithAWrongLength(int length) {
        ByteBuf out = support.out();
        StunWriter.begin(out, StunMethod.BINDING, StunClass.REQUEST, TID)
                .string(StunAttribute.USERNAME, "u")
                .bytes(StunAttribute.MESSAGE_INTEGRITY, new byte[length])
                .finish();
        assertRejected(bytes(out), "MESSAGE-INTEGRITY length: " + length + " (expected: 20)");
    }

    @ParameterizedTest(name = "MESSAGE-INTEGRITY-SHA256 of {0} bytes")
    @ValueSource(ints = {0, 4, 12, 15, 18, 30, 36, 64})
    void messageIntegritySha256WithAWrongLength(int length) {
        ByteBuf out = support.out();
        StunWriter.begin(out, StunMethod.BINDING, StunClass.REQUEST, TID)
                .string(StunAttribute.USERNAME, "u")
                .bytes(StunAttribute.MESSAGE_INTEGRITY_SHA256, new byte[length])
                .finish();
        assertRejected(bytes(out), "MESSAGE-INTEGRITY-SHA256 length");
    }

    @Test
    void parseExceptionIsCheapAndDescriptive() {
        StunParseException e = assertThrows(StunParseException.class, () -> support.decode(new byte[3]));
        assertEquals(0, e.getStackTrace().length, "no stack trace on the receive path");
        assertEquals("message length: 3 bytes (expected: >= 20)", e.getMessage());
    }

    /**
     * Seeded random input: pure noise, noise behind a plausible header, random attribute sequences, and mutations of
     * valid messages. Each must either decode or throw {@link StunParseException}; nothing else. A decoded message
     * must also survive every accessor.
     */
    @Test
    void randomInputOnlyEverDecodesOrThrowsStunParseException() {
        Random random = new Random(0x5354554eL);
        List<byte[]> seeds = List.of(valid(), Rfc5769VectorsTest.SAMPLE_REQUEST,
                Rfc5769VectorsTest.SAMPLE_IPV6_RESPONSE, Rfc5769VectorsTest.LONG_TERM_REQUEST,
                Rfc8489AppendixB1Test.REQUEST);
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int i = 0; i < 20_000; i++) {
            byte[] input;
            switch (i % 4) {
                case 0 -> {
                    input = new byte[random.nextInt(120)];
                    random.nextBytes(input);
                }
                case 1 -> input = plausibleHeader(random, randomBytes(random, random.nextInt(30) * 4));
                case 2 -> input = randomAttributes(random);
                default -> {
                    byte[] seed = seeds.get(random.nextInt(seeds.size()));
                    input = seed.clone();
                    for (int k = 1 + random.nextInt(4); k > 0; k--) {
                        input[random.nextInt(input.length)] = (byte) random.nextInt(256);
                    }
                }
            }
            String outcome = tryDecode(input, i);
            outcomes.merge((i % 4) + ":" + outcome, 1, Integer::sum);
        }
        // Each generator must reach the decoder's success path, or the exercise proves little.
        for (int g = 1; g < 4; g++) {
            assertTrue(outcomes.getOrDefault(g + ":decoded", 0) > 100, "generator " + g + ": " + outcomes);
        }
    }

    /** Decodes every random input a second time into this one message, which must agree with a fresh decode. */
    private final StunMessage reused = StunMessage.reusable();

    private String tryDecode(byte[] input, int iteration) {
        try {
            String outcome = null;
            for (ByteBuf buf : new ByteBuf[] {support.heap(input), support.direct(input)}) {
                String o;
                try {
                    StunMessage fresh = StunMessage.decode(buf);
                    exerciseAccessors(fresh);
                    StunReuseTest.assertSameView(fresh, reused.reset(buf));
                    o = "decoded";
                } catch (StunParseException e) {
                    StunParseException again = assertThrows(StunParseException.class, () -> reused.reset(buf));
                    assertEquals(e.getMessage(), again.getMessage());
                    StunReuseTest.assertEmpty(reused);
                    o = "rejected";
                } catch (RuntimeException e) {
                    throw new AssertionError("iteration " + iteration + ", input " + hex(input), e);
                }
                if (outcome != null && !outcome.equals(o)) {
                    fail("heap and direct buffers disagree on " + hex(input));
                }
                outcome = o;
            }
            return outcome;
        } finally {
            support.releaseAll();
        }
    }

    private static void exerciseAccessors(StunMessage m) {
        m.method();
        m.messageClass();
        m.transactionId();
        m.encodedLength();
        m.toString();
        m.errorCode();
        m.verifyIntegrity(KEY);
        m.verifyIntegritySha256(KEY_256);
        m.unknownComprehensionRequired();
        for (int i = 0; i < m.attributeCount(); i++) {
            int type = m.attributeType(i);
            m.value(i).readableBytes();
            m.string(type);
            m.bytes(type);
            m.uint32(type, -1);
            m.address(type);
            m.addresses(type);
            StunReuseTest.assertAddressReadersAgree(m, i);
        }
        assertEquals(m.unknownComprehensionRequired().length > 0, m.hasUnknownComprehensionRequired());
    }

    private static byte[] randomBytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] plausibleHeader(Random random, byte[] body) {
        byte[] b = new byte[20 + body.length];
        b[0] = (byte) random.nextInt(0x40);
        b[1] = (byte) random.nextInt(256);
        setLength(b, b.length);
        putInt(b, 4, StunMessage.MAGIC_COOKIE);
        System.arraycopy(randomBytes(random, 12), 0, b, 8, 12);
        System.arraycopy(body, 0, b, 20, body.length);
        return b;
    }

    private static final int[] INTERESTING_TYPES = {StunAttribute.MAPPED_ADDRESS, StunAttribute.XOR_MAPPED_ADDRESS,
        StunAttribute.XOR_PEER_ADDRESS, StunAttribute.XOR_RELAYED_ADDRESS, StunAttribute.ALTERNATE_SERVER,
        StunAttribute.USERNAME, StunAttribute.ERROR_CODE, StunAttribute.LIFETIME, StunAttribute.MESSAGE_INTEGRITY,
        StunAttribute.MESSAGE_INTEGRITY_SHA256, StunAttribute.FINGERPRINT, StunAttribute.UNKNOWN_ATTRIBUTES,
        StunAttribute.DATA, 0x7fff, 0x8fff, 0x0000, 0xffff};

    /** A well-framed message of random attributes, sometimes with a correct FINGERPRINT at the end. */
    private static byte[] randomAttributes(Random random) {
        ByteBuf body = Unpooled.buffer();
        try {
            for (int n = random.nextInt(6); n > 0; n--) {
                int type = INTERESTING_TYPES[random.nextInt(INTERESTING_TYPES.length)];
                int length = random.nextInt(4) == 0 ? random.nextInt(40)
                        : new int[] {0, 4, 8, 20, 32, 16, 24}[random.nextInt(7)];
                body.writeShort(type).writeShort(length).writeBytes(randomBytes(random, (length + 3) & ~3));
                if (type == StunAttribute.XOR_MAPPED_ADDRESS && length >= 2) {
                    body.setByte(body.writerIndex() - ((length + 3) & ~3) + 1, 1 + random.nextInt(2));
                }
            }
            byte[] message = plausibleHeader(random, bytes(body));
            if (random.nextBoolean()) {
                message = Arrays.copyOf(message, message.length + 8);
                setLength(message, message.length);
                putInt(message, message.length - 8, 0x80280004);
                putInt(message, message.length - 4, fingerprintOf(message, message.length - 8));
            }
            return message;
        } finally {
            body.release();
        }
    }

    // --- small helpers: TransactionId, ChannelData, demultiplexing -------------------------------------------------

    @Test
    void transactionIds() {
        byte[] twelve = hex("b7e7a701bc34d686fa87dfae");
        TransactionId id = TransactionId.of(twelve);
        assertArrayEquals(twelve, id.toBytes());
        assertEquals("b7e7a701bc34d686fa87dfae", id.toString());
        assertEquals(id, TransactionId.of(twelve.clone()));
        assertEquals(id.hashCode(), TransactionId.of(twelve.clone()).hashCode());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TransactionId.of(new byte[11]));
        assertEquals("transaction ID length: 11 (expected: 12)", e.getMessage());
        assertNotEquals(TransactionId.random(), TransactionId.random());
        ByteBuf buf = support.out();
        id.write(buf);
        assertEquals(id, TransactionId.read(buf, 0));
        assertEquals(12, buf.readableBytes());
    }

    @Test
    void demultiplexingByFirstBits() {
        ByteBuf stun = support.heap(valid());
        assertTrue(StunMessage.isStun(stun));
        assertFalse(ChannelData.isChannelData(stun));
        ByteBuf channelData = support.heap(hex("4000 0001 ff000000"));
        assertTrue(ChannelData.isChannelData(channelData));
        assertFalse(StunMessage.isStun(channelData));
        assertEquals(0x4000, ChannelData.channel(channelData));
        assertEquals(1, ChannelData.length(channelData));
        assertFalse(ChannelData.isChannelData(support.heap(hex("400000"))), "shorter than the header");
        assertFalse(StunMessage.isStun(support.heap(new byte[19])), "shorter than the header");
        assertFalse(StunMessage.isStun(support.heap(hex("80" + "00".repeat(19)))), "RTP/DTLS range");
    }

    @Test
    void channelDataHelpers() {
        // RFC 8656 section 12: 0x4000-0x4FFF must be accepted; nothing outside 0b01xxxxxx may be, or ChannelData
        // would no longer demultiplex from STUN and DTLS (RFC 7983). (0x5000-0x7FFF: RFC 5766 range, a policy choice.)
        assertFalse(ChannelData.isValidChannel(0x0000));
        assertFalse(ChannelData.isValidChannel(0x3fff));
        assertTrue(ChannelData.isValidChannel(0x4000));
        assertTrue(ChannelData.isValidChannel(0x4fff));
        assertFalse(ChannelData.isValidChannel(0x8000));
        assertFalse(ChannelData.isValidChannel(0xffff));
        int[] padded = {0, 4, 4, 4, 4, 8, 8, 8, 8, 12};
        for (int i = 0; i < padded.length; i++) {
            assertEquals(padded[i], ChannelData.paddedLength(i));
        }
        ByteBuf out = support.out();
        ChannelData.writeHeader(out, 0x4abc, 0xfffe);
        assertEquals("4abcfffe", hex(bytes(out)));
        assertEquals(0x4abc, ChannelData.channel(out));
        assertEquals(0xfffe, ChannelData.length(out));
    }

    // --- expected values computed independently --------------------------------------------------------------------

    /** RFC 8489 sections 14.1 and 14.2: family, port (XOR the cookie's top half), address (XOR cookie || tid). */
    static byte[] addressValue(InetSocketAddress a, boolean xor, TransactionId tid) {
        byte[] ip = a.getAddress().getAddress();
        byte[] v = new byte[4 + ip.length];
        v[1] = (byte) (ip.length == 4 ? 1 : 2);
        int port = xor ? a.getPort() ^ 0x2112 : a.getPort();
        v[2] = (byte) (port >>> 8);
        v[3] = (byte) port;
        byte[] key = hex("2112a442" + tid);
        for (int i = 0; i < ip.length; i++) {
            v[4 + i] = (byte) (xor ? ip[i] ^ key[i] : ip[i]);
        }
        return v;
    }

    @Test
    void addressValueHelperMatchesTheRfc5769Vector() {
        // Guards the helper above with the RFC's own bytes.
        assertEquals("0001a147e112a643", hex(addressValue(address("192.0.2.1", 32853), true,
                Rfc5769VectorsTest.TID_2_1)));
        assertEquals("0002a1470113a9faa5d3f179bc25f4b5bed2b9d9", hex(addressValue(
                address("2001:db8:1234:5678:11:2233:4455:6677", 32853), true, Rfc5769VectorsTest.TID_2_1)));
    }

    @Test
    void fingerprintMismatchIsNotSilentlyIgnoredForAnyBufferKind() {
        byte[] b = valid();
        b[b.length - 2] ^= 0x40;
        for (ByteBuf buf : new ByteBuf[] {support.heap(b), support.direct(b), support.composite(b, 30)}) {
            assertThrows(StunParseException.class, () -> StunMessage.decode(buf));
        }
    }

    @Test
    void decodeNeitherMovesIndexesNorChangesReferenceCount() throws StunParseException {
        ByteBuf buf = support.direct(valid());
        int before = buf.readerIndex();
        StunMessage m = StunMessage.decode(buf);
        assertEquals(before, buf.readerIndex());
        assertEquals(1, buf.refCnt());
        assertSame(buf, m.buffer());
        ByteBuf value = m.value(0);
        assertEquals(1, buf.refCnt(), "value slices are not retained");
        assertEquals("user:name", value.toString(StandardCharsets.UTF_8));
    }

    @Test
    void harnessReportsABufferLeftRetained() {
        // Sanity check of the harness: a buffer retained once more than released is reported by releaseAll().
        ByteBuf buf = support.heap(new byte[4]);
        buf.retain();
        AssertionError e = assertThrows(AssertionError.class, support::releaseAll);
        assertTrue(e.getMessage().contains("retained"), e.getMessage());
        if (buf.refCnt() != 0) {
            fail("releaseAll must still free the buffer");
        }
    }
}
