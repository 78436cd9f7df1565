package io.parkway.turn;

import io.parkway.stun.StunErrorCode;
import io.parkway.stun.StunMessage;

/**
 * The checks every request on an existing allocation starts with: the 5-tuple has an allocation (else 437,
 * RFC 8656 sections 8, 9.2 and 11.2) and the request is from the user who created it (else 441, section 5).
 */
final class AllocationCheck {
    private AllocationCheck() {
    }

    /** The client's allocation, or null after sending the error response. */
    static Allocation of(TurnServerContext server, ClientSocket client, StunMessage request, Credential credential) {
        Allocation allocation = client.allocation();
        if (allocation == null) {
            server.responses.sendError(client, request, StunErrorCode.ALLOCATION_MISMATCH, credential);
            return null;
        }
        if (!allocation.credential.username().equals(credential.username())) {
            server.responses.sendError(client, request, StunErrorCode.WRONG_CREDENTIALS, credential);
            return null;
        }
        return allocation;
    }
}
