// The call: glue between the signaling client, local media and one Peer per
// remote participant (a full mesh). UI-free; the UI listens to its events.
//
// Events (detail in `event.detail`):
//   peer-added {id}, peer-removed {id}, peer-updated {id} (stream, name, state)
//   participants {count}, chat {entry}, file-progress {transfer}, file-received {file}
//   signaling {state}, notice {text, level}, joined {roomId, clientId}, left

import { Peer, isPolite } from './peer.js';
import { FileReceiver, sendFile, sha256Hex } from './transfer.js';
import { videoEncodingFor, applyEncoding } from './quality.js';
import { bitrates } from './stats.js';

const SESSION_KEY = 'signalmesh.session';

/** @returns {string} */
function uid() {
  return (globalThis.crypto && crypto.randomUUID) ? crypto.randomUUID() : Math.random().toString(36).slice(2);
}

/**
 * @typedef {Object} ChatEntry
 * @property {string} id
 * @property {string} from     clientId of the author
 * @property {string} name
 * @property {string} text
 * @property {number} ts
 * @property {boolean} self
 */

/**
 * @typedef {Object} Transfer
 * @property {string} id
 * @property {'send'|'receive'} direction
 * @property {string} peerId
 * @property {string} name
 * @property {number} size
 * @property {number} done       bytes sent or received
 * @property {'active'|'verifying'|'sent'|'delivered'|'ok'|'corrupt'|'failed'} status
 * @property {string|null} sha256
 * @property {string} [url]      object URL of a received file
 */

/**
 * @typedef {Object} PeerInfo
 * @property {string} id
 * @property {string} name
 * @property {Peer} peer
 * @property {{mic: boolean, cam: boolean, screen: boolean}} remote
 * @property {{inKbps: number|null, outKbps: number|null, rttMs: number|null, relay: boolean|null, state: string}} net
 */

export class Call extends EventTarget {
  /**
   * @param {{client: import('../signalmesh-client.js').SignalMeshClient, media: import('./media.js').LocalMedia,
   *          roomId: string, name: string, resumedPage?: boolean}} o
   */
  constructor(o) {
    super();
    this.client = o.client;
    this.media = o.media;
    this.roomId = o.roomId;
    this.name = o.name;
    /** @type {Map<string, PeerInfo>} */ this.peers = new Map();
    /** @type {Map<string, string>} display names by clientId, kept after a peer leaves */
    this.names = new Map();
    /** @type {ChatEntry[]} */ this.chatLog = [];
    this._seenChat = new Set();
    /** @type {Map<string, Transfer>} */ this.transfers = new Map();
    /** @type {import('./transfer.js').ReceivedFile[]} */ this.received = [];
    this.joined = false;
    this.left = false;
    /** set when this page resumed a session created by an earlier page load */
    this._resetPeersOnJoin = false;
    this._statsTimer = null;
    this._offs = [];
    /** @type {Promise<void>} */ this._trackSwap = Promise.resolve();
  }

  /** @param {string} type @param {any} [detail] */
  _emit(type, detail) {
    const ev = new Event(type);
    /** @type {any} */ (ev).detail = detail;
    this.dispatchEvent(ev);
  }

  // ------------------------------------------------------------ lifecycle

  /** Connects, joins the room. Resolves once joined; rejects on e.g. room-full. */
  async start() {
    const c = this.client;
    const on = (t, f) => this._offs.push(c.on(t, f));
    on('state', ({ state }) => this._emit('signaling', { state }));
    on('connected', (d) => this._onConnected(d));
    on('room-participants', (d) => { if (d.roomId === this.roomId) this._onParticipants(d); });
    on('participant-joined', (d) => {
      if (d.roomId !== this.roomId) return;
      if (d.name) this.names.set(d.participantId, d.name);
      this._broadcastState(); // so the newcomer knows our mic/camera state
    });
    on('participant-left', (d) => {
      if (d.roomId !== this.roomId) return;
      if (d.participantId === c.clientId) { this._kickedOut(d.reason); return; }
      this._removePeer(d.participantId);
    });
    on('peer-disconnected', (d) => this._removePeer(d.clientId));
    on('room-closed', (d) => { if (d.roomId === this.roomId) this._kickedOut('closed'); });
    on('signal', (m) => this._onSignal(m));
    on('broadcast', (m) => { if (m.roomId === this.roomId) this._onBroadcast(m); });
    on('error', (e) => this._onServerError(e));
    on('closed', (d) => {
      if (d.final && !this.left) {
        this._emit('notice', { level: 'error', text: d.code === 4001 ? 'Access denied by the server.' : 'Disconnected from the server.' });
      }
    });

    const onMedia = () => this._onMediaChange();
    this.media.addEventListener('change', onMedia);
    this._offs.push(() => this.media.removeEventListener('change', onMedia));

    await Promise.all([this.client.connect(), this.client.join(this.roomId, { name: this.name })]);
    this.joined = true;
    this._statsTimer = setInterval(() => this._pollStats(), 2000);
    this._emit('joined', { roomId: this.roomId, clientId: this.client.clientId });
  }

