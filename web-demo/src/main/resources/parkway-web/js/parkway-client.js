// Parkway browser client: a speaker that broadcasts its microphone to every listener of a room, and a listener that
// plays the speaker's audio. Uses only the platform (WebSocket, RTCPeerConnection, getUserMedia); no framework.
//
// Topology (docs/signaling-protocol.md): the speaker holds one RTCPeerConnection per listener and sends the offers;
// each listener answers. Candidates trickle both ways (null = end of candidates). The signaling socket resumes
// after a drop with the same peerId, and media keeps flowing meanwhile; ICE restarts repair the media path.
//
// API and events: docs/web-client.md.

import { SignalingChannel, defaultSignalingUrl } from './parkway-signaling.js';
import { MEDIA_PRESETS, mediaSettings, audioConstraints, mungeOpus, opusParams } from './parkway-media.js';
import { connectionPath, InboundAudioMeter, OutboundAudioMeter } from './parkway-stats.js';

export { SignalingChannel, defaultSignalingUrl, MEDIA_PRESETS, mediaSettings, audioConstraints, mungeOpus, opusParams,
  connectionPath, InboundAudioMeter, OutboundAudioMeter };

/** How long ICE may stay `disconnected` before we restart it (it often recovers by itself). */
const DISCONNECTED_GRACE_MS = 2500;
/** A restart request or restart offer within this window is not repeated. */
const RESTART_DAMPING_MS = 2000;

/**
 * `iceTransportPolicy` requested by a page URL: `?relay=1` (or `?relay=true`) forces TURN ('relay'), else 'all'.
 * @param {string} [search] defaults to location.search
 */
export function iceTransportPolicyFromUrl(search = globalThis.location?.search ?? '') {
  const v = new URLSearchParams(search).get('relay');
  return v !== null && v !== '0' && v !== 'false' ? 'relay' : 'all';
}

/** Audio inputs; labels are empty until the page has microphone permission. */
export async function listMicrophones() {
  if (!navigator.mediaDevices?.enumerateDevices) return [];
  const devices = await navigator.mediaDevices.enumerateDevices();
  return devices.filter((d) => d.kind === 'audioinput');
}

function isConnected(pc) {
  if (!pc) return false;
  if (pc.connectionState) return pc.connectionState === 'connected';
  return pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed';
}

function emit(target, type, detail) {
  target.dispatchEvent(new CustomEvent(type, { detail }));
}

/**
 * One RTCPeerConnection with a remote peer: serialized operations, candidate queue, restart bookkeeping.
 * @private
 */
class PeerLink {
  constructor(owner, remoteId, config) {
    this.owner = owner;
    this.remoteId = remoteId;
    this.pc = new RTCPeerConnection(config);
    this.iceServers = config.iceServers;
    this.queue = Promise.resolve();
    this.pendingCandidates = [];
    this.lastRestart = 0;
    this.disconnectTimer = null;
    this.path = null;
    this.bitrate = null;
    this.wasConnected = false;
    this.closed = false;
  }

  /** Runs `fn` after every earlier operation on this connection; failures are reported, not thrown. */
  chain(fn) {
    this.queue = this.queue.then(() => (this.closed ? undefined : fn())).catch((e) => {
      if (!this.closed) this.owner.reportError('webrtc', `${this.remoteId}: ${e && e.message ? e.message : e}`);
    });
    return this.queue;
  }

  addCandidate(candidate) {
    this.chain(async () => {
      if (!this.pc.remoteDescription) {
        this.pendingCandidates.push(candidate);
        return;
      }
      await this.applyCandidate(candidate);
    });
  }

  async flushCandidates() {
    const pending = this.pendingCandidates;
    this.pendingCandidates = [];
    for (const c of pending) await this.applyCandidate(c);
  }

  async applyCandidate(candidate) {
    try {
      // End of candidates: an empty candidate is the most portable spelling (null throws in older Safari).
      await this.pc.addIceCandidate(candidate ?? { candidate: '', sdpMid: '0', sdpMLineIndex: 0 });
    } catch (e) {
      // Candidates of a previous ICE generation, or end-of-candidates twice: harmless.
    }
  }

