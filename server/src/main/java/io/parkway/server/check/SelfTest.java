package io.parkway.server.check;

import io.parkway.server.check.CheckAddresses.HostPort;
import io.parkway.server.check.CheckHints.Facts;
import io.parkway.server.check.CheckHints.Step;
import io.parkway.server.check.TurnCheckClient.Incoming;
import io.parkway.stun.StunAttribute;
import io.parkway.stun.StunErrorCode;
import io.parkway.stun.StunMessage;
import io.parkway.stun.StunMethod;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * The steps of {@code parkway check}, run in order against one server, each printed with its time: resolve (for a
 * host name), Binding, two allocations A and B, permissions both ways, a channel from A to B, a relayed round trip
 * and the deletion of both allocations.
 *
 * <p>The echo peer is the second allocation. A server's peer policy normally refuses private, loopback and its own
 * addresses as peers, but a relayed transport address of another allocation on the same server is the everyday peer
 * of two clients that both use relay candidates (RFC 8656 section 9.1 permissions are per IP address), so this
 * works on a VPS with nothing else listening: A sends ChannelData on its channel to B's relayed address (RFC 8656
 * section 12.4); the server relays it from A's relayed address, and B receives it as a Data indication (section
 * 11.4); B sends it back with a Send indication to A's relayed address (section 11.2); A receives it on its channel
 * as ChannelData (section 12.6).
 */
final class SelfTest {
    /** Application data per relayed packet: the size of a 20 ms Opus frame with RTP, roughly. */
    static final int PAYLOAD_SIZE = 160;
    /** The channel A binds to B's relayed address (RFC 8656 section 12: 0x4000-0x4FFF). */
    static final int CHANNEL = 0x4000;
    /** How long a relayed packet may take before it counts as lost (capped by the timeout). */
    static final Duration PACKET_WAIT = Duration.ofSeconds(2);
    /** Consecutive losses, with nothing received yet, after which the round trip gives up. */
    static final int GIVE_UP_AFTER = 3;
    /** The bound on each request of the clean-up after a failure. */
    static final Duration CLEANUP_TIMEOUT = Duration.ofSeconds(2);

    /**
     * What to check, as the command line gave it.
     *
     * @param server the server, not yet resolved
     * @param tcp TCP instead of UDP between the check and the server (relaying is UDP either way)
     * @param username the username in USERNAME
     * @param password its password
     * @param rest whether the credential was derived from a REST secret
     * @param user the user the credential is for, for hints
     * @param count relayed packets to send
     * @param timeout the bound on each transaction
     */
    record Settings(HostPort server, boolean tcp, String username, String password, boolean rest, String user,
            int count, Duration timeout) {
        /** Leaves the password out. */
        @Override
        public String toString() {
            return "Settings[server=" + server + ", tcp=" + tcp + ", username=" + username + ", count=" + count
                    + ", timeout=" + timeout + "]";
        }
    }

    /** A failed step, on its way to the verdict. */
    private static final class StepFailed extends Exception {
        final Step step;
        final String reason;
        final String hint;

        StepFailed(Step step, long nanos, String reason, String hint, CheckReport report) {
            super(reason, null, false, false);
            this.step = step;
            this.reason = reason;
            this.hint = hint;
            report.fail(step.label, nanos, reason);
        }
    }

    @FunctionalInterface
    private interface Action<T> {
        T run() throws CheckFailure, IOException;
    }

    private final Settings settings;
    private final CheckReport report;
    private final SecureRandom random = new SecureRandom();

    private InetSocketAddress server;
    private String realm;
    private TurnCheckClient a;
    private TurnCheckClient b;
    private InetSocketAddress relayedA;
    private InetSocketAddress relayedB;

    SelfTest(Settings settings, CheckReport report) {
        this.settings = settings;
        this.report = report;
    }

    /** Runs every step and prints the verdict; returns the exit code, 0 when everything worked, else 1. */
    int run() {
        String transport = settings.tcp() ? "tcp" : "udp";
        report.info("Checking STUN/TURN on " + settings.server() + " over " + transport + " as " + settings.username()
                + (settings.rest() ? " (TURN REST credential)" : "") + ", " + settings.count() + " relayed packets");
        TurnCheckClient.warmUp();
        try {
            resolve();
            a = open(Step.BINDING);
            binding();
            relayedA = allocate(Step.ALLOCATE_A, a);
            b = open(Step.ALLOCATE_B);
            relayedB = allocate(Step.ALLOCATE_B, b);
            permission(Step.PERMISSION_A, a, relayedB);
            permission(Step.PERMISSION_B, b, relayedA);
            channelBind();
            roundTrip();
            refresh();
            report.verdictOk("STUN and TURN relay work on " + target() + " (" + transport + ")");
            return 0;
        } catch (StepFailed f) {
            report.verdictFailed(f.step.label, f.reason, f.hint);
            return 1;
        } finally {
            cleanUp();
        }
    }

