package io.parkway.bench;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The client → server messages of the signaling load (docs/signaling-protocol.md) as JSON text, each carrying the
 * {@link System#nanoTime()} at which it was sent so that the receiving client measures the relay's one-way latency
 * (sender and receiver share one machine and its monotonic clock):
 * <ul>
 * <li>in an SDP (offer, answer) as a session-level attribute {@code a=x-parkway-sent:NANOS} (RFC 8866 section 5.13
 * allows any attribute; browsers ignore unknown ones);</li>
 * <li>in an ICE candidate as an extension attribute {@code x-parkway-sent NANOS} at the end of the candidate line
 * (RFC 8839 section 5.1, {@code extension-att-name extension-att-value}).</li>
 * </ul>
 * The SDP is shaped like a browser's audio-only offer without candidates (trickle ICE), about 1.5 KB, so the
 * server parses and writes realistic sizes. Strings only; no buffers are made here.
 */
final class SignalingPayloads {

    static final String SDP_STAMP = "a=x-parkway-sent:";
    static final String CANDIDATE_STAMP = " x-parkway-sent ";
    /** Returned by the stamp readers when a message carries no stamp. */
    static final long NO_STAMP = Long.MIN_VALUE;

    /** An audio-only browser offer (Opus, RED, G.722, G.711, CN, telephone-event), already JSON-escaped. */
    private static final String SDP_HEAD = "v=0\\r\\no=- ";
    private static final String SDP_BODY = " 2 IN IP4 127.0.0.1\\r\\ns=-\\r\\nt=0 0\\r\\n"
            + "a=group:BUNDLE 0\\r\\na=extmap-allow-mixed\\r\\na=msid-semantic: WMS parkway-bench\\r\\n"
            + "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\\r\\nc=IN IP4 0.0.0.0\\r\\n"
            + "a=rtcp:9 IN IP4 0.0.0.0\\r\\na=ice-ufrag:aB3d\\r\\na=ice-pwd:Zx9kQ2mP7wR4tY6uI8oL1sD3\\r\\n"
            + "a=ice-options:trickle\\r\\n"
            + "a=fingerprint:sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:3A:5F:1C:DD:"
            + "8E:24:90:12:AB:CD:EF:01\\r\\n"
            + "a=setup:%SETUP%\\r\\na=mid:0\\r\\n"
            + "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\\r\\n"
            + "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\\r\\n"
            + "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\\r\\n"
            + "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\\r\\n"
            + "a=%DIRECTION%\\r\\na=msid:parkway-bench 6f1c2e8a-1b2c-4d5e-9f00-112233445566\\r\\na=rtcp-mux\\r\\n"
            + "a=rtcp-rsize\\r\\na=rtpmap:111 opus/48000/2\\r\\na=rtcp-fb:111 transport-cc\\r\\n"
            + "a=fmtp:111 minptime=10;useinbandfec=1;usedtx=1;maxaveragebitrate=32000\\r\\n"
            + "a=rtpmap:63 red/48000/2\\r\\na=fmtp:63 111/111\\r\\na=rtpmap:9 G722/8000\\r\\n"
            + "a=rtpmap:0 PCMU/8000\\r\\na=rtpmap:8 PCMA/8000\\r\\na=rtpmap:13 CN/8000\\r\\n"
            + "a=rtpmap:110 telephone-event/48000\\r\\na=rtpmap:126 telephone-event/8000\\r\\n"
            + "a=ssrc:1001 cname:pArKwAyBeNcHcNaMe\\r\\n"
            + "a=ssrc:1001 msid:parkway-bench 6f1c2e8a-1b2c-4d5e-9f00-112233445566\\r\\n";
    private static final String OFFER_BODY = SDP_BODY.replace("%SETUP%", "actpass").replace("%DIRECTION%", "sendonly");
    private static final String ANSWER_BODY = SDP_BODY.replace("%SETUP%", "active").replace("%DIRECTION%", "recvonly");

    private SignalingPayloads() {
    }

    static String join(String room, String role) {
        return "{\"type\":\"join\",\"room\":\"" + room + "\",\"role\":\"" + role + "\"}";
    }

    static String offer(String to, long sentNanos) {
        return new StringBuilder(OFFER_BODY.length() + 128).append("{\"type\":\"offer\",\"to\":\"").append(to)
                .append("\",\"sdp\":\"").append(SDP_HEAD).append(sessionId()).append(OFFER_BODY)
                .append(SDP_STAMP).append(sentNanos).append("\\r\\n\",\"restart\":false}").toString();
    }

    static String answer(String to, long sentNanos) {
        return new StringBuilder(ANSWER_BODY.length() + 128).append("{\"type\":\"answer\",\"to\":\"").append(to)
                .append("\",\"sdp\":\"").append(SDP_HEAD).append(sessionId()).append(ANSWER_BODY)
                .append(SDP_STAMP).append(sentNanos).append("\\r\\n\"}").toString();
    }

    /** A host candidate on a made-up loopback port; nothing ever connects to it. */
    static String candidate(String to, long sentNanos) {
        int port = 40000 + ThreadLocalRandom.current().nextInt(20000);
        return "{\"type\":\"candidate\",\"to\":\"" + to + "\",\"candidate\":{\"candidate\":\""
                + "candidate:3005749524 1 udp 2122260223 127.0.0.1 " + port
                + " typ host generation 0 ufrag aB3d network-id 1" + CANDIDATE_STAMP + sentNanos
                + "\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0,\"usernameFragment\":\"aB3d\"}}";
    }

    /** The stamp in a received SDP, or {@link #NO_STAMP}. */
    static long sdpStamp(String sdp) {
        int i = sdp.indexOf(SDP_STAMP);
        return i < 0 ? NO_STAMP : digits(sdp, i + SDP_STAMP.length());
    }

    /** The stamp in a received candidate line, or {@link #NO_STAMP}. */
    static long candidateStamp(String candidate) {
        int i = candidate.lastIndexOf(CANDIDATE_STAMP);
        return i < 0 ? NO_STAMP : digits(candidate, i + CANDIDATE_STAMP.length());
    }

    private static long digits(String s, int from) {
        boolean negative = from < s.length() && s.charAt(from) == '-';
        int i = negative ? from + 1 : from;
        long v = 0;
        int start = i;
        for (; i < s.length() && i - start < 19; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                break;
            }
            v = v * 10 + (c - '0');
        }
        if (i == start) {
            return NO_STAMP;
        }
        return negative ? -v : v;
    }

    private static long sessionId() {
        return ThreadLocalRandom.current().nextLong(1L << 62);
    }
}