  setIceServers(iceServers) {
    if (!iceServers || this.closed) return;
    this.iceServers = iceServers;
    try {
      this.pc.setConfiguration({ ...this.pc.getConfiguration(), iceServers });
    } catch (e) {
      this.owner.reportError('webrtc', `setConfiguration: ${e.message}`);
    }
  }

  close() {
    this.closed = true;
    clearTimeout(this.disconnectTimer);
    try { this.pc.close(); } catch (e) { /* ignore */ }
  }
}

/** Common parts of the speaker and the listener. @private */
class ParkwayPeer extends EventTarget {
  constructor(options = {}) {
    super();
    this.iceTransportPolicy = options.iceTransportPolicy === 'relay' ? 'relay' : 'all';
    this.statsInterval = options.statsInterval ?? 1000;
    this.signalingOptions = options.signaling ?? {};
    this.state = 'idle';
    this.error = null;
    this.signaling = null;
    this.peerId = null;
    this.room = null;
    this.iceServers = [];
    this.credentialExpires = null;
    this.listenerCount = 0;
    this.statsTimer = null;
  }

  /** 'connecting' | 'open' | 'reconnecting' | 'closed': the signaling socket, independent of media. */
  get signalingState() {
    return this.signaling ? this.signaling.state : 'closed';
  }

  setState(state) {
    if (state === this.state) return;
    const previous = this.state;
    this.state = state;
    emit(this, 'statechange', { state, previous });
  }

  reportError(code, message, fatal = false) {
    const error = { code, message, fatal };
    if (fatal) this.error = error;
    emit(this, 'error', error);
  }

  peerConfig(iceServers) {
    return { iceServers: iceServers || [], iceTransportPolicy: this.iceTransportPolicy, bundlePolicy: 'max-bundle' };
  }

  openSignaling(wsUrl, join) {
    this.closeSignaling(false);
    const ch = new SignalingChannel(this.signalingOptions);
    this.signaling = ch;
    ch.addEventListener('message', (e) => this.onMessage(e.detail.msg));
    ch.addEventListener('state', (e) => {
      emit(this, 'signalingstate', e.detail);
      this.onSignalingState(e.detail.state);
    });
    ch.addEventListener('fatal', (e) => this.onFatal(e.detail));
    ch.open(wsUrl || defaultSignalingUrl(), join);
  }

  closeSignaling(leave = true) {
    if (this.signaling) {
      const ch = this.signaling;
      this.signaling = null;
      ch.close({ leave });
    }
  }

  send(msg) {
    return this.signaling ? this.signaling.send(msg) : false;
  }

  /** Drops the signaling socket as a network failure would; the client resumes by itself. For tests. */
  dropSignaling() {
    this.signaling?.drop();
  }

  onWelcomeCommon(msg) {
    this.peerId = msg.peerId;
    this.room = msg.room ?? this.room;
    this.session = msg.session;
    if (Array.isArray(msg.iceServers)) this.iceServers = msg.iceServers;
    this.credentialExpires = msg.credentialExpires ?? null;
    if (typeof msg.listeners === 'number') this.setListenerCount(msg.listeners);
  }

  setListenerCount(count) {
    if (count === this.listenerCount) return;
    this.listenerCount = count;
    emit(this, 'listeners', { count });
  }

  startStats(fn) {
    clearInterval(this.statsTimer);
    if (this.statsInterval > 0) this.statsTimer = setInterval(fn, this.statsInterval);
  }

  stopStats() {
    clearInterval(this.statsTimer);
    this.statsTimer = null;
  }
}

/**
 * The speaker: captures the microphone and sends it to every listener of a room.
 *
 * state: 'idle' → 'connecting' → 'live' → 'stopped'; 'error' on a fatal failure (see `error`).
 * Events: statechange, listeners, peers, stream, media, signalingstate, error (see docs/web-client.md).
 */
export class ParkwaySpeaker extends ParkwayPeer {
  /**
   * @param {object} [options]
   * @param {'all'|'relay'} [options.iceTransportPolicy='all'] 'relay' forces every connection through TURN
   * @param {'voice'|'music'} [options.mode='voice']
   * @param {object} [options.media] overrides of the mode's preset: {bitrate, stereo, dtx, fec}
   * @param {string} [options.deviceId] microphone from listMicrophones(); default device otherwise
   * @param {number} [options.statsInterval=2000] ms between connection-path refreshes; 0 disables
   */
  constructor(options = {}) {
    super({ statsInterval: 2000, ...options });
    this.media = mediaSettings(options.mode ?? 'voice', options.media ?? {});
    this.deviceId = options.deviceId ?? null;
    this.stream = null;
    /** @type {Map<string, PeerLink>} listener peerId → connection */
    this.links = new Map();
  }