    private String target() {
        String given = settings.server().toString();
        String resolved = CheckAddresses.format(server);
        return given.equals(resolved) ? given : given + " = " + resolved;
    }

    private void resolve() throws StepFailed {
        HostPort hp = settings.server();
        long start = System.nanoTime();
        InetAddress ip;
        try {
            ip = InetAddress.getByName(hp.host());
        } catch (UnknownHostException e) {
            throw new StepFailed(Step.RESOLVE, System.nanoTime() - start, "cannot resolve " + hp.host(),
                    "check the name, or give the server's IP address", report);
        }
        server = new InetSocketAddress(ip, hp.port());
        if (!hp.isLiteral()) {
            report.ok(Step.RESOLVE.label, System.nanoTime() - start, hp.host() + " -> " + CheckAddresses.format(ip));
        }
    }

    /** A client with its own socket (so its own 5-tuple and allocation), credentials set. */
    private TurnCheckClient open(Step step) throws StepFailed {
        long start = System.nanoTime();
        try {
            CheckTransport t = settings.tcp()
                    ? CheckTransport.tcp(server, (int) Math.min(Integer.MAX_VALUE, settings.timeout().toMillis()))
                    : CheckTransport.udp(server);
            TurnCheckClient client = new TurnCheckClient(t, settings.timeout());
            client.credentials(settings.username(), settings.password());
            return client;
        } catch (ConnectException e) {
            throw new StepFailed(step, System.nanoTime() - start, "TCP connection refused",
                    "nothing listens on tcp " + settings.server() + ": is the server running with a tcp:// address"
                            + " in turn.listen?", report);
        } catch (SocketTimeoutException e) {
            throw new StepFailed(step, System.nanoTime() - start, "TCP connection timed out", "a firewall drops"
                    + " TCP port " + server.getPort() + " on the way, or the server is down", report);
        } catch (IOException e) {
            throw new StepFailed(step, System.nanoTime() - start, describe(e),
                    "this machine cannot send to " + CheckAddresses.format(server), report);
        }
    }

    private void binding() throws StepFailed {
        long start = System.nanoTime();
        StunMessage response = attempt(Step.BINDING, start, () -> a.binding());
        InetSocketAddress reflexive = response.address(StunAttribute.XOR_MAPPED_ADDRESS);
        if (reflexive == null) {
            reflexive = response.address(StunAttribute.MAPPED_ADDRESS);
        }
        if (reflexive == null) {
            throw new StepFailed(Step.BINDING, System.nanoTime() - start, "success response without an address",
                    "the server did not send XOR-MAPPED-ADDRESS (RFC 8489 section 14.2): is it a STUN server?",
                    report);
        }
        String software = response.string(StunAttribute.SOFTWARE);
        report.ok(Step.BINDING.label, System.nanoTime() - start, "reflexive " + CheckAddresses.format(reflexive)
                + (software == null ? "" : ", server \"" + CheckAddresses.printable(software) + "\""));
    }

    /** Allocate with REQUESTED-TRANSPORT UDP (RFC 8656 section 7.1); returns the relayed transport address. */
    private InetSocketAddress allocate(Step step, TurnCheckClient client) throws StepFailed {
        long start = System.nanoTime();
        StunMessage response = attempt(step, start, () -> client.transact(StunMethod.ALLOCATE,
                w -> w.uint32(StunAttribute.REQUESTED_TRANSPORT, TurnCheckClient.REQUESTED_TRANSPORT_UDP), true));
        long nanos = System.nanoTime() - start;
        realm = client.realm();
        InetSocketAddress relayed = response.address(StunAttribute.XOR_RELAYED_ADDRESS);
        if (relayed == null) {
            throw new StepFailed(step, nanos, "success response without XOR-RELAYED-ADDRESS",
                    "the server did not say where it relays (RFC 8656 section 7.3)", report);
        }
        long lifetime = response.uint32(StunAttribute.LIFETIME, -1);
        report.ok(step.label, nanos, "relayed " + CheckAddresses.format(relayed)
                + (lifetime < 0 ? "" : " lifetime " + lifetime + "s")
                + (step == Step.ALLOCATE_A && realm != null ? " realm " + CheckAddresses.printable(realm) : ""));
        if (step == Step.ALLOCATE_A) {
            warnAboutRelayedAddress(relayed.getAddress(), server.getAddress(), report);
        }
        return relayed;
    }

