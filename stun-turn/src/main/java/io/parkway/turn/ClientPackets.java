package io.parkway.turn;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import io.parkway.stun.ChannelData;
import io.parkway.stun.StunAddress;
import io.parkway.stun.StunAttribute;
import io.parkway.stun.StunClass;
import io.parkway.stun.StunErrorCode;
import io.parkway.stun.StunMessage;
import io.parkway.stun.StunMethod;
import io.parkway.stun.StunParseException;
import java.net.InetSocketAddress;

/**
 * Everything a client sends, whatever its transport: demultiplexes ChannelData from STUN by the first two bits
 * (RFC 8656 section 12 and RFC 7983), relays data, and dispatches requests to their handlers. Malformed packets are
 * dropped and counted, never thrown out of a handler; protocol failures become STUN error responses.
 */
final class ClientPackets {
    /** One reusable message per event loop for indications ({@link StunMessage#reset}). */
    private static final FastThreadLocal<StunMessage> REUSABLE = new FastThreadLocal<>() {
        @Override
        protected StunMessage initialValue() {
            return StunMessage.reusable();
        }
    };
    private final TurnServerContext server;
    private final AllocateHandler allocate;
    private final RefreshHandler refresh;
    private final CreatePermissionHandler createPermission;
    private final ChannelBindHandler channelBind;

    ClientPackets(TurnServerContext server) {
        this.server = server;
        this.allocate = new AllocateHandler(server);
        this.refresh = new RefreshHandler(server);
        this.createPermission = new CreatePermissionHandler(server);
        this.channelBind = new ChannelBindHandler(server);
    }

    /**
     * Handles one message: a UDP datagram or one TCP frame.
     *
     * @param packet exactly one STUN or ChannelData message; <b>not released here</b>, the caller releases it
     *     (data relayed to a peer travels as a retained slice)
     * @return the allocation whose relay socket was written to (the write is flushed at the end of the event-loop
     *     iteration, see {@link DeferredFlush}), or null
     */
    Allocation onPacket(ClientSocket client, ByteBuf packet) {
        if (ChannelData.isChannelData(packet)) {
            return channelData(client, packet);
        }
        if (!StunMessage.isStun(packet)) {
            server.stats.malformedDropped.increment();
            return null;
        }
        StunMessage message;
        try {
            // Indications (Send: data) are decoded into this loop's reusable message, which allocates nothing;
            // requests get their own, since a handler may use it after this call returns.
            message = StunMethod.classOf(packet.getUnsignedShort(packet.readerIndex())) == StunClass.INDICATION
                    ? REUSABLE.get().reset(packet) : StunMessage.decode(packet);
        } catch (StunParseException e) {
            server.stats.malformedDropped.increment();
            return null;
        }
        StunClass cls = message.messageClass();
        if (cls == StunClass.INDICATION) {
            try {
                if (message.hasUnknownComprehensionRequired()) {
                    // RFC 8489 section 6.3.2: an indication with unknown comprehension-required attributes is
                    // discarded.
                    server.stats.malformedDropped.increment();
                    return null;
                }
                return message.method() == StunMethod.SEND ? send(client, message) : null;
            } finally {
                message.clear(); // the reusable message lets go of the packet, which the caller releases
            }
        }
        if (cls == StunClass.REQUEST) {
            request(client, message);
        }
        return null; // responses and unknown indications are ignored (RFC 8489 section 6.3)
    }

    /** RFC 8656 section 12.4: ChannelData from the client is relayed to the channel's peer as a UDP datagram. */
    private Allocation channelData(ClientSocket client, ByteBuf packet) {
        Allocation allocation = client.allocation();
        int length = ChannelData.length(packet);
        if (ChannelData.HEADER_LENGTH + length > packet.readableBytes()) {
            server.stats.malformedDropped.increment();
            return null;
        }
        ChannelBinding binding = allocation == null ? null
                : allocation.channels.byNumber(ChannelData.channel(packet), System.nanoTime());
        if (binding == null) {
            server.stats.unroutableDropped.increment();
            return null;
        }
        allocation.sendToPeer(packet.retainedSlice(packet.readerIndex() + ChannelData.HEADER_LENGTH, length),
                binding.peer);
        return allocation;
    }