  /** Per-listener connection snapshot: [{peerId, state, path, relayed, bitrate}]. */
  get peers() {
    return [...this.links.values()].map((l) => ({
      peerId: l.remoteId,
      state: l.pc.connectionState || l.pc.iceConnectionState,
      iceState: l.pc.iceConnectionState,
      path: l.path ? l.path.path : null,
      relayed: l.path ? l.path.relayed : null,
      local: l.path ? l.path.local : null,
      bitrate: l.bitrate,
    }));
  }

  /**
   * Opens the microphone with the current mode's constraints (asks for permission). Idempotent.
   * @returns {Promise<MediaStream>}
   */
  async openMicrophone() {
    if (this.stream && this.stream.getAudioTracks().some((t) => t.readyState === 'live')) return this.stream;
    if (!navigator.mediaDevices?.getUserMedia) {
      throw new Error('this browser cannot capture audio here (getUserMedia needs HTTPS or localhost)');
    }
    const stream = await navigator.mediaDevices.getUserMedia(audioConstraints(this.media, this.deviceId));
    this.setStream(stream);
    return stream;
  }

  /** Releases the microphone (only when not live). */
  closeMicrophone() {
    if (this.state === 'live' || this.state === 'connecting') return;
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = null;
    emit(this, 'stream', { stream: null });
  }

  setStream(stream) {
    const old = this.stream;
    this.stream = stream;
    if (old && old !== stream) old.getTracks().forEach((t) => t.stop());
    emit(this, 'stream', { stream });
  }

  /**
   * Joins the room as its speaker and goes live. Resolves once live; rejects on a fatal error (also reported as
   * state 'error' and an `error` event).
   * @param {string} [wsUrl] signaling URL; defaults to ws(s)://<page host>/ws
   * @param {string} room
   * @param {{key?: string}} [auth] the room's speaker key, when it has one
   */
  async connect(wsUrl, room, { key } = {}) {
    if (this.state === 'connecting' || this.state === 'live') throw new Error(`already ${this.state}`);
    if (!room) throw new Error('room: empty (expected: a room name)');
    this.error = null;
    this.room = room;
    this.setState('connecting');
    try {
      await this.openMicrophone();
    } catch (e) {
      this.reportError('microphone', microphoneMessage(e), true);
      this.setState('error');
      throw e;
    }
    const join = { room, role: 'speaker' };
    if (key) join.key = key;
    const done = new Promise((resolve, reject) => {
      this.pendingConnect = { resolve, reject };
    });
    this.openSignaling(wsUrl, join);
    this.startStats(() => this.refreshStats());
    return done;
  }

  /** Ends the broadcast: tells the room, closes every connection, releases the microphone. */
  stop() {
    if (this.state === 'idle' || this.state === 'stopped') return;
    this.send({ type: 'stop' });
    this.closeSignaling(true);
    for (const link of this.links.values()) link.close();
    this.links.clear();
    this.stopStats();
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = null;
    emit(this, 'stream', { stream: null });
    emit(this, 'peers', { peers: [] });
    this.setListenerCount(0);
    this.pendingConnect?.reject(new Error('stopped'));
    this.pendingConnect = null;
    this.setState('stopped');
  }

  /**
   * Switches between voice and music (or changes bitrate etc.), live or not: re-opens the microphone with the
   * mode's processing, replaces the sent track, renegotiates Opus parameters and tells the listeners.
   */
  async setMode(mode, overrides = {}) {
    this.media = mediaSettings(mode, overrides);
    emit(this, 'media', { settings: this.media });
    if (this.stream) await this.reopenMicrophone();
    if (this.state === 'live') {
      this.send({ type: 'media', settings: this.media });
      for (const link of this.links.values()) {
        this.applyBitrate(link);
        this.offer(link, false);
      }
    }
  }