    /**
     * The relayed address is what remote clients send to: a wildcard or a private address there, while the server
     * itself was reached at a public one, means a relay that works here but not for listeners on the internet.
     */
    static void warnAboutRelayedAddress(InetAddress relayed, InetAddress serverAddress, CheckReport report) {
        if (relayed.isAnyLocalAddress()) {
            report.warn(Step.ALLOCATE_A.label, -1, "relayed address " + CheckAddresses.format(relayed) + " is a"
                    + " wildcard: set turn.relay.address to the IP relay sockets bind");
        } else if (CheckAddresses.isPrivate(relayed) && !CheckAddresses.isPrivate(serverAddress)) {
            report.warn(Step.ALLOCATE_A.label, -1, "relayed address " + CheckAddresses.format(relayed) + " is"
                    + " private but the server was reached at public " + CheckAddresses.format(serverAddress)
                    + ": clients on the internet cannot send to it. Behind 1:1 NAT (a cloud VPS) set"
                    + " turn.relay.external-address to the public IP (coturn: external-ip)");
        }
    }

    /** CreatePermission for the other allocation's relayed address (RFC 8656 section 9.1). */
    private void permission(Step step, TurnCheckClient client, InetSocketAddress peer) throws StepFailed {
        long start = System.nanoTime();
        attempt(step, start, () -> client.transact(StunMethod.CREATE_PERMISSION,
                w -> w.address(StunAttribute.XOR_PEER_ADDRESS, peer), true));
        report.ok(step.label, System.nanoTime() - start, "peer " + CheckAddresses.format(peer));
    }

    /** ChannelBind of {@link #CHANNEL} on A to B's relayed address (RFC 8656 section 11.1). */
    private void channelBind() throws StepFailed {
        long start = System.nanoTime();
        attempt(Step.CHANNEL_BIND, start, () -> a.transact(StunMethod.CHANNEL_BIND,
                w -> w.uint32(StunAttribute.CHANNEL_NUMBER, (long) CHANNEL << 16)
                        .address(StunAttribute.XOR_PEER_ADDRESS, relayedB), true));
        report.ok(Step.CHANNEL_BIND.label, System.nanoTime() - start, "A -> " + CheckAddresses.format(relayedB));
    }

    /** The relayed round trip, one packet at a time, each through both relays twice. */
    private void roundTrip() throws StepFailed {
        long start = System.nanoTime();
        long wait = Math.min(PACKET_WAIT.toNanos(), settings.timeout().toNanos());
        byte[] run = new byte[8];
        random.nextBytes(run);
        long[] rtts = new long[settings.count()];
        int received = 0;
        int lostToB = 0;
        int lostToA = 0;
        int sent = 0;
        InetSocketAddress unexpectedSender = null;
        try {
            for (int seq = 0; seq < settings.count(); seq++) {
                if (received == 0 && lostToB + lostToA >= GIVE_UP_AFTER) {
                    break;
                }
                byte[] payload = payload(run, seq);
                long sentAt = System.nanoTime();
                a.sendChannelData(CHANNEL, payload);
                sent++;
                Incoming atB = await(b, payload, false, sentAt + wait);
                if (atB == null) {
                    lostToB++;
                    continue;
                }
                if (!atB.peer().equals(relayedA)) {
                    unexpectedSender = atB.peer();
                }
                b.sendIndication(atB.peer(), payload);
                if (await(a, payload, true, System.nanoTime() + wait) == null) {
                    lostToA++;
                    continue;
                }
                rtts[received++] = System.nanoTime() - sentAt;
            }
        } catch (IOException e) {
            throw new StepFailed(Step.ROUND_TRIP, System.nanoTime() - start, describe(e), null, report);
        }
        long nanos = System.nanoTime() - start;
        if (received == 0) {
            throw new StepFailed(Step.ROUND_TRIP, nanos, "0/" + sent + " packets came back"
                    + (sent < settings.count() ? " (gave up after " + sent + " losses in a row)" : ""),
                    lostToA == 0 ? lostHint(true) : lostHint(false), report);
        }
        String stats = received + "/" + sent + " packets, rtt min/avg/max " + rttStats(Arrays.copyOf(rtts, received));
        if (received < sent) {
            report.warn(Step.ROUND_TRIP.label, nanos, stats + ", lost " + lostToB + " on the way A->B and " + lostToA
                    + " on the way B->A");
        } else {
            report.ok(Step.ROUND_TRIP.label, nanos, stats);
        }
        if (unexpectedSender != null) {
            report.warn(Step.ROUND_TRIP.label, -1, "B saw the data come from "
                    + CheckAddresses.format(unexpectedSender) + ", not from A's relayed address "
                    + CheckAddresses.format(relayedA));
        }
    }

