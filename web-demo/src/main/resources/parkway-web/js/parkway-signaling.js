// Parkway signaling channel: one WebSocket to the signaling server, joined to one room, that survives drops.
//
// Protocol: docs/signaling-protocol.md. This file knows the session-level messages (join, welcome, error, leave)
// and resumption; everything else is handed to the owner as a `message` event.
//
// Events (all CustomEvent, payload in `detail`):
//   message   {msg}                 every server message after the welcome handling (welcome included)
//   state     {state, previous}     'connecting' | 'open' | 'reconnecting' | 'closed'
//   fatal     {code, message}       a join failure that retrying cannot fix; the channel is closed

/** Join errors after which reconnecting cannot help. `speaker-exists` is retried after a drop (see below). */
const FATAL_JOIN_ERRORS = new Set(['unauthorized', 'room-not-found', 'room-full', 'bad-message', 'speaker-exists']);

export class SignalingChannel extends EventTarget {
  /**
   * @param {object} [options]
   * @param {number} [options.initialDelay=300]  first reconnect delay (ms); doubles per attempt
   * @param {number} [options.maxDelay=10000]     reconnect delay cap (ms)
   * @param {number} [options.retryJoinFor=40000] after a drop, keep retrying `speaker-exists` this long (ms): the
   *                                              server holds our old session for its resume grace
   */
  constructor({ initialDelay = 300, maxDelay = 10000, retryJoinFor = 40000 } = {}) {
    super();
    this.initialDelay = initialDelay;
    this.maxDelay = maxDelay;
    this.retryJoinFor = retryJoinFor;
    this.state = 'closed';
    this.ws = null;
    this.resumeToken = null;
    this.peerId = null;
    this.session = null;
    this.attempt = 0;
    this.welcomed = false;       // a welcome arrived on the current socket
    this.everWelcomed = false;   // a welcome arrived on any socket (so a drop is a reconnect, not a first join)
    this.droppedAt = 0;
    this.timer = null;
    this.wanted = false;
    this.onOnline = () => { if (this.state === 'reconnecting') this.reconnectNow(); };
  }

  /**
   * Opens the socket and joins. `join` is the join message without `resume` (the channel adds it on reconnect).
   * @param {string} url   ws:// or wss:// URL of the signaling endpoint (usually `/ws` on the page's host)
   * @param {{room: string, role: 'speaker'|'listener', key?: string, token?: string}} join
   */
  open(url, join) {
    this.url = url;
    this.join = { type: 'join', ...join };
    this.wanted = true;
    this.attempt = 0;
    this.everWelcomed = false;
    this.resumeToken = null;
    globalThis.addEventListener?.('online', this.onOnline);
    this.setState('connecting');
    this.connectSocket();
  }

  /** Sends one message; returns false (and drops it) when the socket is not joined. */
  send(msg) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN || !this.welcomed) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  /** Leaves the room for good (sends `leave` when possible, so the server does not hold a resume slot). */
  close({ leave = true } = {}) {
    this.wanted = false;
    clearTimeout(this.timer);
    globalThis.removeEventListener?.('online', this.onOnline);
    if (this.ws) {
      if (leave && this.ws.readyState === WebSocket.OPEN && this.welcomed) {
        try { this.ws.send(JSON.stringify({ type: 'leave' })); } catch (e) { /* closing anyway */ }
      }
      this.detach(this.ws);
      try { this.ws.close(1000, 'bye'); } catch (e) { /* already closed */ }
      this.ws = null;
    }
    this.setState('closed');
  }

  /**
   * Drops the socket without leaving, as a network failure would, and lets the channel resume. For tests and for
   * "reconnect now" buttons.
   */
  drop() {
    if (this.ws) {
      try { this.ws.close(4000, 'dropped by client'); } catch (e) { /* ignore */ }
      this.onSocketGone(this.ws);
    }
  }

  reconnectNow() {
    clearTimeout(this.timer);
    this.attempt = 0;
    if (this.wanted && this.state === 'reconnecting') this.connectSocket();
  }

  // --- internals ---

  setState(state) {
    if (state === this.state) return;
    const previous = this.state;
    this.state = state;
    this.dispatchEvent(new CustomEvent('state', { detail: { state, previous } }));
  }

  connectSocket() {
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch (e) {
      this.fail('bad-url', `signaling URL: ${this.url} (${e.message})`);
      return;
    }
    this.ws = ws;
    this.welcomed = false;
    ws.onopen = () => {
      const join = { ...this.join };
      if (this.resumeToken) join.resume = this.resumeToken;
      ws.send(JSON.stringify(join));
    };
    ws.onmessage = (event) => this.onFrame(ws, event.data);
    ws.onclose = () => this.onSocketGone(ws);
    ws.onerror = () => { /* always followed by close */ };
  }

  detach(ws) {
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
  }

  onFrame(ws, data) {
    if (ws !== this.ws) return;
    let msg;
    try {
      msg = JSON.parse(data);
    } catch (e) {
      return; // the server only sends JSON; ignore anything else
    }
    if (!msg || typeof msg.type !== 'string') return;
    if (msg.type === 'welcome') {
      this.welcomed = true;
      this.everWelcomed = true;
      this.attempt = 0;
      this.droppedAt = 0;
      this.resumeToken = msg.resume ?? null;
      this.peerId = msg.peerId;
      this.session = msg.session;
      this.setState('open');
    } else if (msg.type === 'error' && (!this.welcomed || msg.ref === 'join')) {
      const retryable = msg.code === 'speaker-exists' && this.everWelcomed &&
          Date.now() - this.droppedAt < this.retryJoinFor;
      if (FATAL_JOIN_ERRORS.has(msg.code) && !retryable) {
        this.fail(msg.code, msg.message || msg.code);
        return;
      }
      // e.g. server-draining, rate-limited, or our own old session still held: try again later.
      this.dispatchEvent(new CustomEvent('message', { detail: { msg } }));
      this.detach(ws);
      try { ws.close(); } catch (e) { /* ignore */ }
      this.onSocketGone(ws, true);
      return;
    }
    this.dispatchEvent(new CustomEvent('message', { detail: { msg } }));
  }

  onSocketGone(ws, force = false) {
    if (ws !== this.ws && !force) return;
    this.detach(ws);
    if (ws === this.ws) this.ws = null;
    this.welcomed = false;
    if (!this.wanted) return;
    if (!this.droppedAt) this.droppedAt = Date.now();
    this.setState(this.everWelcomed ? 'reconnecting' : 'connecting');
    const base = Math.min(this.maxDelay, this.initialDelay * 2 ** this.attempt);
    const delay = base * (0.8 + Math.random() * 0.4);
    this.attempt++;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => { if (this.wanted) this.connectSocket(); }, delay);
  }

  fail(code, message) {
    this.close({ leave: false });
    this.dispatchEvent(new CustomEvent('fatal', { detail: { code, message } }));
  }
}

/** The signaling URL for a page served by the Parkway server itself: ws(s)://<this host>/ws. */
export function defaultSignalingUrl(loc = globalThis.location) {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/ws`;
}