  /** Switches the microphone, live or not. */
  async setDevice(deviceId) {
    this.deviceId = deviceId || null;
    if (this.stream) await this.reopenMicrophone();
  }

  async reopenMicrophone() {
    // Stop first: several phones cannot open the microphone twice.
    this.stream?.getTracks().forEach((t) => t.stop());
    const stream = await navigator.mediaDevices.getUserMedia(audioConstraints(this.media, this.deviceId));
    this.setStream(stream);
    const track = stream.getAudioTracks()[0];
    for (const link of this.links.values()) {
      for (const sender of link.pc.getSenders()) {
        if (!sender.track || sender.track.kind === 'audio') await sender.replaceTrack(track).catch(() => {});
      }
      link.pc.getSenders().forEach((s) => s.setStreams?.(stream));
    }
  }

  // --- signaling ---

  onSignalingState(state) {
    if (state === 'reconnecting') emit(this, 'peers', { peers: this.peers });
  }

  onFatal({ code, message }) {
    for (const link of this.links.values()) link.close();
    this.links.clear();
    this.stopStats();
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = null;
    this.reportError(code, message, true);
    this.setState('error');
    this.pendingConnect?.reject(Object.assign(new Error(message), { code }));
    this.pendingConnect = null;
  }

  onMessage(msg) {
    switch (msg.type) {
      case 'welcome': return this.onWelcome(msg);
      case 'peer-joined':
        if (!msg.role || msg.role === 'listener') this.onPeerJoined(msg);
        return undefined;
      case 'peer-left': return this.removePeer(msg.peerId);
      case 'listeners': return this.setListenerCount(msg.count);
      case 'answer': return this.onAnswer(msg);
      case 'candidate': return this.links.get(msg.from)?.addCandidate(msg.candidate);
      case 'restart': return this.onRestartRequest(msg.from);
      case 'credentials': return this.onCredentials(msg);
      case 'error': return this.reportError(msg.code, msg.message || msg.code);
      default: return undefined;
    }
  }

  onWelcome(msg) {
    this.onWelcomeCommon(msg);
    if (!msg.resumed) {
      // A fresh session: every peerId we knew belongs to the old one.
      for (const link of this.links.values()) link.close();
      this.links.clear();
    }
    this.send({ type: 'media', settings: this.media });
    this.send({ type: 'live' });
    this.setState('live');
    this.pendingConnect?.resolve(this);
    this.pendingConnect = null;
    if (msg.resumed) {
      // Anything that broke while we were away (or whose offer/answer was lost) is restarted now.
      for (const link of this.links.values()) {
        if (!isConnected(link.pc) || link.pc.signalingState !== 'stable') this.offer(link, true);
      }
    }
    emit(this, 'peers', { peers: this.peers });
  }

  onPeerJoined(msg) {
    const existing = this.links.get(msg.peerId);
    if (existing && existing.pc.connectionState !== 'closed') {
      // The same listener again (it resumed): keep the connection, take its new credentials.
      existing.setIceServers(msg.iceServers);
      if (!isConnected(existing.pc)) this.offer(existing, true);
      return;
    }
    this.createLink(msg.peerId, msg.iceServers);
  }

  onRestartRequest(peerId) {
    if (!peerId) return;
    const link = this.links.get(peerId);
    if (!link) {
      // A listener we never heard of (its peer-joined was lost while we were reconnecting): connect it now, with
      // our own credentials until the server sends per-connection ones.
      this.createLink(peerId, null);
      return;
    }
    if (Date.now() - link.lastRestart < RESTART_DAMPING_MS) return;
    this.offer(link, true);
  }

  onCredentials(msg) {
    if (!Array.isArray(msg.iceServers)) return;
    if (msg.peerId) {
      this.links.get(msg.peerId)?.setIceServers(msg.iceServers);
      return;
    }
    const old = this.iceServers;
    this.iceServers = msg.iceServers;
    this.credentialExpires = msg.credentialExpires ?? this.credentialExpires;
    for (const link of this.links.values()) if (link.iceServers === old) link.setIceServers(msg.iceServers);
  }