  _onConnected(d) {
    this._saveSession();
    if (d.identityChanged) {
      // the server could not resume us: everyone knows us by a new id now
      for (const id of [...this.peers.keys()]) this._removePeer(id);
      this._emit('notice', { level: 'warn', text: 'Reconnected with a new session; calls are being set up again.' });
    } else if (d.resumed && !this.joined) {
      // This page resumed the session of an earlier load of itself: the
      // others still hold connections to our old page. Reset them on join.
      this._resetPeersOnJoin = true;
    }
  }

  _saveSession() {
    try {
      sessionStorage.setItem(SESSION_KEY, JSON.stringify({
        token: this.client.sessionToken, clientId: this.client.clientId, roomId: this.roomId, at: Date.now(),
      }));
    } catch { /* storage disabled */ }
  }

  /** @param {string} roomId @returns {string|null} a session token saved by an earlier load of this tab */
  static savedSession(roomId) {
    try {
      const s = JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
      if (s && s.roomId === roomId && s.token && Date.now() - s.at < 10 * 60_000) return s.token;
    } catch { /* ignore */ }
    return null;
  }

  _onParticipants(d) {
    for (const [id, p] of Object.entries(d.profiles || {})) if (p && p.name) this.names.set(id, p.name);
    const reset = this._resetPeersOnJoin;
    this._resetPeersOnJoin = false;
    if (reset) console.debug(`signalmesh: resumed after a reload; resetting the calls with ${d.participants.length} peer(s)`);
    for (const id of d.participants) {
      if (id === this.client.clientId) continue;
      // After a reload the others still hold a connection to our previous page: they drop it on
      // this end-call and wait, and our fresh connection's offer (sent after it, and relayed in
      // order) sets up the new one, as for a newcomer. Only this side offers (see _onSignal).
      if (reset) this.client.sendEndCall(id, { reason: 'reset' });
      if (!this.peers.has(id) || reset) this._addPeer(id);
    }
    // peers we had but the server no longer lists (e.g. left during a gap)
    for (const id of [...this.peers.keys()]) if (!d.participants.includes(id)) this._removePeer(id);
    this._broadcastState();
    this._participantsChanged();
  }

  /** Leaves: ends every call, stops every track, closes the connection. */
  leave() {
    if (this.left) return;
    this.left = true;
    for (const id of this.peers.keys()) this.client.sendEndCall(id, { reason: 'left' });
    for (const id of [...this.peers.keys()]) this._removePeer(id, true);
    this.client.leave(this.roomId);
    this._teardown();
    this.client.close(1000, 'left');
    try { sessionStorage.removeItem(SESSION_KEY); } catch { /* ignore */ }
    this._emit('left');
  }

  /** The page is going away (reload or tab closed): keep the session resumable. */
  pageHide() {
    if (this.left) return;
    for (const id of this.peers.keys()) this.client.sendEndCall(id, { reason: 'unload' });
  }

  _kickedOut(reason) {
    if (this.left) return;
    this._emit('notice', { level: 'error', text: reason === 'closed' ? 'The room was closed.' : `You were removed from the room (${reason}).` });
    this.left = true;
    for (const id of [...this.peers.keys()]) this._removePeer(id, true);
    this._teardown();
    this.client.close(1000, 'removed');
    this._emit('left');
  }

  _teardown() {
    clearInterval(this._statsTimer);
    for (const off of this._offs) off();
    this._offs = [];
    this.media.stop();
    for (const t of this.transfers.values()) if (t.url) URL.revokeObjectURL(t.url);
  }

  // ---------------------------------------------------------------- peers

