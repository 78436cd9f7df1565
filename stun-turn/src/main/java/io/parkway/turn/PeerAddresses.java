package io.parkway.turn;

import io.parkway.stun.StunErrorCode;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Checks and normalises a peer address taken from XOR-PEER-ADDRESS (RFC 8656 sections 9.2, 10.2 and 11.2, and the
 * peer policy of section 21.3).
 *
 * <p>The relay's own addresses are refused as peers, with one exception: a relayed transport address of another
 * allocation on this server. That is the everyday case of two clients that can only use relay candidates (a
 * speaker behind symmetric NAT, a listener behind CGNAT) relaying through the same server; ICE pairs relay with
 * relay. Such a peer, named by the external (advertised) address, is rewritten to the local relay address, so
 * traffic stays inside the host instead of depending on the cloud NAT's hairpinning.
 */
final class PeerAddresses {
    private PeerAddresses() {
    }

    /**
     * @return 0 when the peer is acceptable, else the error code: 400 malformed, 443 family mismatch with the relayed
     *     address, 403 refused by the peer policy
     */
    static int check(TurnServerContext server, InetSocketAddress peer) {
        if (peer == null || peer.getPort() == 0) {
            return StunErrorCode.BAD_REQUEST;
        }
        if ((peer.getAddress() instanceof Inet4Address) != (server.relayAddress instanceof Inet4Address)) {
            return StunErrorCode.PEER_ADDRESS_FAMILY_MISMATCH;
        }
        if (!permits(server, peer)) {
            server.stats.peerDenied.increment();
            return StunErrorCode.FORBIDDEN;
        }
        return 0;
    }

    /** The peer policy, plus the exception for other allocations on this server (see the class description). */
    static boolean permits(TurnServerContext server, InetSocketAddress peer) {
        return server.peerPolicy().permits(peer.getAddress()) || isOwnAllocation(server, peer);
    }

    /** Whether {@code peer} is the relayed transport address of a live allocation of this server. */
    static boolean isOwnAllocation(TurnServerContext server, InetSocketAddress peer) {
        InetAddress ip = peer.getAddress();
        return (ip.equals(server.relayAddress) || ip.equals(server.advertisedRelayAddress))
                && server.relayPortsInUse.contains(peer.getPort());
    }

    /**
     * The address to send to and to key permissions and channels by: the local relay address when the client named
     * this server's external address, else {@code peer} itself.
     */
    static InetSocketAddress local(TurnServerContext server, InetSocketAddress peer) {
        if (server.advertisedRelayAddress != server.relayAddress
                && peer.getAddress().equals(server.advertisedRelayAddress)) {
            return new InetSocketAddress(server.relayAddress, peer.getPort());
        }
        return peer;
    }

    /** The inverse of {@link #local}: how a datagram's sender is shown to the client in a Data indication. */
    static InetSocketAddress advertised(TurnServerContext server, InetSocketAddress sender) {
        if (server.advertisedRelayAddress != server.relayAddress && sender.getAddress().equals(server.relayAddress)
                && server.relayPortsInUse.contains(sender.getPort())) {
            return new InetSocketAddress(server.advertisedRelayAddress, sender.getPort());
        }
        return sender;
    }
}