  onAnswer(msg) {
    const link = this.links.get(msg.from);
    if (!link || typeof msg.sdp !== 'string') return;
    link.chain(async () => {
      if (link.pc.signalingState !== 'have-local-offer') return; // stale answer
      await link.pc.setRemoteDescription({ type: 'answer', sdp: mungeOpus(msg.sdp, this.media) });
      await link.flushCandidates();
      await this.applyBitrate(link);
    });
  }

  // --- connections ---

  createLink(peerId, iceServers) {
    this.links.get(peerId)?.close();
    if (!this.stream) return null;
    const link = new PeerLink(this, peerId, this.peerConfig(iceServers || this.iceServers));
    this.links.set(peerId, link);
    const pc = link.pc;
    for (const track of this.stream.getAudioTracks()) {
      pc.addTransceiver(track, { direction: 'sendonly', streams: [this.stream] });
    }
    pc.onicecandidate = (e) => {
      const c = e.candidate && e.candidate.candidate ? e.candidate.toJSON() : null;
      this.send({ type: 'candidate', to: peerId, candidate: c });
    };
    pc.oniceconnectionstatechange = () => this.onIceState(link);
    pc.onconnectionstatechange = () => {
      if (isConnected(pc)) link.wasConnected = true;
      emit(this, 'peers', { peers: this.peers });
    };
    this.offer(link, false);
    emit(this, 'peers', { peers: this.peers });
    return link;
  }

  removePeer(peerId) {
    const link = this.links.get(peerId);
    if (!link) return;
    link.close();
    this.links.delete(peerId);
    emit(this, 'peers', { peers: this.peers });
  }

  onIceState(link) {
    const state = link.pc.iceConnectionState;
    clearTimeout(link.disconnectTimer);
    if (state === 'failed') {
      this.offer(link, true);
    } else if (state === 'disconnected') {
      link.disconnectTimer = setTimeout(() => {
        if (link.pc.iceConnectionState === 'disconnected') this.offer(link, true);
      }, DISCONNECTED_GRACE_MS);
    } else if (state === 'connected' || state === 'completed') {
      this.refreshLink(link);
    }
    emit(this, 'peers', { peers: this.peers });
  }

  /** Sends a (re)offer to one listener; with `restart`, an ICE restart. */
  offer(link, restart) {
    if (restart) link.lastRestart = Date.now();
    link.chain(async () => {
      const pc = link.pc;
      if (this.signalingState !== 'open') return; // done again on resume (see onWelcome)
      if (pc.signalingState === 'have-local-offer') {
        // The answer to our last offer never came (lost while the socket was down): start over.
        await pc.setLocalDescription({ type: 'rollback' });
      }
      if (restart && pc.restartIce) pc.restartIce();
      const offer = await pc.createOffer(restart ? { iceRestart: true } : {});
      await pc.setLocalDescription({ type: 'offer', sdp: mungeOpus(offer.sdp, this.media) });
      this.send({ type: 'offer', to: link.remoteId, sdp: pc.localDescription.sdp, restart: !!restart });
    });
  }

  async applyBitrate(link) {
    for (const sender of link.pc.getSenders()) {
      if (!sender.track || !sender.getParameters) continue;
      const params = sender.getParameters();
      if (!params.encodings || !params.encodings.length) continue;
      params.encodings[0].maxBitrate = this.media.bitrate;
      try {
        await sender.setParameters(params);
      } catch (e) {
        // Not fatal: the fmtp maxaveragebitrate still caps the encoder.
      }
    }
  }

  async refreshLink(link) {
    const [path, out] = await Promise.all([connectionPath(link.pc), (link.meter ||= new OutboundAudioMeter(link.pc)).sample()]);
    const changed = (path?.path ?? null) !== (link.path?.path ?? null);
    link.path = path;
    if (out) link.bitrate = out.bitrate;
    return changed;
  }

  async refreshStats() {
    if (!this.links.size) return;
    await Promise.all([...this.links.values()].map((l) => this.refreshLink(l)));
    emit(this, 'peers', { peers: this.peers });
  }
}

/**
 * The listener: joins a room and plays the speaker's audio.
 *
 * state: 'idle' → 'connecting' → 'waiting' (no live speaker) → 'live'; 'reconnecting' while signaling or media
 * is being repaired; 'ended' when the speaker stops; 'error' on a fatal failure (see `error`).
 * Events: statechange, stream, media, speaker, listeners, stats, signalingstate, error (see docs/web-client.md).
 */
