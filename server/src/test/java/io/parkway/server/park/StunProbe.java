package io.parkway.server.park;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Run inside a namespace ({@code ip netns exec NS java -cp … StunProbe HOST:PORT HOST:PORT…}): sends a STUN Binding
 * request to each server <em>from one and the same UDP socket</em> and prints the mapped addresses, one line
 * {@code stun-probe mapped <address:port> <address:port>…}. Behind an endpoint-independent NAT every server sees the same
 * mapping; behind a symmetric NAT each destination gets its own port. (coturn's {@code turnutils_stunclient} cannot
 * show this: it opens a new socket each run.)
 *
 * <p>Binding request and XOR-MAPPED-ADDRESS:
 * <a href="https://datatracker.ietf.org/doc/html/rfc8489#section-14.2">RFC 8489 section 14.2</a>.
 */
public final class StunProbe {

    private static final int MAGIC_COOKIE = 0x2112A442;
    private static final int BINDING_REQUEST = 0x0001;
    private static final int BINDING_SUCCESS = 0x0101;
    private static final int XOR_MAPPED_ADDRESS = 0x0020;

    private StunProbe() {
    }

    public static void main(String[] args) throws IOException {
        List<String> mapped = new ArrayList<>();
        try (DatagramSocket socket = new DatagramSocket(0)) {
            socket.setSoTimeout(500);
            for (String server : args) {
                int colon = server.lastIndexOf(':');
                InetSocketAddress to = new InetSocketAddress(InetAddress.getByName(server.substring(0, colon)),
                        Integer.parseInt(server.substring(colon + 1)));
                mapped.add(bind(socket, to));
            }
        }
        System.out.println("stun-probe mapped " + String.join(" ", mapped));
    }

    private static String bind(DatagramSocket socket, InetSocketAddress server) throws IOException {
        byte[] transaction = new byte[12];
        new SecureRandom().nextBytes(transaction);
        ByteBuffer request = ByteBuffer.allocate(20)
                .putShort((short) BINDING_REQUEST).putShort((short) 0).putInt(MAGIC_COOKIE).put(transaction);
        byte[] buf = new byte[1500];
        for (int attempt = 0; attempt < 7; attempt++) {
            socket.send(new DatagramPacket(request.array(), 20, server));
            try {
                while (true) {
                    DatagramPacket response = new DatagramPacket(buf, buf.length);
                    socket.receive(response);
                    String result = parse(ByteBuffer.wrap(buf, 0, response.getLength()), transaction);
                    if (result != null) {
                        return result;
                    }
                }
            } catch (SocketTimeoutException retransmit) {
                // next attempt
            }
        }
        return "no-response-from-" + server.getAddress().getHostAddress() + ":" + server.getPort();
    }

    private static String parse(ByteBuffer b, byte[] transaction) {
        if (b.remaining() < 20 || (b.getShort() & 0xffff) != BINDING_SUCCESS) {
            return null;
        }
        int length = b.getShort() & 0xffff;
        byte[] id = new byte[12];
        int cookie = b.getInt();
        b.get(id);
        if (cookie != MAGIC_COOKIE || !Arrays.equals(transaction, id)) {
            return null;
        }
        int end = Math.min(b.limit(), 20 + length);
        while (b.position() + 4 <= end) {
            int type = b.getShort() & 0xffff;
            int attrLength = b.getShort() & 0xffff;
            int next = b.position() + ((attrLength + 3) & ~3);
            if (type == XOR_MAPPED_ADDRESS && attrLength >= 8 && b.get(b.position() + 1) == 0x01) {
                int port = (b.getShort(b.position() + 2) & 0xffff) ^ (MAGIC_COOKIE >>> 16);
                int address = b.getInt(b.position() + 4) ^ MAGIC_COOKIE;
                return ((address >>> 24) & 0xff) + "." + ((address >>> 16) & 0xff) + "." + ((address >>> 8) & 0xff)
                        + "." + (address & 0xff) + ":" + port;
            }
            b.position(Math.min(next, end));
        }
        return null;
    }
}