    private static String lostHint(boolean towardsB) {
        if (towardsB) {
            return "A's ChannelData never reached B as a Data indication: the server did not relay from A's relayed"
                    + " address to B's. Behind 1:1 NAT with an external address, the server must deliver packets for"
                    + " its own relayed addresses inside the host (Parkway does; other servers rely on the cloud"
                    + " network looping them back); also check that the host firewall lets UDP reach the relay port"
                    + " range (turn.relay.ports)";
        }
        return "B received the data, but its Send indication back to A's relayed address never reached A as"
                + " ChannelData on channel 0x4000: check the host firewall for the relay port range (turn.relay.ports)";
    }

    /** A packet of this run: 8 random bytes, the sequence number, then a fill pattern up to the payload size. */
    private static byte[] payload(byte[] run, int seq) {
        byte[] p = new byte[PAYLOAD_SIZE];
        System.arraycopy(run, 0, p, 0, run.length);
        p[8] = (byte) (seq >>> 24);
        p[9] = (byte) (seq >>> 16);
        p[10] = (byte) (seq >>> 8);
        p[11] = (byte) seq;
        for (int i = 12; i < p.length; i++) {
            p[i] = (byte) i;
        }
        return p;
    }

    /** The packet carrying {@code payload}, as ChannelData on {@link #CHANNEL} or as a Data indication; null if late. */
    private static Incoming await(TurnCheckClient client, byte[] payload, boolean channelData, long deadline)
            throws IOException {
        while (true) {
            Incoming in = client.receive(deadline);
            if (in == null) {
                return null;
            }
            if (in.isChannelData() == channelData && (!channelData || in.channel() == CHANNEL)
                    && Arrays.equals(in.data(), payload)) {
                return in;
            }
        }
    }

    private static String rttStats(long[] rtts) {
        long min = Long.MAX_VALUE;
        long max = 0;
        long sum = 0;
        for (long r : rtts) {
            min = Math.min(min, r);
            max = Math.max(max, r);
            sum += r;
        }
        return String.format(Locale.ROOT, "%.1f/%.1f/%.1f ms", min / 1e6, sum / 1e6 / rtts.length, max / 1e6);
    }

    /** Refresh with LIFETIME 0 on both allocations, which deletes them (RFC 8656 section 8). */
    private void refresh() throws StepFailed {
        long start = System.nanoTime();
        attempt(Step.REFRESH, start, () -> delete(b));
        b.close();
        b = null;
        attempt(Step.REFRESH, start, () -> delete(a));
        a.close();
        a = null;
        report.ok(Step.REFRESH.label, System.nanoTime() - start, "both allocations released");
    }

    /**
     * Deletes the client's allocation. A 437 counts as done: RFC 8656 section 8.3 tells the client to consider the
     * allocation deleted when a Refresh with lifetime 0 gets one (the answer to a retransmission, for instance).
     */
    private static Void delete(TurnCheckClient client) throws CheckFailure, IOException {
        try {
            client.transact(StunMethod.REFRESH, w -> w.uint32(StunAttribute.LIFETIME, 0), true);
        } catch (CheckFailure f) {
            if (f.errorCode() != StunErrorCode.ALLOCATION_MISMATCH) {
                throw f;
            }
        }
        return null;
    }

    /** After a failure: deletes what is still allocated, each request bounded by a short timeout, silently. */
    private void cleanUp() {
        for (TurnCheckClient client : new TurnCheckClient[] {b, a}) {
            if (client == null) {
                continue;
            }
            try {
                if ((client == a && relayedA != null) || (client == b && relayedB != null)) {
                    client.timeout(CLEANUP_TIMEOUT.compareTo(settings.timeout()) < 0
                            ? CLEANUP_TIMEOUT : settings.timeout());
                    delete(client);
                }
            } catch (CheckFailure | IOException e) {
                // Left to expire on the server; the verdict already says what went wrong.
            } finally {
                client.close();
            }
        }
        a = null;
        b = null;
    }

    /** Runs one request of {@code step}, turning a failure into a printed {@link StepFailed} with a hint. */
    private <T> T attempt(Step step, long start, Action<T> action) throws StepFailed {
        try {
            return action.run();
        } catch (CheckFailure f) {
            throw new StepFailed(step, System.nanoTime() - start, f.getMessage(),
                    CheckHints.explain(step, f, facts(step)), report);
        } catch (IOException e) {
            throw new StepFailed(step, System.nanoTime() - start, describe(e), null, report);
        }
    }

    private Facts facts(Step step) {
        String peer = step == Step.PERMISSION_B ? format(relayedA) : format(relayedB);
        String knownRealm = realm != null ? realm : a != null && a.realm() != null ? a.realm()
                : b != null ? b.realm() : null;
        return new Facts(settings.server().toString(), settings.tcp() ? "tcp" : "udp",
                !CheckAddresses.isPrivate(server.getAddress()), settings.rest(), settings.user(), knownRealm, peer);
    }

    private static String format(InetSocketAddress address) {
        return address == null ? null : CheckAddresses.format(address);
    }

    private static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
