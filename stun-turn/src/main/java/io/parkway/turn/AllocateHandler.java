package io.parkway.turn;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.parkway.stun.StunAddress;
import io.parkway.stun.StunAttribute;
import io.parkway.stun.StunErrorCode;
import io.parkway.stun.StunMessage;
import io.parkway.stun.StunMethod;
import io.parkway.stun.StunWriter;
import io.parkway.stun.TransactionId;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Allocate request (RFC 8656 section 7.2, https://datatracker.ietf.org/doc/html/rfc8656#section-7.2): checks in
 * the RFC's order, quota, then an asynchronous bind of the relay socket on the client's own event loop (so the
 * allocation and its socket share one thread), then the success response.
 */
final class AllocateHandler {
    private static final Logger logger = LoggerFactory.getLogger(AllocateHandler.class);
    /** RFC 8656 section 14.7 (REQUESTED-TRANSPORT): the protocol number of UDP. */
    static final int PROTOCOL_UDP = 17;

    @ChannelHandler.Sharable
    private static final class Unconfigured extends ChannelInboundHandlerAdapter {
    }

    /** The placeholder handler of a relay socket until its {@link Allocation} replaces it. */
    static final ChannelHandler UNCONFIGURED = new Unconfigured();

    private final TurnServerContext server;
    /** 5-tuples whose Allocate is binding a socket: a retransmission meanwhile is dropped, not served twice. */
    private final Set<FiveTuple> pending = ConcurrentHashMap.newKeySet();

    AllocateHandler(TurnServerContext server) {
        this.server = server;
    }

    void handle(ClientSocket client, StunMessage request, Credential credential) {
        Responses responses = server.responses;
        Allocation existing = client.allocation();
        if (existing != null) {
            // RFC 8656 section 7.2: a retransmitted Allocate gets the original success, anything else 437.
            if (existing.allocateTransaction.equals(request.transactionId())
                    && existing.credential.username().equals(credential.username())) {
                sendSuccess(client, request.transactionId(), existing, credential, false);
            } else {
                responses.sendError(client, request, StunErrorCode.ALLOCATION_MISMATCH, credential);
            }
            return;
        }
        int transport = request.indexOf(StunAttribute.REQUESTED_TRANSPORT);
        if (transport < 0 || request.valueLength(transport) != 4) {
            responses.sendError(client, request, StunErrorCode.BAD_REQUEST, credential);
            return;
        }
        if (request.value(transport).getUnsignedByte(0) != PROTOCOL_UDP) {
            responses.sendError(client, request, StunErrorCode.UNSUPPORTED_TRANSPORT_PROTOCOL, credential);
            return;
        }
        boolean hasToken = request.has(StunAttribute.RESERVATION_TOKEN);
        int evenPort = request.indexOf(StunAttribute.EVEN_PORT);
        int requestedFamily = request.indexOf(StunAttribute.REQUESTED_ADDRESS_FAMILY);
        int additionalFamily = request.indexOf(StunAttribute.ADDITIONAL_ADDRESS_FAMILY);
        if ((hasToken && (evenPort >= 0 || requestedFamily >= 0))
                || (requestedFamily >= 0 && additionalFamily >= 0)
                || (evenPort >= 0 && request.valueLength(evenPort) != 1)
                || (hasToken && request.valueLength(request.indexOf(StunAttribute.RESERVATION_TOKEN)) != 8)) {
            responses.sendError(client, request, StunErrorCode.BAD_REQUEST, credential);
            return;
        }
        int relayFamily = StunAddress.familyOf(server.relayAddress);
        if (requestedFamily >= 0) {
            int family = request.valueLength(requestedFamily) == 4 ? request.value(requestedFamily).getUnsignedByte(0) : -1;
            if (family != StunAddress.FAMILY_IPV4 && family != StunAddress.FAMILY_IPV6) {
                responses.sendError(client, request, StunErrorCode.BAD_REQUEST, credential);
                return;
            }
            if (family != relayFamily) {
                responses.sendError(client, request, StunErrorCode.ADDRESS_FAMILY_NOT_SUPPORTED, credential);
                return;
            }
        }
        boolean additionalRefused = false;
        if (additionalFamily >= 0) {
            // RFC 8656 section 7.2: ADDITIONAL-ADDRESS-FAMILY may only ask for IPv6, alongside the IPv4 default.
            int family = request.valueLength(additionalFamily) == 4
                    ? request.value(additionalFamily).getUnsignedByte(0) : -1;
            if (family != StunAddress.FAMILY_IPV6) {
                responses.sendError(client, request, StunErrorCode.BAD_REQUEST, credential);
                return;
            }
            additionalRefused = true; // one relay family per allocation: answered with ADDRESS-ERROR-CODE 440
        }
        long lifetime = grantedLifetime(request.uint32(StunAttribute.LIFETIME, -1));
        if (server.draining) {
            responses.sendError(client, request, StunErrorCode.SERVICE_UNAVAILABLE, credential);
            return;
        }
        switch (server.reserveQuota(credential)) {
            case USER_QUOTA:
                responses.sendError(client, request, StunErrorCode.ALLOCATION_QUOTA_REACHED, credential);
                return;
            case SERVER_FULL:
                responses.sendError(client, request, StunErrorCode.INSUFFICIENT_CAPACITY, credential);
                return;
            default:
                break;
        }
        FiveTuple tuple = FiveTuple.of(client);
        if (!pending.add(tuple)) {
            server.releaseQuota(credential.quotaKey());
            return; // a retransmission while the first attempt binds: the client will retransmit again
        }
        boolean additional = additionalRefused;
        // The request is a view over a buffer released when this method returns: keep what the answer needs.
        TransactionId transactionId = request.transactionId();
        Consumer<BindOutcome> done = outcome -> {
            pending.remove(tuple);
            if (outcome.socket == null || !client.isActive() || client.allocation() != null) {
                server.releaseQuota(credential.quotaKey());
                if (outcome.socket != null) {
                    outcome.socket.close();
                }
                if (outcome.reserved != null) {
                    outcome.reserved.close();
                }
                if (outcome.socket == null && client.isActive()) {
                    responses.send(client, responses.error(client, StunMethod.ALLOCATE, transactionId,
                            StunErrorCode.INSUFFICIENT_CAPACITY), credential);
                }
                return;
            }
            InetSocketAddress bound = (InetSocketAddress) outcome.socket.localAddress();
            InetSocketAddress relayed = bound.getAddress().equals(server.advertisedRelayAddress) ? bound
                    : new InetSocketAddress(server.advertisedRelayAddress, bound.getPort());
            Allocation allocation = new Allocation(server, client, outcome.socket, relayed, credential,
                    transactionId);
            if (outcome.reserved != null) {
                allocation.reservationToken = server.reservations.reserve(outcome.reserved);
            }
            client.attach(allocation);
            server.register(allocation);
            allocation.refresh(lifetime);
            logger.info("allocation {} created: client {} {}, user {}, lifetime {}s", allocation.relayedAddress,
                    client.transport().scheme(), client.remoteAddress(), credential.logName(), lifetime);
            sendSuccess(client, transactionId, allocation, credential, additional);
        };
        if (hasToken) {
            long token = request.value(request.indexOf(StunAttribute.RESERVATION_TOKEN)).getLong(0);
            claimReserved(client.eventLoop(), server.reservations.claim(token), done);
        } else {
            boolean even = evenPort >= 0;
            boolean reserveNext = even && (request.value(evenPort).getUnsignedByte(0) & 0x80) != 0;
            bind(client.eventLoop(), even, reserveNext, 0, done);
        }
    }

    /**
     * RFC 8656 section 7.2: the requested lifetime, capped at the maximum and raised to at least the default; the
     * default when none was requested.
     */
    long grantedLifetime(long requested) {
        if (requested < 0) {
            return server.defaultLifetimeSeconds;
        }
        return Math.min(Math.max(requested, server.defaultLifetimeSeconds), server.maxLifetimeSeconds);
    }

    private void sendSuccess(ClientSocket client, TransactionId transactionId, Allocation allocation,
            Credential credential, boolean additionalRefused) {
        StunWriter w = server.responses.success(client, StunMethod.ALLOCATE, transactionId)
                .address(StunAttribute.XOR_RELAYED_ADDRESS, allocation.relayedAddress)
                .uint32(StunAttribute.LIFETIME, allocation.lifetimeSeconds);
        if (allocation.reservationToken != 0) {
            w.bytes(StunAttribute.RESERVATION_TOKEN, longBytes(allocation.reservationToken));
        }
        w.address(StunAttribute.XOR_MAPPED_ADDRESS, client.remoteAddress());
        if (additionalRefused) {
            // RFC 8656 section 18.12: family, reserved, class, number, reason.
            byte[] reason = StunErrorCode.reason(StunErrorCode.ADDRESS_FAMILY_NOT_SUPPORTED)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            byte[] value = new byte[4 + reason.length];
            value[0] = StunAddress.FAMILY_IPV6;
            value[2] = 4;
            value[3] = 40;
            System.arraycopy(reason, 0, value, 4, reason.length);
            w.bytes(StunAttribute.ADDRESS_ERROR_CODE, value);
        }
        server.responses.send(client, w, credential);
    }

    private static byte[] longBytes(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (56 - 8 * i));
        }
        return b;
    }

    /** A bound relay socket, and the reserved neighbour for EVEN-PORT R=1; socket null on failure. */
    private record BindOutcome(Channel socket, Channel reserved) {
    }

    private void bind(EventLoop loop, boolean even, boolean reserveNext, int attempt, Consumer<BindOutcome> done) {
        int port = server.relayPorts.pick(even, reserveNext, server.relayPortsInUse);
        if (port < 0 || attempt >= RelayPorts.ATTEMPTS) {
            if (attempt >= RelayPorts.ATTEMPTS) {
                logger.warn("no free relay port after {} attempts in {}-{}", attempt, server.relayPorts.min,
                        server.relayPorts.max);
            }
            done.accept(new BindOutcome(null, null));
            return;
        }
        bindPort(loop, port).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                bind(loop, even, reserveNext, attempt + 1, done);
            } else if (!reserveNext) {
                done.accept(new BindOutcome(f.channel(), null));
            } else {
                bindPort(loop, port + 1).addListener((ChannelFuture next) -> {
                    if (next.isSuccess()) {
                        done.accept(new BindOutcome(f.channel(), next.channel()));
                    } else {
                        f.channel().close();
                        bind(loop, even, reserveNext, attempt + 1, done);
                    }
                });
            }
        });
    }

    private ChannelFuture bindPort(EventLoop loop, int port) {
        return Transports.relayOptions(new Bootstrap())
                .group(loop)
                .channel(Transports.datagramChannel())
                .handler(UNCONFIGURED)
                .bind(new InetSocketAddress(server.relayAddress, port));
    }

    /** Moves a reserved socket onto the claiming client's event loop, so allocation and socket share a thread. */
    private static void claimReserved(EventLoop loop, Channel socket, Consumer<BindOutcome> done) {
        if (socket == null || !socket.isActive()) {
            done.accept(new BindOutcome(null, null));
        } else if (socket.eventLoop() == loop) {
            done.accept(new BindOutcome(socket, null));
        } else {
            socket.deregister().addListener(d -> {
                if (!d.isSuccess()) {
                    socket.close();
                    loop.execute(() -> done.accept(new BindOutcome(null, null)));
                    return;
                }
                loop.register(socket).addListener(r -> {
                    if (!r.isSuccess()) {
                        socket.close();
                    }
                    done.accept(new BindOutcome(r.isSuccess() ? socket : null, null));
                });
            });
        }
    }

    static boolean isIpv4(InetSocketAddress a) {
        return a.getAddress() instanceof Inet4Address;
    }
}
