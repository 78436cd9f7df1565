package io.parkway.server;

import io.netty.util.NetUtil;
import io.parkway.turn.ListenAddress;
import io.parkway.turn.TurnTransport;
import io.parkway.turn.auth.RestCredentials;
import java.io.PrintWriter;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code parkway serve} prints when it runs the embedded development defaults (no {@code --config} and no
 * configuration file in a default place, see {@link ConfigSource}): where it listens, a ready-made credential, and
 * command lines to try it with coturn's client and from a browser. It goes to stdout, not to the log, and only in
 * this case: it shows the run's secret, which is what makes it useful.
 */
final class DevelopmentBanner {

    private static final String DEMO_USER = "demo";

    private DevelopmentBanner() {
    }

    static void print(PrintWriter out, ParkwayConfig config, List<ListenAddress> bound, String secret, Clock clock) {
        Duration ttl = Duration.ofSeconds(CredentialsCommand.DEFAULT_TTL_SECONDS);
        var credential = RestCredentials.issue(secret, DEMO_USER, ttl, clock);
        List<String> listen = new ArrayList<>();
        List<String> urls = new ArrayList<>();
        for (ListenAddress a : bound) {
            String hostPort = uriHost(a.address().getAddress()) + ":" + a.address().getPort();
            listen.add(a.transport().scheme() + "://" + hostPort);
            urls.add("\"turn:" + hostPort + "?transport=" + a.transport().scheme() + "\"");
        }
        out.println();
        out.println("Parkway development server (no configuration file, embedded defaults): loopback only,"
                + " TURN REST secret generated for this run.");
        out.println("  listening  " + String.join("  ", listen) + "   realm " + config.realm());
        out.println("  username   " + credential.username() + "   (valid for " + ttl.toHours() + " hours)");
        out.println("  password   " + credential.password());
        out.println("  secret     " + secret);
        out.println("Try it with coturn's client (two clients relay to each other through Parkway):");
        for (TurnTransport transport : TurnTransport.values()) {
            bound.stream().filter(a -> a.transport() == transport).findFirst().ifPresent(a -> out.println(
                    "  turnutils_uclient" + (transport == TurnTransport.TCP ? " -t" : "") + " -y -c -n 20 -u "
                            + credential.username() + " -w " + credential.password() + " -p "
                            + a.address().getPort() + " " + NetUtil.toAddressString(a.address().getAddress())));
        }
        out.println("In a browser, as an RTCPeerConnection iceServers entry:");
        out.println("  { urls: [" + String.join(", ", urls) + "], username: \"" + credential.username()
                + "\", credential: \"" + credential.password() + "\" }");
        out.println("More credentials:  ./parkway credentials --secret " + secret + " --user NAME");
        out.println("For a real deployment: edit conf/parkway.yaml (serve loads it from the working directory)"
                + " or install it as /etc/parkway/parkway.yaml; or ./parkway serve --config FILE");
        out.println();
        out.flush();
    }

    /** An IP as URIs write it: RFC 5952 text, IPv6 in brackets (RFC 3986 section 3.2.2). */
    private static String uriHost(InetAddress ip) {
        String text = NetUtil.toAddressString(ip);
        return ip instanceof Inet6Address ? "[" + text + "]" : text;
    }
}
