// Test doubles for the client library: a scriptable WebSocket and a manual clock.

/** A WebSocket double. Each instance is recorded in `FakeWebSocket.instances`. */
export class FakeWebSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  /** @type {FakeWebSocket[]} */
  static instances = [];

  static reset() { FakeWebSocket.instances = []; }
  /** @returns {FakeWebSocket} the most recent socket */
  static last() { return FakeWebSocket.instances[FakeWebSocket.instances.length - 1]; }

  constructor(url) {
    this.url = url;
    this.readyState = FakeWebSocket.CONNECTING;
    /** frames the client sent, parsed */
    this.sent = [];
    this.closedByClient = null;
    this.onopen = this.onmessage = this.onclose = this.onerror = null;
    /** @type {((msg: any) => void)|null} */ this.onsend = null;
    FakeWebSocket.instances.push(this);
  }

  send(data) {
    if (this.readyState !== FakeWebSocket.OPEN) throw new Error('InvalidStateError: not open');
    const msg = JSON.parse(data);
    this.sent.push(msg);
    if (this.onsend) this.onsend(msg); // a fake server listening (see FakeSignalingServer)
  }

  close(code = 1000, reason = '') {
    this.closedByClient = { code, reason };
    this.readyState = FakeWebSocket.CLOSED;
  }

  // ---- server side ----
  /** Opens the socket and sends the `connected` handshake. */
  accept(connected) {
    this.readyState = FakeWebSocket.OPEN;
    this.onopen && this.onopen({});
    if (connected) this.serverSend({ type: 'connected', protocol: 1, iceServers: [], ...connected });
  }
  serverSend(msg) {
    this.onmessage && this.onmessage({ data: typeof msg === 'string' ? msg : JSON.stringify(msg) });
  }
  serverClose(code = 1006, reason = '') {
    this.readyState = FakeWebSocket.CLOSED;
    this.onclose && this.onclose({ code, reason, wasClean: code !== 1006 });
  }
  /** @param {string} type @returns {any[]} sent frames of that type */
  sentOfType(type) { return this.sent.filter((m) => m.type === type); }
}

/** A manual clock implementing the library's Scheduler interface. */
export class FakeClock {
  constructor() {
    this.now = 0;
    this._seq = 0;
    /** @type {Map<number, {at: number, fn: Function, ms: number}>} */
    this.timers = new Map();
  }
  setTimeout(fn, ms) {
    const id = ++this._seq;
    this.timers.set(id, { at: this.now + ms, fn, ms });
    return id;
  }
  clearTimeout(id) { this.timers.delete(id); }
  /** @returns {number[]} delays (ms) of the pending timers, in creation order */
  pendingDelays() { return [...this.timers.values()].map((t) => t.ms); }
  /** Advances time, running every timer that falls due (in due order). */
  advance(ms) {
    const end = this.now + ms;
    for (;;) {
      let next = null;
      for (const [id, t] of this.timers) {
        if (t.at <= end && (!next || t.at < next[1].at)) next = [id, t];
      }
      if (!next) break;
      this.timers.delete(next[0]);
      this.now = next[1].at;
      next[1].fn();
    }
    this.now = end;
  }
}

// ------------------------------------------------------------------------------------------
// Doubles for the app's call tests (web/test/call.test.js). The real browser stays in the
// Chromium end-to-end tests; these model only the signaling rules the app relies on.

/** The next macrotask: what the network and the browser's queued tasks take at least. */
export const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Lets every queued task, relayed frame and pending promise run (bounded). */
export async function settle(rounds = 200) {
  for (let i = 0; i < rounds; i++) await tick();
}

/** A MediaStream double (the app only groups tracks in it). */
export class FakeMediaStream {
  constructor(tracks = []) { this._tracks = [...tracks]; }
  getTracks() { return [...this._tracks]; }
  getVideoTracks() { return this._tracks.filter((t) => t.kind === 'video'); }
  addTrack(t) { this._tracks.push(t); }
  removeTrack(t) { this._tracks = this._tracks.filter((x) => x !== t); }
}

const description = (type, sdp) => ({ type, sdp, toJSON() { return { type, sdp }; } });
const stateError = (what) => Object.assign(new Error(`InvalidStateError: ${what}`), { name: 'InvalidStateError' });

/**
 * An RTCPeerConnection double with the signaling state machine of the spec: an operations
 * chain, `negotiationneeded` queued as a task while stable, implicit rollback of a local offer
 * by a remote one, parameterless setLocalDescription. Each SDP names the connection that made
 * it, so a test can check who negotiated with whom. Every instance is in `instances`.
 */
export class FakeRTCPeerConnection {
  /** @type {FakeRTCPeerConnection[]} */
  static instances = [];
  static reset() { FakeRTCPeerConnection.instances = []; }

  constructor() {
    this.name = `pc${FakeRTCPeerConnection.instances.length + 1}`;
    this.signalingState = 'stable';
    this.connectionState = 'new';
    this.iceConnectionState = 'new';
    this.localDescription = null;
    this.remoteDescription = null;
    /** offers this connection created; local offers a remote offer rolled back */
    this.offersMade = 0;
    this.rollbacks = 0;
    this.onnegotiationneeded = this.onicecandidate = this.ontrack = null;
    this.onconnectionstatechange = this.oniceconnectionstatechange = null;
    this._chain = Promise.resolve();
    this._negotiated = false;
    this._nnQueued = false;
    this._nnOnEmptyChain = false;
    this._pendingOps = 0;
    FakeRTCPeerConnection.instances.push(this);
  }

