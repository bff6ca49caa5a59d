// signalmesh-client.js: a small, dependency-free client for the signalmesh
// signaling protocol v1 (see docs/client.md). Standard browser APIs only
// (WebSocket, EventTarget, setTimeout); every one of them can be injected,
// which is how the unit tests in web/test/ drive it without a network.

/**
 * @typedef {Object} IceServer
 * @property {string|string[]} urls
 * @property {string} [username]
 * @property {string} [credential]
 */

/**
 * @typedef {Object} ConnectedDetail
 * @property {string} clientId          this client's id (chosen by the server)
 * @property {string} sessionToken      opaque token used to resume this session
 * @property {IceServer[]} iceServers   ready for `new RTCPeerConnection({iceServers})`
 * @property {number} [protocol]        protocol version announced by the server
 * @property {boolean} resumed          true: same clientId, still in the same rooms
 * @property {boolean} identityChanged  true: a resume was attempted and refused; the
 *                                      client got a new id and re-joins its rooms itself
 * @property {string|null} previousClientId  the id before this connection, if any
 */

/**
 * @typedef {Object} RoomParticipantsDetail
 * @property {string} roomId
 * @property {string[]} participants   ids of the other participants
 * @property {Object<string, {name?: string, metadata?: Object}>} profiles
 */

/**
 * @typedef {Object} ErrorDetail
 * @property {string} code     e.g. `room-full`, `unknown-peer`, `unauthorized`
 * @property {string} message  human-readable text
 * @property {string} [ref]    type of the offending message
 */

/**
 * @typedef {'idle'|'connecting'|'open'|'reconnecting'|'closed'} ConnectionState
 */

/**
 * @typedef {Object} Scheduler
 * @property {(fn: () => void, ms: number) => any} setTimeout
 * @property {(handle: any) => void} clearTimeout
 */

/**
 * @typedef {Object} ClientOptions
 * @property {string} [url]  WebSocket URL; default `ws(s)://<page host>/ws`
 *                           (wss: when the page is served over https:)
 * @property {string} [token]         room access token (JWT), sent as `?token=`
 * @property {string} [resumeToken]   session token from an earlier page load; the first
 *                                    connection then tries `?resume=<token>`
 * @property {typeof WebSocket} [WebSocket]  WebSocket constructor (tests inject a fake)
 * @property {Scheduler} [scheduler]  timers (tests inject a fake clock)
 * @property {() => number} [random]  random source in [0,1) for backoff jitter
 * @property {number} [initialBackoffMs=500]  first reconnect delay (before jitter)
 * @property {number} [maxBackoffMs=15000]    cap of the exponential backoff
 * @property {number} [drainingDelayMs=250]   max (jittered) delay before reconnecting
 *                                            after the server said it is draining
 * @property {number} [connectTimeoutMs=10000] give up on a connection attempt that has
 *                                             not produced `connected` by then
 * @property {number} [pingIntervalMs=20000]  app-level ping period; a ping left without
 *                                            any frame back by the next tick drops the
 *                                            connection (and reconnects). 0 disables.
 * @property {number} [maxQueue=256]  messages kept while reconnecting, sent after a resume
 */

/** Event carrying its payload in `detail` (works where CustomEvent is missing). */
export class SignalMeshEvent extends Event {
  /** @param {string} type @param {any} detail */
  constructor(type, detail) {
    super(type);
    /** @type {any} */
    this.detail = detail;
  }
}

/** Relayed peer-to-peer message types (server adds `senderId`, drops `targetId`). */
export const RELAY_TYPES = Object.freeze(['offer', 'answer', 'ice-candidate', 'end-call']);

/** Close codes after which reconnecting is pointless. */
const FATAL_CLOSE_CODES = new Set([4001]);
const CLOSE_DRAINING = 1012;
const CLOSE_NORMAL = 1000;
/** Code this library uses when it drops a connection itself but wants to resume. */
export const CLOSE_CLIENT_RETRY = 4000;

const OPEN = 1;

