package io.parkway.turn;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The last IPv4 peer an allocation's client named in a Send indication (RFC 8656 section 10.2), kept so that the next
 * Send indication to the same peer — the usual case: a client sends to one peer many times before it binds a
 * channel, or never binds one — reuses the address object and the peer policy's verdict instead of building an
 * {@link InetSocketAddress} and asking the policy per packet.
 *
 * <p>Created on an allocation's first Send indication (allocations that only use channels never pay for it).
 * Confined to the allocation's event loop.
 */
final class SendPeer {
    private int ipv4;
    private int port = -1;
    /** Where datagrams go: {@link PeerAddresses#local} of the named address. */
    private InetSocketAddress address;
    /** The policy {@link #policyAllows} was computed with; a reload swaps the policy, which invalidates it. */
    private PeerPolicy policy;
    private boolean policyAllows;

    /** The peer named by these bits (XOR-PEER-ADDRESS already un-XORed), mapped to the local relay address. */
    InetSocketAddress address(TurnServerContext server, int ipv4, int port) {
        if (address == null || this.ipv4 != ipv4 || this.port != port) {
            byte[] b = {(byte) (ipv4 >>> 24), (byte) (ipv4 >>> 16), (byte) (ipv4 >>> 8), (byte) ipv4};
            try {
                address = PeerAddresses.local(server, new InetSocketAddress(InetAddress.getByAddress(b), port));
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e); // cannot happen: 4 bytes
            }
            this.ipv4 = ipv4;
            this.port = port;
            policy = null;
        }
        return address;
    }

    /**
     * Whether the peer policy admits the address last returned by {@link #address}: the policy's verdict, cached per
     * policy object, or the exception for this server's live allocations, which is checked every time (they come
     * and go).
     */
    boolean permitted(TurnServerContext server) {
        PeerPolicy current = server.peerPolicy();
        if (policy != current) {
            policy = current;
            policyAllows = current.permits(address.getAddress());
        }
        return policyAllows || PeerAddresses.isOwnAllocation(server, address);
    }
}
