package io.parkway.turn;

import io.parkway.stun.StunAddress;
import io.parkway.stun.StunAttribute;
import io.parkway.stun.StunErrorCode;
import io.parkway.stun.StunMessage;

/**
 * The Refresh request (RFC 8656 section 8, https://datatracker.ietf.org/doc/html/rfc8656#section-8): extends the
 * allocation's lifetime, or deletes it when LIFETIME is 0.
 */
final class RefreshHandler {
    private final TurnServerContext server;

    RefreshHandler(TurnServerContext server) {
        this.server = server;
    }

    void handle(ClientSocket client, StunMessage request, Credential credential) {
        Responses responses = server.responses;
        Allocation allocation = AllocationCheck.of(server, client, request, credential);
        if (allocation == null) {
            return;
        }
        int family = request.indexOf(StunAttribute.REQUESTED_ADDRESS_FAMILY);
        if (family >= 0 && (request.valueLength(family) != 4
                || request.value(family).getUnsignedByte(0) != StunAddress.familyOf(server.relayAddress))) {
            responses.sendError(client, request, StunErrorCode.PEER_ADDRESS_FAMILY_MISMATCH, credential);
            return;
        }
        long requested = request.uint32(StunAttribute.LIFETIME, -1);
        long lifetime;
        if (requested == 0) {
            server.stats.allocationsDeleted.increment();
            allocation.close("deleted by client");
            lifetime = 0;
        } else {
            // RFC 8656 section 8: min(requested, maximum), but never below the default; the default when absent.
            lifetime = requested < 0 ? server.defaultLifetimeSeconds
                    : Math.max(Math.min(requested, server.maxLifetimeSeconds), server.defaultLifetimeSeconds);
            allocation.refresh(lifetime);
            server.stats.allocationsRefreshed.increment();
        }
        responses.send(client, responses.success(client, request).uint32(StunAttribute.LIFETIME, lifetime),
                credential);
    }
}