/**
 * Computes a reconnect delay: exponential backoff with "equal jitter"
 * (half fixed, half random), capped at `maxMs`.
 * @param {number} attempt  0 for the first retry
 * @param {number} initialMs
 * @param {number} maxMs
 * @param {() => number} random
 * @returns {number}
 */
export function backoffDelay(attempt, initialMs, maxMs, random) {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(base / 2 + random() * (base / 2));
}

/** @returns {string} */
function defaultUrl() {
  const loc = /** @type {any} */ (globalThis).location;
  if (!loc || !loc.host) throw new Error('signalmesh: no page location; pass options.url');
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/ws`;
}

/**
 * A signaling connection with automatic reconnect and session resume.
 *
 * Events (all `SignalMeshEvent`, payload in `event.detail`; or use `on()`):
 * - `state`              {state, previous}: ConnectionState changes
 * - `connected`          ConnectedDetail: after every successful handshake
 * - `identity-changed`   {clientId, previousClientId}: a resume was refused
 * - `room-participants`  RoomParticipantsDetail: reply to a join (also after a rejoin)
 * - `participant-joined` {roomId, participantId, name?, metadata?}
 * - `participant-left`   {roomId, participantId, reason}
 * - `peer-disconnected`  {clientId}
 * - `room-closed`        {roomId, reason}
 * - `offer` | `answer` | `ice-candidate` | `end-call`: the relayed message, with `senderId`
 * - `signal`             any of the four relayed messages above
 * - `broadcast`          {roomId, senderId, data}
 * - `peers-list`         {peers}
 * - `error`              ErrorDetail: an `error` frame from the server
 * - `draining`           {reason}: the server asked us to reconnect elsewhere
 * - `closed`             {code, reason, final}: the socket closed (final: no reconnect)
 * - `message`            every frame received, parsed
 */
export class SignalMeshClient extends EventTarget {
  /** @param {ClientOptions} [options] */
  constructor(options = {}) {
    super();
    this._opts = {
      initialBackoffMs: 500,
      maxBackoffMs: 15000,
      drainingDelayMs: 250,
      connectTimeoutMs: 10000,
      pingIntervalMs: 20000,
      maxQueue: 256,
      ...options,
    };
    /** @type {typeof WebSocket} */
    this._WS = options.WebSocket || /** @type {any} */ (globalThis).WebSocket;
    /** @type {Scheduler} */
    this._timers = options.scheduler || {
      setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
      clearTimeout: (h) => globalThis.clearTimeout(h),
    };
    this._random = options.random || Math.random;
    this._url = options.url || defaultUrl();

    /** @type {string|null} */ this.clientId = null;
    /** @type {string|null} */ this.sessionToken = options.resumeToken || null;
    /** @type {IceServer[]} */ this.iceServers = [];
    /** @type {ConnectionState} */ this.state = 'idle';

    /** rooms this client wants to be in: roomId -> {name, metadata, joined} */
    /** @type {Map<string, {name?: string, metadata?: Object, joined: boolean}>} */
    this._rooms = new Map();
    /** @type {Array<{roomId: string, resolve: Function, reject: Function}>} */
    this._pendingJoins = [];
    /** @type {Array<{resolve: Function, reject: Function}>} */
    this._pendingPeers = [];
    /** @type {string[]} */ this._queue = [];
    /** @type {WebSocket|null} */ this._ws = null;
    this._attempt = 0;
    this._draining = false;
    this._explicitClose = false;
    this._awaitingPong = false;
    this._retryTimer = null;
    this._connectTimer = null;
    this._pingTimer = null;
    /** @type {{resolve: Function, reject: Function}|null} */ this._firstConnect = null;
  }

  // ---------------------------------------------------------------- events

  /**
   * Subscribes to an event; the handler gets `event.detail`.
   * @param {string} type
   * @param {(detail: any) => void} handler
   * @returns {() => void} unsubscribe
   */
  on(type, handler) {
    const listener = (/** @type {any} */ e) => handler(e.detail);
    this.addEventListener(type, listener);
    return () => this.removeEventListener(type, listener);
  }

  /**
   * Resolves with the detail of the next `type` event that passes `filter`.
   * @param {string} type
   * @param {(detail: any) => boolean} [filter]
   * @returns {Promise<any>}
   */
  once(type, filter = () => true) {
    return new Promise((resolve) => {
      const off = this.on(type, (d) => {
        if (filter(d)) { off(); resolve(d); }
      });
    });
  }

  /** @param {string} type @param {any} detail */
  _emit(type, detail) {
    this.dispatchEvent(new SignalMeshEvent(type, detail));
  }

  /** @param {ConnectionState} state */
  _setState(state) {
    if (state === this.state) return;
    const previous = this.state;
    this.state = state;
    this._emit('state', { state, previous });
  }

  // ------------------------------------------------------------ connection

  /**
   * Opens the connection (reconnecting automatically afterwards).
   * @returns {Promise<ConnectedDetail>} the first `connected`
   */
  connect() {
    if (this.state !== 'idle' && this.state !== 'closed') {
      return this.clientId && this.state === 'open'
        ? Promise.resolve(this._lastConnected)
        : new Promise((resolve, reject) => { this._chainFirst(resolve, reject); });
    }
    this._explicitClose = false;
    this._attempt = 0;
    return new Promise((resolve, reject) => {
      this._firstConnect = { resolve, reject };
      this._open('connecting');
    });
  }

  _chainFirst(resolve, reject) {
    const prev = this._firstConnect;
    this._firstConnect = {
      resolve: (v) => { prev && prev.resolve(v); resolve(v); },
      reject: (e) => { prev && prev.reject(e); reject(e); },
    };
  }

  /**
   * Closes for good: no reconnect. A normal close (1000) ends the session at
   * once on the server (the others see `participant-left`, reason `left`).
   * @param {number} [code=1000]
   * @param {string} [reason]
   */
  close(code = CLOSE_NORMAL, reason = 'bye') {
    this._explicitClose = true;
    this._clearTimers();
    const ws = this._ws;
    this._detach();
    if (ws) {
      try { ws.close(code, reason); } catch { /* already closed */ }
    }
    this._rooms.clear();
    this._queue = [];
    this._failPending(new Error('closed'));
    this._setState('closed');
    this._emit('closed', { code, reason, final: true });
  }

  /** Drops the current connection and reconnects at once (e.g. when the browser comes back online). */
  reconnectNow() {
    if (this._explicitClose || this.state === 'idle') return;
    this._clearTimer('_retryTimer');
    const ws = this._ws;
    this._detach();
    if (ws) { try { ws.close(CLOSE_CLIENT_RETRY, 'retry'); } catch { /* ignore */ } }
    this._open('reconnecting');
  }

  /** @param {ConnectionState} state */
  _open(state) {
    this._setState(state);
    let url = this._url;
    const params = [];
    if (this._opts.token) params.push(`token=${encodeURIComponent(this._opts.token)}`);
    if (this.sessionToken) params.push(`resume=${encodeURIComponent(this.sessionToken)}`);
    if (params.length) url += (url.includes('?') ? '&' : '?') + params.join('&');

    /** @type {WebSocket} */
    let ws;
    try {
      ws = new this._WS(url);
    } catch (err) {
      this._scheduleReconnect();
      return;
    }
    this._ws = ws;
    this._resumeAttempted = !!this.sessionToken;
    ws.onmessage = (ev) => this._onFrame(ev.data);
    ws.onclose = (ev) => this._onClose(ws, ev.code, ev.reason);
    ws.onerror = () => { /* a close event follows */ };
    this._clearTimer('_connectTimer');
    this._connectTimer = this._timers.setTimeout(() => {
      this._connectTimer = null;
      if (this._ws === ws && this.state !== 'open') this._drop(ws, 'connect timeout');
    }, this._opts.connectTimeoutMs);
  }

  /** Detaches handlers from the current socket so its late events are ignored. */
  _detach() {
    const ws = this._ws;
    if (ws) { ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null; }
    this._ws = null;
    this._clearTimer('_connectTimer');
    this._clearTimer('_pingTimer');
  }

  /** Closes a socket we no longer trust and reconnects (session kept for resume). */
  _drop(ws, why) {
    this._detach();
    try { ws.close(CLOSE_CLIENT_RETRY, why); } catch { /* ignore */ }
    this._afterLoss(CLOSE_CLIENT_RETRY, why);
  }

  _onClose(ws, code, reason) {
    if (ws !== this._ws) return;
    this._detach();
    this._afterLoss(code, reason);
  }

  _afterLoss(code, reason) {
    if (this._explicitClose) return;
    if (FATAL_CLOSE_CODES.has(code)) {
      this._rooms.clear();
      this._failPending(new Error(`closed by server (${code})`));
      this._setState('closed');
      this._emit('closed', { code, reason, final: true });
      return;
    }
    this._emit('closed', { code, reason, final: false });
    for (const room of this._rooms.values()) room.joined = false;
    if (code === CLOSE_DRAINING) this._draining = true;
    this._scheduleReconnect();
  }

  _scheduleReconnect() {
    this._setState('reconnecting');
    let delay;
    if (this._draining) {
      delay = Math.round(this._random() * this._opts.drainingDelayMs);
      this._draining = false;
    } else {
      delay = backoffDelay(this._attempt, this._opts.initialBackoffMs, this._opts.maxBackoffMs, this._random);
      this._attempt++;
    }
    this._clearTimer('_retryTimer');
    /** delay of the pending reconnect, for UIs ("retrying in 4 s") */
    this.nextRetryMs = delay;
    this._retryTimer = this._timers.setTimeout(() => {
      this._retryTimer = null;
      this._open('reconnecting');
    }, delay);
  }

  _clearTimer(name) {
    if (this[name] != null) { this._timers.clearTimeout(this[name]); this[name] = null; }
  }

  _clearTimers() {
    this._clearTimer('_retryTimer');
    this._clearTimer('_connectTimer');
    this._clearTimer('_pingTimer');
  }

  _startPing() {
    this._clearTimer('_pingTimer');
    if (!this._opts.pingIntervalMs) return;
    this._awaitingPong = false;
    const tick = () => {
      this._pingTimer = null;
      const ws = this._ws;
      if (!ws) return;
      if (this._awaitingPong) { this._drop(ws, 'ping timeout'); return; }
      this._awaitingPong = true;
      this._sendNow({ type: 'ping' });
      this._pingTimer = this._timers.setTimeout(tick, this._opts.pingIntervalMs);
    };
    this._pingTimer = this._timers.setTimeout(tick, this._opts.pingIntervalMs);
  }

  // -------------------------------------------------------------- inbound

  _onFrame(data) {
    this._awaitingPong = false;
    let msg;
    try { msg = JSON.parse(typeof data === 'string' ? data : String(data)); } catch { return; }
    if (!msg || typeof msg.type !== 'string') return;
    this._emit('message', msg);
    switch (msg.type) {
      case 'connected': this._onConnected(msg); break;
      case 'room-participants': this._onRoomParticipants(msg); break;
      case 'participant-joined':
        this._emit('participant-joined', msg); break;
      case 'participant-left':
        if (msg.participantId === this.clientId) this._rooms.delete(msg.roomId);
        this._emit('participant-left', msg); break;
      case 'peer-disconnected': this._emit('peer-disconnected', msg); break;
      case 'room-closed':
        this._rooms.delete(msg.roomId);
        this._emit('room-closed', msg); break;
      case 'offer': case 'answer': case 'ice-candidate': case 'end-call':
        this._emit(msg.type, msg);
        this._emit('signal', msg); break;
      case 'broadcast': this._emit('broadcast', msg); break;
      case 'peers-list': {
        const p = this._pendingPeers.shift();
        if (p) p.resolve(msg.peers || []);
        this._emit('peers-list', msg); break;
      }
      case 'reconnect':
        this._draining = true;
        this._emit('draining', { reason: msg.reason || 'draining' });
        break;
      case 'error': this._onError(msg); break;
      default: break; // pong and future types: 'message' only
    }
  }

  _onConnected(msg) {
    const previousClientId = this.clientId;
    const resumed = msg.resumed === true && (!previousClientId || previousClientId === msg.clientId);
    const identityChanged = !!previousClientId && previousClientId !== msg.clientId;
    this.clientId = msg.clientId;
    this.sessionToken = msg.sessionToken || null;
    this.iceServers = Array.isArray(msg.iceServers) ? msg.iceServers : [];
    this._attempt = 0;
    this._clearTimer('_connectTimer');
    /** @type {ConnectedDetail} */
    const detail = {
      clientId: msg.clientId,
      sessionToken: this.sessionToken || '',
      iceServers: this.iceServers,
      protocol: msg.protocol,
      resumed,
      identityChanged,
      previousClientId,
    };
    this._lastConnected = detail;
    this._setState('open');
    this._startPing();

    if (resumed) {
      // Still in our rooms server-side; re-send joins still unanswered (idempotent).
      const queued = this._queue;
      this._queue = [];
      for (const [roomId, r] of this._rooms) {
        if (this._pendingJoins.some((p) => p.roomId === roomId)) this._sendJoin(roomId, r);
        else r.joined = true;
      }
      this._emit('connected', detail);
      for (const raw of queued) this._ws && this._ws.send(raw);
    } else {
      // A first session sends what was queued before it; a replacement session
      // drops it (relayed messages for the old identity are meaningless now).
      const queued = identityChanged ? [] : this._queue;
      this._queue = [];
      if (identityChanged) this._emit('identity-changed', { clientId: msg.clientId, previousClientId });
      this._emit('connected', detail);
      for (const [roomId, r] of this._rooms) this._sendJoin(roomId, r);
      for (const raw of queued) this._ws && this._ws.send(raw);
    }
    if (this._firstConnect) { this._firstConnect.resolve(detail); this._firstConnect = null; }
  }

  _onRoomParticipants(msg) {
    const room = this._rooms.get(msg.roomId);
    if (room) room.joined = true;
    const detail = {
      roomId: msg.roomId,
      participants: Array.isArray(msg.participants) ? msg.participants : [],
      profiles: msg.profiles || {},
    };
    const rest = [];
    for (const p of this._pendingJoins) {
      if (p.roomId === msg.roomId || (msg.roomId === undefined && rest.length === 0)) p.resolve(detail);
      else rest.push(p);
    }
    this._pendingJoins = rest;
    this._emit('room-participants', detail);
  }

  _onError(msg) {
    /** @type {ErrorDetail} */
    const detail = { code: msg.code, message: msg.message, ref: msg.ref };
    if (msg.ref === 'join-room' && this._pendingJoins.length) {
      const p = this._pendingJoins.shift();
      this._rooms.delete(p.roomId);
      const err = Object.assign(new Error(msg.message || msg.code), detail);
      p.reject(err);
    } else if (msg.ref === 'get-peers' && this._pendingPeers.length) {
      this._pendingPeers.shift().reject(Object.assign(new Error(msg.message || msg.code), detail));
    }
    this._emit('error', detail);
  }

  _failPending(err) {
    for (const p of this._pendingJoins) p.reject(err);
    for (const p of this._pendingPeers) p.reject(err);
    this._pendingJoins = [];
    this._pendingPeers = [];
    if (this._firstConnect) { this._firstConnect.reject(err); this._firstConnect = null; }
  }

  // ------------------------------------------------------------- outbound

  /** @returns {boolean} */
  get isOpen() {
    return !!this._ws && this._ws.readyState === OPEN && this.state === 'open';
  }

  /** Sends now or drops. @param {Object} msg @returns {boolean} */
  _sendNow(msg) {
    if (!this.isOpen) return false;
    this._ws.send(JSON.stringify(msg));
    return true;
  }

  /**
   * Sends a protocol message. While reconnecting it is queued (bounded) and
   * sent after a resume; it is dropped if the session could not be resumed.
   * @param {Object} msg
   * @returns {boolean} true if sent or queued
   */
  send(msg) {
    if (this._sendNow(msg)) return true;
    if (this.state === 'closed' || this.state === 'idle') return false;
    if (this._queue.length >= this._opts.maxQueue) this._queue.shift();
    this._queue.push(JSON.stringify(msg));
    return true;
  }

  /**
   * Joins a room (idempotent). The room is remembered and re-joined after a
   * reconnect that could not resume the session.
   * @param {string} roomId
   * @param {{name?: string, metadata?: Object}} [profile]
   * @returns {Promise<RoomParticipantsDetail>} rejects with the `error` (e.g. `room-full`)
   */
  join(roomId, profile = {}) {
    const room = { name: profile.name, metadata: profile.metadata, joined: false };
    this._rooms.set(roomId, room);
    return new Promise((resolve, reject) => {
      this._pendingJoins.push({ roomId, resolve, reject });
      if (this.isOpen) this._sendJoin(roomId, room);
    });
  }

  _sendJoin(roomId, room) {
    /** @type {any} */
    const msg = { type: 'join-room', roomId };
    if (room.name) msg.name = room.name;
    if (room.metadata) msg.metadata = room.metadata;
    this._sendNow(msg);
  }

  /** Leaves a room (the others get `participant-left`, reason `left`). @param {string} roomId */
  leave(roomId) {
    this._rooms.delete(roomId);
    this._pendingJoins = this._pendingJoins.filter((p) => {
      if (p.roomId !== roomId) return true;
      p.reject(new Error('left'));
      return false;
    });
    this._sendNow({ type: 'leave-room', roomId });
  }

  /** @returns {string[]} ids of the rooms this client is in (or is joining) */
  get rooms() {
    return [...this._rooms.keys()];
  }

  /**
   * Relays a message to one peer (it arrives with `senderId` set by the server).
   * @param {'offer'|'answer'|'ice-candidate'|'end-call'} type
   * @param {string} targetId
   * @param {Object} [payload]  e.g. `{sdp}` or `{candidate}`
   * @returns {boolean}
   */
  relay(type, targetId, payload = {}) {
    return this.send({ ...payload, type, targetId });
  }

  /** @param {string} targetId @param {RTCSessionDescriptionInit} sdp */
  sendOffer(targetId, sdp) { return this.relay('offer', targetId, { sdp }); }
  /** @param {string} targetId @param {RTCSessionDescriptionInit} sdp */
  sendAnswer(targetId, sdp) { return this.relay('answer', targetId, { sdp }); }
  /** @param {string} targetId @param {RTCIceCandidateInit|null} candidate */
  sendIceCandidate(targetId, candidate) { return this.relay('ice-candidate', targetId, { candidate }); }
  /** @param {string} targetId @param {Object} [extra] */
  sendEndCall(targetId, extra = {}) { return this.relay('end-call', targetId, extra); }

  /**
   * Sends app data to every other participant of a room.
   * @param {string} roomId @param {any} data @returns {boolean}
   */
  broadcast(roomId, data) {
    return this.send({ type: 'broadcast', roomId, data });
  }

  /** @returns {Promise<string[]>} peers sharing a room with this client */
  getPeers() {
    return new Promise((resolve, reject) => {
      if (!this._sendNow({ type: 'get-peers' })) { reject(new Error('not connected')); return; }
      this._pendingPeers.push({ resolve, reject });
    });
  }
}

/**
 * Convenience: creates a client and connects it.
 * @param {ClientOptions} [options]
 * @returns {SignalMeshClient}
 */
export function createClient(options) {
  const client = new SignalMeshClient(options);
  client.connect().catch(() => { /* reported through events */ });
  return client;
}