export class ParkwayListener extends ParkwayPeer {
  /**
   * @param {object} [options]
   * @param {'all'|'relay'} [options.iceTransportPolicy='all'] 'relay' forces the connection through TURN
   * @param {HTMLAudioElement} [options.audio] element to play the remote stream; kept across reconnects
   * @param {number} [options.statsInterval=1000] ms between stats samples (`stats` event); 0 disables
   * @param {number} [options.offerTimeout=1500] ms to wait for the speaker's offer before asking for one
   */
  constructor(options = {}) {
    super(options);
    this.audio = options.audio ?? null;
    this.offerTimeout = options.offerTimeout ?? 1500;
    this.link = null;
    this.stream = null;
    this.speaker = null;      // {peerId, state: 'waiting'|'live'|'ended'} or null
    this.media = null;        // the speaker's media settings
    this.stats = null;        // latest {path, relayed, bitrate, lossPercent, ...}
    this.everWelcomed = false;
    this.wasLive = false;
    this.fatal = false;
    this.nudgeTimer = null;
    this.lastNudge = 0;
    this.nudgeDelay = this.offerTimeout;
    this.waitingSince = 0;
  }

  /** Plays the remote stream on `audio` (now and after every reconnect). */
  attach(audio) {
    this.audio = audio;
    if (audio && this.stream) this.playOn(audio, this.stream);
  }

  /**
   * Joins the room. Resolves at the welcome (the speaker may not be live yet); rejects on a fatal error.
   * @param {string} [wsUrl] signaling URL; defaults to ws(s)://<page host>/ws
   * @param {string} room
   * @param {{token?: string}} [auth] the room's listener token, when it has one
   */
  async connect(wsUrl, room, { token } = {}) {
    if (!room) throw new Error('room: empty (expected: a room name)');
    this.leave();
    this.fatal = false;
    this.error = null;
    this.everWelcomed = false;
    this.wasLive = false;
    this.room = room;
    this.state = 'idle';
    this.setState('connecting');
    const join = { room, role: 'listener' };
    if (token) join.token = token;
    const done = new Promise((resolve, reject) => {
      this.pendingConnect = { resolve, reject };
    });
    this.openSignaling(wsUrl, join);
    this.startStats(() => this.refreshStats());
    clearInterval(this.nudgeTimer);
    this.nudgeTimer = setInterval(() => this.nudge(), 500);
    return done;
  }

  /** Leaves the room and stops playback; the audio element stays, without a stream. */
  leave() {
    clearInterval(this.nudgeTimer);
    this.stopStats();
    this.closeSignaling(true);
    this.closeLink();
    this.setStream(null);
    this.speaker = null;
    this.pendingConnect = null;
    if (this.state !== 'error') this.setState('idle');
  }

  // --- state ---

  update() {
    let state;
    const ice = this.link ? this.link.pc.iceConnectionState : null;
    if (this.fatal) state = 'error';
    else if (!this.signaling) state = 'idle';
    else if (!this.everWelcomed) state = 'connecting';
    else if (this.signalingState !== 'open') state = 'reconnecting';
    else if (this.speaker?.state === 'ended') state = 'ended';
    else if (!this.speaker || this.speaker.state !== 'live') state = 'waiting';
    else if (this.link && isConnected(this.link.pc) && this.stream) state = 'live';
    else if (this.wasLive || ice === 'disconnected' || ice === 'failed') state = 'reconnecting';
    else state = 'connecting';
    if (state === 'live') {
      this.wasLive = true;
      this.nudgeDelay = this.offerTimeout;
    }
    this.setState(state);
  }

  onSignalingState() {
    this.update();
  }

  onFatal({ code, message }) {
    this.fatal = true;
    clearInterval(this.nudgeTimer);
    this.stopStats();
    this.closeLink();
    this.reportError(code, message, true);
    this.update();
    this.pendingConnect?.reject(Object.assign(new Error(message), { code }));
    this.pendingConnect = null;
  }

  // --- signaling ---

