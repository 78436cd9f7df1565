package io.parkway.server.park;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The park scenario's network, built from network namespaces, veth pairs, a bridge and nftables, all of them created
 * here and nowhere else (the test suite's network rule: traffic only to addresses inside namespaces the test made):
 *
 * <pre>
 *                         pk-inet ("the internet": bridge wan, 198.51.100.1/24 + 203.0.113.1/24, forwarding)
 *          ┌────────────────────┼──────────────────────────────┐
 *   pk-pub 198.51.100.10   pk-nat1 wan0 203.0.113.11       pk-nat2 wan0 203.0.113.12
 *   (Parkway: TURN/STUN,   home router: masquerade         carrier NAT: masquerade random
 *    signaling)            (endpoint-independent mapping,  (a new random port per destination:
 *                           address+port-dependent          symmetric NAT), same filtering
 *                           filtering)
 *                               │ lan0 10.11.0.1                │ lan0 10.12.0.1
 *                          pk-spk 10.11.0.2 (speaker)      pk-lis 10.12.0.2 (listener)
 * </pre>
 *
 * The NATs forward only LAN→WAN and replies to that (conntrack {@code established,related}); nothing routes to the
 * private LANs from outside, so the only paths between speaker and listener are through their NAT mappings, or
 * through Parkway's relay. IPv6 is off in every namespace, so no link-local path exists either.
 */
final class ParkNetwork implements AutoCloseable {

    static final String PREFIX = "pk-";
    static final String INET = PREFIX + "inet";
    static final String PUB = PREFIX + "pub";
    static final String NAT1 = PREFIX + "nat1";
    static final String SPK = PREFIX + "spk";
    static final String NAT2 = PREFIX + "nat2";
    static final String LIS = PREFIX + "lis";
    static final List<String> NAMESPACES = List.of(INET, PUB, NAT1, SPK, NAT2, LIS);

    static final String PUB_ADDRESS = "198.51.100.10";
    static final String NAT1_WAN = "203.0.113.11";
    static final String NAT2_WAN = "203.0.113.12";
    static final String SPK_ADDRESS = "10.11.0.2";
    static final String LIS_ADDRESS = "10.12.0.2";
    /** The nftables table the NATs hold (one per NAT namespace). */
    static final String NFT_TABLE = "parkway_park";

    private final List<String> created = new ArrayList<>();

    private ParkNetwork() {
    }

    /** Deletes what an earlier, killed run left behind, then builds the whole topology. */
    static ParkNetwork build() throws IOException, InterruptedException {
        removeStale();
        ParkNetwork net = new ParkNetwork();
        try {
            net.create();
            return net;
        } catch (IOException | InterruptedException | RuntimeException e) {
            net.close();
            throw e;
        }
    }

    private void create() throws IOException, InterruptedException {
        for (String ns : NAMESPACES) {
            run("ip", "netns", "add", ns);
            created.add(ns);
            run("ip", "-n", ns, "link", "set", "lo", "up");
            sysctl(ns, "net.ipv6.conf.all.disable_ipv6=1");
            sysctl(ns, "net.ipv6.conf.default.disable_ipv6=1");
        }
        // The internet: one bridge joining Parkway's host and both NATs' WAN sides, routing between its subnets.
        run("ip", "-n", INET, "link", "add", "wan", "type", "bridge");
        run("ip", "-n", INET, "addr", "add", "198.51.100.1/24", "dev", "wan");
        run("ip", "-n", INET, "addr", "add", "203.0.113.1/24", "dev", "wan");
        run("ip", "-n", INET, "link", "set", "wan", "up");
        sysctl(INET, "net.ipv4.ip_forward=1");
        sysctl(INET, "net.ipv4.conf.all.send_redirects=0"); // routes in and out of one bridge port, on purpose
        sysctl(INET, "net.ipv4.conf.wan.send_redirects=0");

        attach("v-pub", PUB, "eth0", PUB_ADDRESS + "/24", "198.51.100.1");
        attach("v-nat1", NAT1, "wan0", NAT1_WAN + "/24", "203.0.113.1");
        attach("v-nat2", NAT2, "wan0", NAT2_WAN + "/24", "203.0.113.1");

        lan(NAT1, "10.11.0.1", SPK, SPK_ADDRESS);
        lan(NAT2, "10.12.0.1", LIS, LIS_ADDRESS);
        nat(NAT1, "masquerade");
        nat(NAT2, "masquerade random");
    }

    /** A veth from the internet's bridge to {@code ns}'s {@code device}, with its address and default route. */
    private static void attach(String bridgePort, String ns, String device, String cidr, String gateway)
            throws IOException, InterruptedException {
        run("ip", "-n", INET, "link", "add", bridgePort, "type", "veth", "peer", "name", device, "netns", ns);
        run("ip", "-n", INET, "link", "set", bridgePort, "master", "wan", "up");
        run("ip", "-n", ns, "addr", "add", cidr, "dev", device);
        run("ip", "-n", ns, "link", "set", device, "up");
        run("ip", "-n", ns, "route", "add", "default", "via", gateway);
    }

    /** The private LAN behind {@code nat}: its lan0 at {@code gateway}/24, the host's eth0 at {@code host}/24. */
    private static void lan(String nat, String gateway, String hostNs, String host)
            throws IOException, InterruptedException {
        run("ip", "-n", nat, "link", "add", "lan0", "type", "veth", "peer", "name", "eth0", "netns", hostNs);
        run("ip", "-n", nat, "addr", "add", gateway + "/24", "dev", "lan0");
        run("ip", "-n", nat, "link", "set", "lan0", "up");
        run("ip", "-n", hostNs, "addr", "add", host + "/24", "dev", "eth0");
        run("ip", "-n", hostNs, "link", "set", "eth0", "up");
        run("ip", "-n", hostNs, "route", "add", "default", "via", gateway);
        sysctl(nat, "net.ipv4.ip_forward=1");
    }

    /**
     * {@code masquerade} keeps a LAN socket's mapping for every destination (Linux reuses the source port), i.e.
     * endpoint-independent mapping; {@code masquerade random} picks a new random port for every new conntrack entry,
     * i.e. for every destination: symmetric NAT. Both filter by address and port, through conntrack.
     */
    private static void nat(String ns, String masquerade) throws IOException, InterruptedException {
        String rules = """
                table ip %1$s {
                  chain postrouting {
                    type nat hook postrouting priority srcnat; policy accept;
                    oifname "wan0" %2$s
                  }
                  chain forward {
                    type filter hook forward priority filter; policy drop;
                    iifname "lan0" oifname "wan0" accept
                    iifname "wan0" oifname "lan0" ct state established,related accept
                  }
                }
                """.formatted(NFT_TABLE, masquerade);
        runWithInput(rules, "ip", "netns", "exec", ns, "nft", "-f", "-");
    }

    private static void sysctl(String ns, String setting) throws IOException, InterruptedException {
        run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", setting);
    }

    /** The nftables ruleset of {@code ns}, for diagnostics. */
    static String ruleset(String ns) {
        try {
            return run("ip", "netns", "exec", ns, "nft", "list", "ruleset");
        } catch (IOException | InterruptedException | RuntimeException e) {
            return "(nft list ruleset failed: " + e + ")";
        }
    }

    /** The UDP conntrack entries of {@code ns} ({@code /proc/net/nf_conntrack} when present), for diagnostics. */
    static String conntrack(String ns) {
        try {
            return run("ip", "netns", "exec", ns, "sh", "-c",
                    "cat /proc/net/nf_conntrack 2>/dev/null | grep udp || true");
        } catch (IOException | InterruptedException | RuntimeException e) {
            return "(conntrack unavailable: " + e + ")";
        }
    }

    /** Deletes namespaces with this test's prefix left by an earlier run (killed before its cleanup). */
    static void removeStale() throws IOException, InterruptedException {
        for (String line : run("ip", "netns", "list").split("\n")) {
            String name = line.strip().split("\\s+")[0];
            if (name.startsWith(PREFIX) && NAMESPACES.contains(name)) {
                System.err.println("ParkScenarioTest: deleting stale network namespace " + name
                        + " (left by an earlier run)");
                delete(name);
            }
        }
    }

    /** Kills what still runs in each namespace (processes this test started), removes the nft tables, deletes it. */
    @Override
    public void close() {
        for (int i = created.size() - 1; i >= 0; i--) {
            delete(created.get(i));
        }
        created.clear();
    }

    private static void delete(String ns) {
        try {
            String pids = run("ip", "netns", "pids", ns).strip();
            for (String pid : pids.isEmpty() ? new String[0] : pids.split("\\s+")) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(p -> {
                    System.err.println("ParkScenarioTest: killing pid " + pid + " still running in " + ns + ": "
                            + p.info().commandLine().orElse("?"));
                    p.destroyForcibly();
                });
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            System.err.println("ParkScenarioTest: listing processes of " + ns + ": " + e);
        }
        if (ns.equals(NAT1) || ns.equals(NAT2)) {
            quietly("ip", "netns", "exec", ns, "nft", "delete", "table", "ip", NFT_TABLE);
        }
        quietly("ip", "netns", "delete", ns);
    }

    private static void quietly(String... command) {
        try {
            run(command);
        } catch (IOException | InterruptedException | RuntimeException e) {
            System.err.println("ParkScenarioTest cleanup: " + String.join(" ", command) + ": " + e.getMessage());
        }
    }

    static String run(String... command) throws IOException, InterruptedException {
        return runWithInput(null, command);
    }

    static String runWithInput(String input, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (input != null) {
            p.getOutputStream().write(input.getBytes(UTF_8));
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + ": timed out after 30 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + ": exit code " + p.exitValue() + " (expected: 0): "
                    + out.strip());
        }
        return out;
    }
}
