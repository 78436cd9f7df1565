package io.parkway.server.check;

import io.parkway.stun.StunErrorCode;
import java.util.Locale;

/**
 * What to tell the sysadmin when a step of {@code parkway check} fails: the likely cause of each error code (RFC 8489
 * section 14.8, RFC 8656 section 19) and of a timeout, in the words of the step it happened in, naming the Parkway
 * setting (and, where it differs, coturn's) to look at.
 */
final class CheckHints {

    /** The steps of the check, as printed. */
    enum Step {
        RESOLVE("resolve"),
        BINDING("binding"),
        ALLOCATE_A("allocate (A)"),
        ALLOCATE_B("allocate (B)"),
        PERMISSION_A("permission (A->B)"),
        PERMISSION_B("permission (B->A)"),
        CHANNEL_BIND("channel bind 0x4000"),
        ROUND_TRIP("relay round trip"),
        REFRESH("refresh 0 (delete)");

        final String label;

        Step(String label) {
            this.label = label;
        }

        boolean isAllocate() {
            return this == ALLOCATE_A || this == ALLOCATE_B;
        }

        boolean isPeerStep() {
            return this == PERMISSION_A || this == PERMISSION_B || this == CHANNEL_BIND;
        }
    }

    /**
     * What the hints may mention.
     *
     * @param server the server as given, {@code host:port}
     * @param transport "udp" or "tcp"
     * @param serverIsPublic whether the server's address is a public one
     * @param rest whether the credentials were derived from {@code --secret}
     * @param user the user name (the REST username's user part, or {@code --user})
     * @param realm the realm learnt from the server, or null
     * @param peer the relayed address of the other allocation, for the peer steps; or null
     */
    record Facts(String server, String transport, boolean serverIsPublic, boolean rest, String user, String realm,
            String peer) {
    }

    private CheckHints() {
    }

    /** The hint for {@code failure} in {@code step}: the failure's own when it has one, else one made here. */
    static String explain(Step step, CheckFailure failure, Facts facts) {
        if (failure.hint() != null) {
            return failure.hint();
        }
        int code = failure.errorCode();
        return code < 0 ? timeout(step, facts) : errorCode(step, code, facts);
    }

    private static String timeout(Step step, Facts facts) {
        if (step == Step.BINDING) {
            String hint = "is the server running and listening on " + facts.server() + " (turn.listen), and does every"
                    + " firewall on the way (the cloud provider's security group, ufw or nftables on the host) let "
                    + facts.transport().toUpperCase(Locale.ROOT) + " port "
                    + facts.server().substring(facts.server().lastIndexOf(':') + 1) + " through?";
            if (facts.serverIsPublic()) {
                hint += " Checking from the server itself against its public address needs the cloud network to loop"
                        + " traffic back (hairpinning), which some do not: try the listen address too, or another"
                        + " machine.";
            }
            return hint;
        }
        return "the server answered the earlier steps but not this one: did it stop or restart meanwhile, or does"
                + " something on the path drop larger or authenticated requests?";
    }

    private static String errorCode(Step step, int code, Facts facts) {
        switch (code) {
            case StunErrorCode.TRY_ALTERNATE:
                return "the server redirects clients to another server: check that one";
            case StunErrorCode.BAD_REQUEST:
                return "the server found the request malformed: its log says why";
            case StunErrorCode.UNAUTHENTICATED:
                return unauthenticated(facts);
            case StunErrorCode.FORBIDDEN:
                if (step.isPeerStep()) {
                    return "the server's peer policy refused the other allocation's relayed address " + facts.peer()
                            + " as a peer: it does not allow relay-to-relay through itself. Parkway allows its own"
                            + " relayed addresses by default; coturn needs allowed-peer-ip (or --allow-loopback-peers"
                            + " for 127.0.0.0/8) covering the relay address. Clients that both use relay candidates"
                            + " will fail on such a server.";
                }
                return "the server refuses this request for these credentials (Forbidden): its log says why";
            case StunErrorCode.UNKNOWN_ATTRIBUTE:
                return "the server does not understand the attributes listed, which every TURN server should";
            case StunErrorCode.ALLOCATION_MISMATCH:
                return step.isAllocate()
                        ? "an allocation already exists for this address and port; run the check again"
                        : "the allocation is gone: the server expired or deleted it during the check, or a NAT on"
                                + " the way changed this client's address";
            case StunErrorCode.STALE_NONCE:
                return "every nonce the server issues is already stale: is its clock jumping?";
            case StunErrorCode.ADDRESS_FAMILY_NOT_SUPPORTED:
                return "the server cannot relay this address family";
            case StunErrorCode.WRONG_CREDENTIALS:
                return "the server tied the allocation to other credentials";
            case StunErrorCode.UNSUPPORTED_TRANSPORT_PROTOCOL:
                return "the server does not relay UDP";
            case StunErrorCode.PEER_ADDRESS_FAMILY_MISMATCH:
                return "the two allocations got relayed addresses of different families";
            case StunErrorCode.ALLOCATION_QUOTA_REACHED:
                return "user \"" + facts.user() + "\" already holds as many allocations as the server allows"
                        + " (turn.allocations-per-user; coturn: user-quota): wait for them to expire or use another"
                        + " --user";
            case StunErrorCode.SERVER_ERROR:
                return "the server failed: its log says why";
            case StunErrorCode.SERVICE_UNAVAILABLE:
                return "the server is draining before a shutdown and refuses new allocations";
            case StunErrorCode.INSUFFICIENT_CAPACITY:
                return "the server is full: turn.max-allocations reached, or no free port left in turn.relay.ports"
                        + " (coturn: total-quota, min-port/max-port)";
            default:
                return "the server's log says why";
        }
    }

    private static String unauthenticated(Facts facts) {
        String realm = facts.realm() == null ? "" : " (realm \"" + facts.realm() + "\")";
        if (facts.rest()) {
            return "the server rejected the credentials" + realm + ": check that --secret is one of the server's"
                    + " turn.rest-secrets (coturn: static-auth-secret with use-auth-secret), and that this machine's"
                    + " clock is within --ttl of the server's";
        }
        return "the server rejected the credentials" + realm + ": check --user and --password against the server's"
                + " turn.users (coturn: user=NAME:PASSWORD with lt-cred-mech)";
    }
}