  onMessage(msg) {
    switch (msg.type) {
      case 'welcome': return this.onWelcome(msg);
      case 'speaker': return this.onSpeaker(msg);
      case 'peer-left':
        if (this.speaker && msg.peerId === this.speaker.peerId) this.onSpeaker({ peerId: msg.peerId, state: 'ended' });
        return undefined;
      case 'listeners': return this.setListenerCount(msg.count);
      case 'media':
        this.media = msg.settings ?? null;
        emit(this, 'media', { settings: this.media });
        return undefined;
      case 'offer': return this.onOffer(msg);
      case 'candidate':
        if (this.link && msg.from === this.link.remoteId) this.link.addCandidate(msg.candidate);
        return undefined;
      case 'credentials':
        if (Array.isArray(msg.iceServers)) {
          this.iceServers = msg.iceServers;
          this.credentialExpires = msg.credentialExpires ?? this.credentialExpires;
          this.link?.setIceServers(msg.iceServers);
        }
        return undefined;
      case 'error': return this.reportError(msg.code, msg.message || msg.code);
      default: return undefined;
    }
  }

  onWelcome(msg) {
    this.onWelcomeCommon(msg);
    this.everWelcomed = true;
    if (msg.media !== undefined) {
      this.media = msg.media;
      emit(this, 'media', { settings: this.media });
    }
    this.setSpeaker(msg.speaker ?? null);
    if (!msg.resumed) {
      // A new peerId: the speaker will offer to it; the old connection belongs to a session that is gone.
      this.closeLink();
    } else if (this.link) {
      this.link.setIceServers(this.iceServers);
      if (!isConnected(this.link.pc)) this.requestRestart(true);
    }
    this.waitingSince = Date.now();
    this.update();
    this.pendingConnect?.resolve(this);
    this.pendingConnect = null;
  }

  onSpeaker(msg) {
    const previous = this.speaker;
    this.setSpeaker({ peerId: msg.peerId ?? previous?.peerId, state: msg.state });
    if (msg.state === 'ended' || (previous && msg.peerId && previous.peerId !== msg.peerId)) {
      this.closeLink();
      this.setStream(null);
      this.wasLive = false;
    }
    if (msg.state === 'live') this.waitingSince = Date.now();
    this.update();
  }

  setSpeaker(speaker) {
    this.speaker = speaker && { peerId: speaker.peerId, state: speaker.state };
    emit(this, 'speaker', { speaker: this.speaker });
  }

  onOffer(msg) {
    if (typeof msg.sdp !== 'string' || !msg.from) return;
    if (!this.speaker) this.setSpeaker({ peerId: msg.from, state: 'live' });
    this.waitingSince = Date.now();
    let link = this.link;
    const reuse = link && link.remoteId === msg.from && link.pc.signalingState !== 'closed';
    if (!reuse) link = this.createLink(msg.from);
    link.chain(() => this.answer(link, msg).catch((e) => {
      if (!reuse) throw e;
      // The speaker started a new connection for us (new DTLS identity): answer it on a new one.
      const fresh = this.createLink(msg.from);
      return fresh.chain(() => this.answer(fresh, msg));
    }));
  }

  async answer(link, msg) {
    const pc = link.pc;
    await pc.setRemoteDescription({ type: 'offer', sdp: msg.sdp });
    await link.flushCandidates();
    const answer = await pc.createAnswer();
    const settings = this.media ?? settingsFromOffer(msg.sdp);
    await pc.setLocalDescription({ type: 'answer', sdp: settings ? mungeOpus(answer.sdp, settings) : answer.sdp });
    this.send({ type: 'answer', to: link.remoteId, sdp: pc.localDescription.sdp });
  }

  createLink(speakerId) {
    this.closeLink();
    const link = new PeerLink(this, speakerId, this.peerConfig(this.iceServers));
    this.link = link;
    const pc = link.pc;
    pc.onicecandidate = (e) => {
      const c = e.candidate && e.candidate.candidate ? e.candidate.toJSON() : null;
      this.send({ type: 'candidate', to: speakerId, candidate: c });
    };
    pc.ontrack = (e) => {
      if (link !== this.link) return;
      const stream = e.streams && e.streams[0] ? e.streams[0] : new MediaStream([e.track]);
      e.track.onunmute = () => this.update();
      this.setStream(stream);
    };
    pc.oniceconnectionstatechange = () => this.onIceState(link);
    pc.onconnectionstatechange = () => {
      if (link === this.link) {
        if (isConnected(pc)) this.refreshStats();
        this.update();
      }
    };
    this.meter = new InboundAudioMeter(pc);
    return link;
  }

