package io.parkway.turn;

import java.net.InetSocketAddress;

/** The client's 5-tuple as seen by the server (RFC 8656 section 2): client address, server address, transport. */
record FiveTuple(InetSocketAddress client, InetSocketAddress server, TurnTransport transport) {

    static FiveTuple of(ClientSocket socket) {
        return new FiveTuple(socket.remoteAddress(), socket.localAddress(), socket.transport());
    }
}
