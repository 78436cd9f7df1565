package io.parkway.turn.protocol;

/**
 * A ChannelData message received by a test client (RFC 8656 section 12.4).
 *
 * @param channel the channel number
 * @param data exactly the application data the length field announces
 * @param wireLength bytes the message took on the wire: the datagram length over UDP, header plus padded data over
 *     TCP (RFC 8656 section 12.5)
 */
record ChannelDataPacket(int channel, byte[] data, int wireLength) {
}