  /** @param {string} id */
  _addPeer(id) {
    const old = this.peers.get(id);
    if (old) this._removePeer(id, true);
    const m = this.media;
    const peer = new Peer({
      id,
      polite: isPolite(this.client.clientId, id),
      iceServers: this.client.iceServers,
      signal: (type, payload) => this.client.relay(/** @type {any} */ (type), id, payload),
      localStream: m.stream,
      audioTrack: m.audioTrack,
      videoTrack: m.videoTrack,
    });
    /** @type {PeerInfo} */
    const info = {
      id, name: this.names.get(id) || 'Guest', peer,
      remote: { mic: true, cam: true, screen: false },
      net: { inKbps: null, outKbps: null, rttMs: null, relay: null, state: 'new' },
    };
    this.peers.set(id, info);
    const receiver = new FileReceiver({
      onStart: (f) => this._transfer({ id: f.id, direction: 'receive', peerId: id, name: f.name, size: f.size, done: 0, status: 'active', sha256: null }),
      onProgress: (f) => this._transfer({ id: f.id, done: f.received }),
      onDone: (f) => this._fileReceived(id, f),
    });
    peer.addEventListener('track', () => this._emit('peer-updated', { id }));
    peer.addEventListener('state', (e) => {
      info.net.state = /** @type {any} */ (e).detail;
      if (info.net.state === 'connected') this._applyQuality();
      this._emit('peer-updated', { id });
    });
    peer.addEventListener('negotiated', () => this._applyQuality());
    peer.addEventListener('chat', (e) => this._onChatMessage(id, /** @type {any} */ (e).detail));
    peer.addEventListener('file-data', async (e) => {
      const ctrl = await receiver.handle(/** @type {any} */ (e).detail);
      if (ctrl && ctrl.t === 'file-ack') this._transfer({ id: `${ctrl.id}:${id}`, status: ctrl.ok ? 'delivered' : 'corrupt' });
    });
    this._emit('peer-added', { id });
    this._participantsChanged();
    return info;
  }

  /** @param {string} id @param {boolean} [quiet] */
  _removePeer(id, quiet = false) {
    const info = this.peers.get(id);
    if (!info) return;
    info.peer.close();
    this.peers.delete(id);
    this._emit('peer-removed', { id });
    if (!quiet) this._participantsChanged();
  }

  _participantsChanged() {
    this._applyQuality();
    this._emit('participants', { count: this.peers.size + 1 });
  }

  _onSignal(m) {
    const from = m.senderId;
    if (!from || this.left) return;
    if (m.type === 'end-call') {
      console.debug(`signalmesh: ${from} end-call (${m.reason || 'no reason'})`);
      // 'reset': their page reloaded and its offer follows. Drop the stale connection but make no
      // offer of our own: two fresh connections offering at once collide, and on a loaded machine
      // Chromium was seen to leave the polite one, which rolled back an offer it was still making,
      // without a single ICE candidate (the call never came back, ICE restarts did not help).
      // The offer that follows creates our new connection, which answers it.
      this._removePeer(from, m.reason === 'reset');
      return;
    }
    let info = this.peers.get(from);
    if (!info) {
      if (m.type !== 'offer') return; // stale answer or candidate for a closed peer
      info = this._addPeer(from);
    }
    info.peer.handleSignal(m);
  }

  _onServerError(e) {
    if (e.code === 'unknown-peer') return; // a peer left while we were signaling: its tile goes on participant-left
    const text = e.code === 'room-full' ? 'This room is full.'
      : e.code === 'forbidden' ? 'You are not allowed to join this room.'
        : e.code === 'rate-limited' ? 'Slow down: the server is rate limiting this connection.'
          : `Server error: ${e.message || e.code}`;
    this._emit('notice', { level: 'error', text });
  }

  // ---------------------------------------------------------------- media

  _onMediaChange() {
    const track = this.media.videoTrack;
    const swaps = [];
    for (const { peer } of this.peers.values()) {
      const current = peer.videoSender ? peer.videoSender.track : null;
      if (current !== track) swaps.push(peer.setVideoTrack(track).catch(() => { /* peer closed meanwhile */ }));
    }
    /** settles once every sender carries the current video track */
    this._trackSwap = Promise.all(swaps).then(() => this._applyQuality());
    this._broadcastState();
  }

  _broadcastState() {
    if (!this.client.isOpen && this.client.state !== 'reconnecting') return;
    this.client.broadcast(this.roomId, {
      kind: 'state', mic: this.media.micOn && !!this.media.audioTrack,
      cam: this.media.camOn && !!this.media.cameraTrack || this.media.sharing, screen: this.media.sharing,
    });
  }

  /** Lowers each video sender's bitrate and resolution as the mesh grows. */
  _applyQuality() {
    const source = this.media.sharing ? 'screen' : 'camera';
    const enc = videoEncodingFor(this.peers.size + 1, source);
    this.encoding = enc;
    for (const { peer } of this.peers.values()) {
      if (peer.videoSender && peer.videoSender.track) applyEncoding(peer.videoSender, enc, source);
    }
  }

  /** Resolves once the screen track replaced the camera in every sender. */
  async startScreenShare() {
    await this.media.startScreenShare(); // its 'change' event swaps the track into every sender
    await this._trackSwap;
  }

  stopScreenShare() {
    this.media.stopScreenShare();
  }

  // ----------------------------------------------------------------- chat