  closeLink() {
    if (this.link) {
      this.link.close();
      this.link = null;
    }
  }

  onIceState(link) {
    if (link !== this.link) return;
    const state = link.pc.iceConnectionState;
    clearTimeout(link.disconnectTimer);
    if (state === 'failed') {
      this.requestRestart();
    } else if (state === 'disconnected') {
      link.disconnectTimer = setTimeout(() => {
        if (link === this.link && link.pc.iceConnectionState === 'disconnected') this.requestRestart();
      }, DISCONNECTED_GRACE_MS);
    }
    this.update();
  }

  /** Asks the speaker for an ICE restart (a new offer with restart: true), refreshing credentials when near expiry. */
  requestRestart(force = false) {
    const speakerId = this.speaker?.peerId ?? this.link?.remoteId;
    if (!speakerId || this.signalingState !== 'open') return;
    const now = Date.now();
    if (!force && now - this.lastNudge < RESTART_DAMPING_MS) return;
    this.lastNudge = now;
    if (this.credentialExpires && this.credentialExpires * 1000 - now < 90000) this.send({ type: 'credentials' });
    this.send({ type: 'restart', to: speakerId });
  }

  /**
   * Watchdog: the speaker is live but we have no working connection and nothing is happening — e.g. the speaker
   * never learned about us because its socket was down when we joined. Ask it for an offer, with backoff.
   */
  nudge() {
    if (this.signalingState !== 'open' || this.speaker?.state !== 'live') return;
    const pc = this.link?.pc;
    if (pc && isConnected(pc)) return;
    const stuck = !pc || pc.iceConnectionState === 'failed' ||
        ((pc.iceConnectionState === 'new' || pc.iceConnectionState === 'checking') && pc.signalingState === 'stable');
    if (!stuck) return;
    const since = Math.max(this.waitingSince, this.lastNudge);
    const wait = pc ? Math.max(this.nudgeDelay, 8000) : this.nudgeDelay;
    if (Date.now() - since < wait) return;
    this.nudgeDelay = Math.min(this.nudgeDelay * 2, 10000);
    this.requestRestart(true);
  }

  // --- media ---

  setStream(stream) {
    if (stream === this.stream) return;
    this.stream = stream;
    if (this.audio) this.playOn(this.audio, stream);
    emit(this, 'stream', { stream });
    this.update();
  }

  playOn(audio, stream) {
    if (audio.srcObject !== stream) audio.srcObject = stream;
    if (stream) {
      const p = audio.play();
      if (p && p.catch) p.catch((e) => this.reportError('autoplay', `playback blocked: ${e.message}`));
    }
  }

  async refreshStats() {
    const link = this.link;
    if (!link) {
      if (this.stats) {
        this.stats = null;
        emit(this, 'stats', { stats: null });
      }
      return;
    }
    const [path, audio] = await Promise.all([connectionPath(link.pc), this.meter.sample()]);
    if (link !== this.link) return;
    this.stats = {
      path: path ? path.path : null,
      relayed: path ? path.relayed : null,
      local: path ? path.local : null,
      remote: path ? path.remote : null,
      rtt: path ? path.rtt : null,
      ...(audio || {}),
    };
    emit(this, 'stats', { stats: this.stats });
  }
}

function settingsFromOffer(sdp) {
  const p = opusParams(sdp);
  if (!p || !p.maxaveragebitrate) return null;
  return {
    bitrate: Number(p.maxaveragebitrate),
    stereo: p['sprop-stereo'] === '1' || p.stereo === '1',
    dtx: p.usedtx === '1',
    fec: p.useinbandfec !== '0',
  };
}

function microphoneMessage(e) {
  switch (e && e.name) {
    case 'NotAllowedError': return 'Microphone permission was denied. Allow it in the address bar and try again.';
    case 'NotFoundError': return 'No microphone was found.';
    case 'NotReadableError': return 'The microphone is in use by another application.';
    case 'OverconstrainedError': return 'The chosen microphone is not available any more.';
    default: return `Could not open the microphone: ${e && e.message ? e.message : e}`;
  }
}
