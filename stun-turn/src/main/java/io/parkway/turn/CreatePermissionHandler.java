package io.parkway.turn;

import io.parkway.stun.StunAttribute;
import io.parkway.stun.StunErrorCode;
import io.parkway.stun.StunMessage;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The CreatePermission request (RFC 8656 section 9.2, https://datatracker.ietf.org/doc/html/rfc8656#section-9.2):
 * installs or refreshes a permission for every XOR-PEER-ADDRESS, all or none.
 */
final class CreatePermissionHandler {
    private final TurnServerContext server;

    CreatePermissionHandler(TurnServerContext server) {
        this.server = server;
    }

    void handle(ClientSocket client, StunMessage request, Credential credential) {
        Allocation allocation = AllocationCheck.of(server, client, request, credential);
        if (allocation == null) {
            return;
        }
        List<InetSocketAddress> peers = request.addresses(StunAttribute.XOR_PEER_ADDRESS);
        if (peers.isEmpty()) {
            server.responses.sendError(client, request, StunErrorCode.BAD_REQUEST, credential);
            return;
        }
        for (InetSocketAddress peer : peers) {
            // Port 0 is fine here: permissions ignore ports (section 9).
            int error = PeerAddresses.check(server, peer == null ? null
                    : new InetSocketAddress(peer.getAddress(), Math.max(1, peer.getPort())));
            if (error != 0) {
                server.responses.sendError(client, request, error, credential);
                return;
            }
        }
        long now = System.nanoTime();
        for (InetSocketAddress peer : peers) {
            allocation.permissions.install(PeerAddresses.local(server, peer).getAddress(), now);
        }
        server.responses.send(client, server.responses.success(client, request), credential);
    }
}