  _onBroadcast(m) {
    const d = m.data || {};
    const info = this.peers.get(m.senderId);
    if (d.kind === 'state' && info) {
      info.remote = { mic: !!d.mic, cam: !!d.cam, screen: !!d.screen };
      this._emit('peer-updated', { id: m.senderId });
    } else if (d.kind === 'chat' && Array.isArray(d.to) && d.to.includes(this.client.clientId)) {
      this._onChatMessage(m.senderId, d);
    }
  }

  /**
   * Sends a chat message to everyone: over each peer's data channel, and
   * through the signaling server to peers whose channel is not open (yet).
   * @param {string} text @returns {ChatEntry|null}
   */
  sendChat(text) {
    const body = String(text || '').trim();
    if (!body) return null;
    const msg = { t: 'chat', id: uid(), text: body.slice(0, 4000), name: this.name, ts: Date.now() };
    const fallback = [];
    for (const { id, peer } of this.peers.values()) {
      if (peer.chat.readyState === 'open') peer.chat.send(JSON.stringify(msg));
      else fallback.push(id);
    }
    if (fallback.length) this.client.broadcast(this.roomId, { kind: 'chat', ...msg, to: fallback });
    return this._logChat({ id: msg.id, from: this.client.clientId || '', name: this.name, text: msg.text, ts: msg.ts, self: true });
  }

  _onChatMessage(from, m) {
    if (!m || m.t !== 'chat' || typeof m.text !== 'string' || this._seenChat.has(m.id)) return;
    const name = this.names.get(from) || String(m.name || 'Guest');
    this._logChat({ id: String(m.id), from, name, text: m.text.slice(0, 4000), ts: Date.now(), self: false });
  }

  /** @param {ChatEntry} entry */
  _logChat(entry) {
    this._seenChat.add(entry.id);
    this.chatLog.push(entry);
    this._emit('chat', { entry });
    return entry;
  }

  // ---------------------------------------------------------------- files

  /** @param {Partial<Transfer> & {id: string}} t */
  _transfer(t) {
    const cur = this.transfers.get(t.id);
    const next = /** @type {Transfer} */ ({ ...(cur || {}), ...t });
    this.transfers.set(t.id, next);
    this._emit('file-progress', { transfer: next });
    return next;
  }

  /**
   * Sends a file to every peer whose file channel is open.
   * @param {Blob} file @param {string} [name]
   * @returns {Promise<{id: string, sha256: string|null, peers: string[]}>}
   */
  async sendFile(file, name) {
    const fileName = name || /** @type {any} */ (file).name || 'file';
    const id = uid();
    const sha256 = await sha256Hex(file);
    const targets = [...this.peers.values()].filter(({ peer }) => peer.files.readyState === 'open');
    if (!targets.length) {
      this._emit('notice', { level: 'warn', text: 'Nobody to send the file to yet.' });
      return { id, sha256, peers: [] };
    }
    await Promise.all(targets.map(({ id: peerId, peer }) => {
      const key = `${id}:${peerId}`;
      this._transfer({ id: key, direction: 'send', peerId, name: fileName, size: file.size, done: 0, status: 'active', sha256 });
      const job = peer.fileQueue.then(() => sendFile(peer.files, file, {
        id, name: fileName, sha256, onProgress: (done) => this._transfer({ id: key, done }),
      })).then(
        () => { if (this.transfers.get(key).status === 'active') this._transfer({ id: key, status: 'sent' }); },
        () => this._transfer({ id: key, status: 'failed' }),
      );
      peer.fileQueue = job;
      return job;
    }));
    return { id, sha256, peers: targets.map((t) => t.id) };
  }

  /** @param {string} peerId @param {import('./transfer.js').ReceivedFile} f */
  _fileReceived(peerId, f) {
    const url = URL.createObjectURL(f.blob);
    this._transfer({ id: f.id, done: f.size, status: f.ok ? 'ok' : 'corrupt', sha256: f.sha256, url });
    this.received.push(f);
    const info = this.peers.get(peerId);
    if (info && info.peer.files.readyState === 'open') {
      info.peer.files.send(JSON.stringify({ t: 'file-ack', id: f.id, ok: f.ok }));
    }
    this._emit('file-received', { file: f, peerId });
  }

  // ---------------------------------------------------------------- stats

  async _pollStats() {
    await Promise.all([...this.peers.values()].map(async (info) => {
      try {
        const s = await info.peer.stats();
        const rates = bitrates(info.peer.lastStats, s);
        info.peer.lastStats = s;
        info.net = { ...rates, rttMs: s.rttMs, relay: s.relay, state: s.connectionState };
        this._emit('peer-updated', { id: info.id, stats: true });
      } catch { /* closed meanwhile */ }
    }));
  }
}
