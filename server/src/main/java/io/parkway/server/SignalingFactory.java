package io.parkway.server;

import io.parkway.server.ParkwayConfig.Signaling;
import io.parkway.signaling.SignalingServer;
import io.parkway.signaling.SignalingServerBuilder;
import io.parkway.turn.ListenAddress;
import io.parkway.turn.TurnTransport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Wires a {@link SignalingServer} from a validated {@link ParkwayConfig} and the TURN server's bound addresses: the
 * ICE server URLs point at each TURN listener (at {@code turn.relay.external-address} when set, as browsers must reach
 * it from outside), and TURN credentials use the newest of {@code turn.rest-secrets}. Built, not started.
 */
final class SignalingFactory {

    private SignalingFactory() {
    }

    static SignalingServer create(ParkwayConfig config, List<ListenAddress> turnAddresses) {
        Signaling s = config.signaling();
        SignalingServerBuilder b = SignalingServer.builder()
                .listen(s.listen().address().address())
                .speakerKey(s.speakerKey())
                .allowedOrigins(s.allowedOrigins())
                .maxListeners(s.maxListeners())
                .credentialTtl(s.credentialTtl())
                .credentialRefreshBefore(s.credentialRefreshBefore())
                .resumeGrace(s.resumeGrace())
                .maxMessageBytes(s.maxMessageBytes())
                .maxMessagesPerSecond(s.maxMessagesPerSecond())
                .maxConnectionsPerIp(s.maxConnectionsPerIp())
                .maxRooms(s.maxRooms())
                .iceServers(iceUrls(config, turnAddresses));
        if (!config.turn().restSecrets().isEmpty()) {
            b.turnSecret(config.turn().restSecrets().get(0)); // newest first
        }
        if (s.listen().https()) {
            b.tls(s.tls().cert().toFile(), s.tls().key().toFile());
        }
        return b.build();
    }

    /**
     * {@code stun:} once per UDP listener and {@code turn:…?transport=udp|tcp} per listener, host being the external
     * address when set, else the listener's IP; a wildcard listener without an external address uses the relay
     * address, and is left out when that is unknown too.
     */
    static List<String> iceUrls(ParkwayConfig config, List<ListenAddress> turnAddresses) {
        InetAddress external = config.turn().relay().externalAddress();
        InetAddress relay = config.turn().relay().address();
        Set<String> stun = new LinkedHashSet<>();
        Set<String> turn = new LinkedHashSet<>();
        for (ListenAddress listen : turnAddresses) {
            InetSocketAddress bound = listen.address();
            InetAddress host = external != null ? external
                    : !bound.getAddress().isAnyLocalAddress() ? bound.getAddress() : relay;
            if (host == null || host.isAnyLocalAddress()) {
                continue;
            }
            String hostPort = uriHost(host) + ":" + bound.getPort();
            if (listen.transport() == TurnTransport.UDP) {
                stun.add("stun:" + hostPort);
                turn.add("turn:" + hostPort + "?transport=udp");
            } else {
                turn.add("turn:" + hostPort + "?transport=tcp");
            }
        }
        List<String> urls = new ArrayList<>(stun);
        urls.addAll(turn);
        return urls;
    }

    private static String uriHost(InetAddress ip) {
        String text = ip.getHostAddress();
        int zone = text.indexOf('%');
        if (zone >= 0) {
            text = text.substring(0, zone);
        }
        return text.indexOf(':') >= 0 ? "[" + text + "]" : text;
    }
}
