// Connection path and audio statistics from RTCPeerConnection.getStats().

/**
 * The selected ICE candidate pair of `pc` and what it means for the user.
 * @param {RTCPeerConnection} pc
 * @returns {Promise<null | {path: string, relayed: boolean, local: object, remote: object, rtt: number|null}>}
 *   `path` is 'direct', 'relay over udp', 'relay over tcp', 'relay over tls' (our side uses a TURN allocation), or
 *   'relay (remote side)' (only the other side relays). null while no pair is selected.
 */
export async function connectionPath(pc) {
  if (!pc || pc.connectionState === 'closed') return null;
  let report;
  try {
    report = await pc.getStats();
  } catch (e) {
    return null;
  }
  const byId = new Map();
  report.forEach((s) => byId.set(s.id, s));
  let pair = null;
  report.forEach((s) => {
    if (s.type === 'transport' && s.selectedCandidatePairId) pair = byId.get(s.selectedCandidatePairId) || pair;
  });
  if (!pair) {
    // Firefox marks the pair itself; older Safari only has nominated + succeeded.
    report.forEach((s) => {
      if (s.type === 'candidate-pair' && (s.selected || (s.nominated && s.state === 'succeeded')) && !pair) pair = s;
    });
  }
  if (!pair) return null;
  const local = describeCandidate(byId.get(pair.localCandidateId));
  const remote = describeCandidate(byId.get(pair.remoteCandidateId));
  let path;
  if (local.type === 'relay') path = `relay over ${local.relayProtocol || 'udp'}`;
  else if (remote.type === 'relay') path = 'relay (remote side)';
  else path = 'direct';
  const rtt = typeof pair.currentRoundTripTime === 'number' ? pair.currentRoundTripTime : null;
  return { path, relayed: local.type === 'relay' || remote.type === 'relay', local, remote, rtt };
}

function describeCandidate(c) {
  if (!c) return { type: 'unknown' };
  return {
    type: c.candidateType,                        // host | srflx | prflx | relay
    protocol: c.protocol,                         // udp | tcp (towards the peer or the TURN server)
    relayProtocol: c.relayProtocol || undefined,  // udp | tcp | tls: client ↔ TURN server, for relay candidates
    address: c.address ?? c.ip,
    port: c.port,
    url: c.url,
  };
}

/**
 * Turns successive inbound-rtp (audio) samples into bitrate and loss over the interval since the previous call.
 * Create one per peer connection and call `sample()` periodically.
 */
export class InboundAudioMeter {
  constructor(pc) {
    this.pc = pc;
    this.last = null;
  }

  /**
   * @returns {Promise<null | {bitrate: number, lossPercent: number, packetsReceived: number, packetsLost: number,
   *   jitter: number|null, codec: string|null, channels: number|null}>} bitrate in bits per second
   */
  async sample() {
    if (!this.pc || this.pc.connectionState === 'closed') return null;
    let report;
    try {
      report = await this.pc.getStats();
    } catch (e) {
      return null;
    }
    let rtp = null;
    report.forEach((s) => {
      if (s.type === 'inbound-rtp' && (s.kind === 'audio' || s.mediaType === 'audio')) rtp = s;
    });
    if (!rtp) return null;
    const codec = rtp.codecId ? report.get(rtp.codecId) : null;
    const now = { t: rtp.timestamp, bytes: rtp.bytesReceived || 0, rx: rtp.packetsReceived || 0,
      lost: Math.max(0, rtp.packetsLost || 0) };
    const prev = this.last;
    this.last = now;
    let bitrate = 0;
    let lossPercent = 0;
    if (prev && now.t > prev.t && now.bytes >= prev.bytes) {
      bitrate = ((now.bytes - prev.bytes) * 8 * 1000) / (now.t - prev.t);
      const rx = now.rx - prev.rx;
      const lost = Math.max(0, now.lost - prev.lost);
      lossPercent = rx + lost > 0 ? (100 * lost) / (rx + lost) : 0;
    }
    return {
      bitrate: Math.round(bitrate),
      lossPercent: Math.round(lossPercent * 10) / 10,
      packetsReceived: now.rx,
      packetsLost: now.lost,
      jitter: typeof rtp.jitter === 'number' ? rtp.jitter : null,
      codec: codec ? codec.mimeType : null,
      channels: codec && codec.channels ? codec.channels : null,
    };
  }
}

/** Outbound audio bitrate of a speaker's connection, same interval semantics as InboundAudioMeter. */
export class OutboundAudioMeter {
  constructor(pc) {
    this.pc = pc;
    this.last = null;
  }

  async sample() {
    if (!this.pc || this.pc.connectionState === 'closed') return null;
    let report;
    try {
      report = await this.pc.getStats();
    } catch (e) {
      return null;
    }
    let rtp = null;
    report.forEach((s) => {
      if (s.type === 'outbound-rtp' && (s.kind === 'audio' || s.mediaType === 'audio')) rtp = s;
    });
    if (!rtp) return null;
    const now = { t: rtp.timestamp, bytes: rtp.bytesSent || 0 };
    const prev = this.last;
    this.last = now;
    const bitrate = prev && now.t > prev.t ? ((now.bytes - prev.bytes) * 8 * 1000) / (now.t - prev.t) : 0;
    return { bitrate: Math.max(0, Math.round(bitrate)) };
  }
}
