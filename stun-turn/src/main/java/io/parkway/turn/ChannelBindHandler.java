package io.parkway.turn;

import io.parkway.stun.ChannelData;
import io.parkway.stun.StunAttribute;
import io.parkway.stun.StunErrorCode;
import io.parkway.stun.StunMessage;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ChannelBind request (RFC 8656 section 11.2, https://datatracker.ietf.org/doc/html/rfc8656#section-11.2):
 * binds or refreshes a channel number to a peer transport address, and installs or refreshes the permission for
 * the peer's IP.
 */
final class ChannelBindHandler {
    private static final Logger logger = LoggerFactory.getLogger(ChannelBindHandler.class);

    private final TurnServerContext server;

    ChannelBindHandler(TurnServerContext server) {
        this.server = server;
    }

    void handle(ClientSocket client, StunMessage request, Credential credential) {
        Allocation allocation = AllocationCheck.of(server, client, request, credential);
        if (allocation == null) {
            return;
        }
        long number = request.uint32(StunAttribute.CHANNEL_NUMBER, -1);
        int channel = (int) (number >>> 16);
        InetSocketAddress peer = request.address(StunAttribute.XOR_PEER_ADDRESS);
        if (number < 0 || !ChannelData.isValidChannel(channel) || peer == null) {
            logger.debug("ChannelBind refused: channel {} peer {}", number < 0 ? "absent" : channel, peer);
            server.responses.sendError(client, request, StunErrorCode.BAD_REQUEST, credential);
            return;
        }
        int error = PeerAddresses.check(server, peer);
        if (error != 0) {
            server.responses.sendError(client, request, error, credential);
            return;
        }
        long now = System.nanoTime();
        peer = PeerAddresses.local(server, peer);
        switch (allocation.channels.bind(channel, peer, now)) {
            case NUMBER_IN_USE:
            case PEER_IN_USE:
                logger.debug("ChannelBind refused: channel {} peer {}: {}", channel, peer, "in use");
                server.responses.sendError(client, request, StunErrorCode.BAD_REQUEST, credential);
                return;
            default:
                allocation.permissions.install(peer.getAddress(), now);
                server.responses.send(client, server.responses.success(client, request), credential);
        }
    }
}
