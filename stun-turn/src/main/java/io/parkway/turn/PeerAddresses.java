package io.parkway.turn;

import io.parkway.stun.StunErrorCode;
import java.net.Inet4Address;
import java.net.InetSocketAddress;

/**
 * Checks a peer address taken from XOR-PEER-ADDRESS before a permission or channel is installed for it
 * (RFC 8656 sections 9.2 and 11.2, and the peer policy of section 21.3).
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
        if (!server.peerPolicy().permits(peer.getAddress())) {
            server.stats.peerDenied.increment();
            return StunErrorCode.FORBIDDEN;
        }
        return 0;
    }
}