  addTrack(track) {
    const sender = { track, replaceTrack: async (t) => { sender.track = t; }, getParameters: () => ({ encodings: [{}] }), setParameters: async () => {} };
    this._needNegotiation();
    return sender;
  }

  createDataChannel(label) {
    this._needNegotiation();
    return { label, readyState: 'connecting', binaryType: 'blob', send() {}, close() { this.readyState = 'closed'; } };
  }

  restartIce() { this._negotiated = false; this._needNegotiation(); }

  _needNegotiation() {
    if (this._nnQueued) return;
    this._nnQueued = true;
    setImmediate(() => {
      this._nnQueued = false;
      // as the spec's task: deferred while operations are queued, then checked again
      if (this._pendingOps > 0) { this._nnOnEmptyChain = true; return; }
      if (this.signalingState === 'stable' && !this._negotiated && this.onnegotiationneeded) this.onnegotiationneeded();
    });
  }

  /** @param {() => void} op */
  _op(op) {
    this._pendingOps++;
    const run = this._chain.then(async () => {
      await tick();
      if (this.signalingState === 'closed') throw stateError('closed');
      op();
    }).finally(() => {
      if (--this._pendingOps === 0 && this._nnOnEmptyChain) {
        this._nnOnEmptyChain = false;
        if (!this._negotiated) this._needNegotiation();
      }
    });
    this._chain = run.catch(() => {});
    return run;
  }

  setLocalDescription(desc) {
    return this._op(() => {
      const type = desc && desc.type ? desc.type : (this.signalingState === 'have-remote-offer' ? 'answer' : 'offer');
      if (type === 'offer') {
        if (this.signalingState !== 'stable' && this.signalingState !== 'have-local-offer') throw stateError(`offer in ${this.signalingState}`);
        this.offersMade++;
        this.localDescription = description('offer', `${this.name} offer ${this.offersMade}`);
        this.signalingState = 'have-local-offer';
        this._gather();
      } else {
        if (this.signalingState !== 'have-remote-offer') throw stateError(`answer in ${this.signalingState}`);
        this.localDescription = description('answer', `${this.name} answers ${this.remoteDescription.sdp}`);
        this.signalingState = 'stable';
        this._negotiated = true;
        this._gather();
      }
    });
  }

  setRemoteDescription(desc) {
    return this._op(() => {
      if (desc.type === 'offer') {
        if (this.signalingState === 'have-local-offer') this.rollbacks++; // implicit rollback
        else if (this.signalingState !== 'stable') throw stateError(`remote offer in ${this.signalingState}`);
        this.signalingState = 'have-remote-offer';
      } else {
        if (this.signalingState !== 'have-local-offer') throw stateError(`remote answer in ${this.signalingState}`);
        this.signalingState = 'stable';
        this._negotiated = true;
      }
      this.remoteDescription = description(desc.type, desc.sdp);
    });
  }

  addIceCandidate() {
    return this._op(() => { if (!this.remoteDescription) throw stateError('no remote description'); });
  }

  _gather() {
    const sdp = this.localDescription.sdp;
    setImmediate(() => {
      if (this.onicecandidate) this.onicecandidate({ candidate: { candidate: `candidate:${sdp}`, toJSON: () => ({ candidate: `candidate:${sdp}` }) } });
    });
  }

  async getStats() { return new Map(); }

  close() {
    this.signalingState = 'closed';
    this.connectionState = 'closed';
  }
}

/**
 * The server side of the protocol for a few FakeWebSocket clients in one room: joins get
 * `room-participants`, relayed messages reach their target with `senderId`, one macrotask
 * later and in order. A session resumed on a new socket keeps its room and its id.
 */
export class FakeSignalingServer {
  constructor() {
    /** @type {Map<string, FakeWebSocket>} clientId -> current socket */
    this.sockets = new Map();
    /** @type {Set<string>} */ this.members = new Set();
    /** every relayed frame, as delivered: {type, from, to, ...} */
    this.relayed = [];
  }

  /**
   * Accepts the socket the client just opened as `clientId`.
   * @param {FakeWebSocket} ws @param {string} clientId @param {{resumed?: boolean}} [o]
   */
  accept(ws, clientId, o = {}) {
    this.sockets.set(clientId, ws);
    ws.onsend = (msg) => this._receive(clientId, ws, msg);
    ws.accept({ clientId, sessionToken: `tok-${clientId}`, ...(o.resumed ? { resumed: true } : {}) });
  }

  /** The page holding `clientId`'s socket went away (reload): frames to it are dropped. */
  detach(clientId) {
    const ws = this.sockets.get(clientId);
    if (ws) ws.onsend = null;
    this.sockets.delete(clientId);
  }

  _deliver(clientId, msg) {
    setImmediate(() => {
      const ws = this.sockets.get(clientId);
      if (ws && ws.readyState === FakeWebSocket.OPEN) ws.serverSend(msg);
    });
  }

  _receive(from, ws, msg) {
    if (this.sockets.get(from) !== ws) return; // a socket replaced by a resume
    if (msg.type === 'join-room') {
      const others = [...this.members].filter((id) => id !== from);
      if (!this.members.has(from)) for (const id of others) this._deliver(id, { type: 'participant-joined', roomId: msg.roomId, participantId: from, name: msg.name });
      this.members.add(from);
      this._deliver(from, { type: 'room-participants', roomId: msg.roomId, participants: others, profiles: {} });
    } else if (['offer', 'answer', 'ice-candidate', 'end-call'].includes(msg.type)) {
      const { targetId, ...rest } = msg;
      this.relayed.push({ ...rest, from, to: targetId });
      this._deliver(targetId, { ...rest, senderId: from });
    }
  }
}