    /** RFC 8656 section 10.2: a Send indication is relayed if it names a permitted peer; otherwise dropped. */
    private Allocation send(ClientSocket client, StunMessage message) {
        Allocation allocation = client.allocation();
        int p = message.indexOf(StunAttribute.XOR_PEER_ADDRESS);
        int data = message.indexOf(StunAttribute.DATA);
        int family = p < 0 ? 0 : message.addressFamily(p);
        if (allocation == null || family == 0 || data < 0) {
            server.stats.unroutableDropped.increment();
            return null;
        }
        InetSocketAddress peer;
        boolean permitted;
        if (family == StunAddress.FAMILY_IPV4) {
            // The common case, without an object per packet: the allocation remembers its last Send peer.
            SendPeer last = allocation.sendPeer();
            peer = last.address(server, message.addressIpv4(p), message.addressPort(p));
            permitted = last.permitted(server);
        } else {
            peer = message.address(StunAttribute.XOR_PEER_ADDRESS);
            permitted = PeerAddresses.permits(server, peer);
            peer = PeerAddresses.local(server, peer);
        }
        if (!permitted) {
            server.stats.peerDenied.increment();
            return null;
        }
        if (!allocation.permissions.permits(peer.getAddress(), System.nanoTime())) {
            server.stats.unroutableDropped.increment();
            return null;
        }
        allocation.sendToPeer(message.buffer().retainedSlice(message.valueIndex(data), message.valueLength(data)),
                peer);
        return allocation;
    }

    private void request(ClientSocket client, StunMessage request) {
        Responses responses = server.responses;
        int method = request.method();
        if (method == StunMethod.BINDING) {
            if (!refuseUnknownAttributes(client, request, null)) {
                binding(client, request);
            }
            return;
        }
        if (method != StunMethod.ALLOCATE && method != StunMethod.REFRESH
                && method != StunMethod.CREATE_PERMISSION && method != StunMethod.CHANNEL_BIND) {
            responses.sendError(client, request, StunErrorCode.BAD_REQUEST, null);
            return;
        }
        Authenticator.Result auth = server.authenticator().authenticate(request, client.remoteAddress().getAddress());
        if (auth.failure() != null) {
            refuse(client, request, auth.failure());
            return;
        }
        Credential credential = auth.credential();
        // RFC 8489 section 6.3: unknown attributes are checked once authentication is done, so the 420 is protected.
        if (refuseUnknownAttributes(client, request, credential)) {
            return;
        }
        switch (method) {
            case StunMethod.ALLOCATE:
                allocate.handle(client, request, credential);
                break;
            case StunMethod.REFRESH:
                refresh.handle(client, request, credential);
                break;
            case StunMethod.CREATE_PERMISSION:
                createPermission.handle(client, request, credential);
                break;
            default:
                channelBind.handle(client, request, credential);
                break;
        }
    }

    /**
     * RFC 8489 section 6.3.1: a request with unknown comprehension-required attributes gets a 420 listing them in
     * UNKNOWN-ATTRIBUTES, integrity-protected when the request was authenticated (section 6.3.1.1).
     *
     * @return whether the 420 was sent
     */
    private boolean refuseUnknownAttributes(ClientSocket client, StunMessage request, Credential credential) {
        int[] unknown = request.unknownComprehensionRequired();
        if (unknown.length == 0) {
            return false;
        }
        server.responses.send(client, server.responses.error(client, request, StunErrorCode.UNKNOWN_ATTRIBUTE)
                .unknownAttributes(unknown), credential);
        return true;
    }

    /** RFC 8489 section 9.2.4: the error for each way authentication can fail. */
    private void refuse(ClientSocket client, StunMessage request, AuthFailure failure) {
        server.stats.authFailure(failure).increment();
        if (failure != AuthFailure.CHALLENGE) {
            server.stats.authFailures.increment();
        }
        switch (failure) {
            case MISSING_ATTRIBUTES:
            case BAD_ALGORITHM:
                server.responses.sendError(client, request, StunErrorCode.BAD_REQUEST, null);
                break;
            case STALE_NONCE:
                server.responses.sendChallenge(client, request, StunErrorCode.STALE_NONCE);
                break;
            default:
                server.responses.sendChallenge(client, request, StunErrorCode.UNAUTHENTICATED);
                break;
        }
    }

    /** RFC 8489 section 7.3.1: a Binding success carries the client's reflexive address in XOR-MAPPED-ADDRESS. */
    private void binding(ClientSocket client, StunMessage request) {
        server.stats.bindingRequests.increment();
        server.responses.send(client, server.responses.success(client, request)
                .address(StunAttribute.XOR_MAPPED_ADDRESS, client.remoteAddress()), null);
    }
}
