package io.parkway.turn;

import io.netty.buffer.ByteBuf;
import io.parkway.stun.StunAttribute;
import io.parkway.stun.StunClass;
import io.parkway.stun.StunErrorCode;
import io.parkway.stun.StunMessage;
import io.parkway.stun.StunWriter;
import io.parkway.stun.TransactionId;

/**
 * Builds responses to a client's request. Every response carries SOFTWARE and FINGERPRINT (RFC 8489 sections 14.14
 * and 14.7); responses to authenticated requests carry the integrity attribute the request used, with its key
 * (RFC 8489 section 9.2.4).
 */
final class Responses {
    private final TurnServerContext server;

    Responses(TurnServerContext server) {
        this.server = server;
    }

    /** Starts a success response in a new buffer from the client's allocator; finish with {@link #send}. */
    StunWriter success(ClientSocket client, StunMessage request) {
        return success(client, request.method(), request.transactionId());
    }

    /** As {@link #success(ClientSocket, StunMessage)}, for answers sent after the request's buffer is gone. */
    StunWriter success(ClientSocket client, int method, TransactionId transactionId) {
        server.stats.response(method, true);
        ByteBuf out = client.alloc().buffer(128);
        return StunWriter.begin(out, method, StunClass.SUCCESS_RESPONSE, transactionId);
    }

    /** Starts an error response with ERROR-CODE; finish with {@link #send}. */
    StunWriter error(ClientSocket client, StunMessage request, int code) {
        return error(client, request.method(), request.transactionId(), code);
    }

    /** As {@link #error(ClientSocket, StunMessage, int)}, for answers sent after the request's buffer is gone. */
    StunWriter error(ClientSocket client, int method, TransactionId transactionId, int code) {
        server.stats.errorResponses.increment();
        server.stats.response(method, false);
        server.stats.errorByCode(code).increment();
        ByteBuf out = client.alloc().buffer(128);
        return StunWriter.begin(out, method, StunClass.ERROR_RESPONSE, transactionId)
                .errorCode(code, StunErrorCode.reason(code));
    }

    /**
     * Appends integrity (when {@code credential} is non-null), SOFTWARE and FINGERPRINT, then writes and flushes
     * the response to the client.
     */
    void send(ClientSocket client, StunWriter response, Credential credential) {
        response.string(StunAttribute.SOFTWARE, server.software);
        if (credential != null) {
            if (credential.sha256Integrity()) {
                response.messageIntegritySha256(credential.key());
            } else {
                response.messageIntegrity(credential.key());
            }
        }
        client.write(response.fingerprint());
        client.flush();
    }

    /** Sends an error response, integrity-protected when the request was authenticated. */
    void sendError(ClientSocket client, StunMessage request, int code, Credential credential) {
        send(client, error(client, request, code), credential);
    }

    /**
     * The challenge and its variants (RFC 8489 section 9.2.4): 401 and 438 carry REALM, a fresh NONCE and
     * PASSWORD-ALGORITHMS; none are integrity-protected.
     */
    void sendChallenge(ClientSocket client, StunMessage request, int code) {
        StunWriter w = error(client, request, code)
                .string(StunAttribute.REALM, server.authenticator().realm())
                .string(StunAttribute.NONCE, server.authenticator().newNonce(client.remoteAddress().getAddress()))
                .passwordAlgorithms(Authenticator.OFFERED_ALGORITHMS);
        send(client, w, null);
    }
}
