// One RTCPeerConnection per remote participant, with the "perfect negotiation"
// pattern (https://w3c.github.io/webrtc-pc/#perfect-negotiation-example).
//
// Politeness rule: the peer whose clientId sorts higher (plain string
// comparison) is polite. Both sides compute the same answer without talking.
// The polite peer rolls back its own offer when offers collide; the impolite
// peer ignores the incoming one and its own offer wins.

import { summarize } from './stats.js';

/**
 * One line per negotiation step at debug level (hidden by default in DevTools): the browser tests
 * attach the console of a failed test to its report, and these lines tell what each side did.
 * @param {Peer} peer @param {string} what
 */
function trace(peer, what) {
  console.debug(`signalmesh: ${peer.id} ${what}`);
}

/** @param {string} myId @param {string} peerId */
export function isPolite(myId, peerId) {
  return myId > peerId;
}

/**
 * @typedef {Object} PeerOptions
 * @property {string} id              remote clientId
 * @property {boolean} polite
 * @property {RTCIceServer[]} iceServers
 * @property {(type: string, payload: Object) => void} signal  relays to the remote peer
 * @property {MediaStream} localStream
 * @property {MediaStreamTrack|null} audioTrack
 * @property {MediaStreamTrack|null} videoTrack
 */

/**
 * Events: `track` (remote stream changed), `state` (connection state),
 * `chat-open`, `chat` (detail: parsed message), `file-data` (detail: raw data),
 * `negotiated` (a description was applied: good time to set sender params).
 */
export class Peer extends EventTarget {
  /** @param {PeerOptions} o */
  constructor(o) {
    super();
    this.id = o.id;
    this.polite = o.polite;
    this._signal = o.signal;
    this._localStream = o.localStream;
    this.pc = new RTCPeerConnection({ iceServers: o.iceServers });
    this.remoteStream = new MediaStream();
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.isSettingRemoteAnswerPending = false;
    this.closed = false;
    this._queue = Promise.resolve();
    this._restartTimer = null;
    this._lastRestart = 0;
    /** @type {import('./stats.js').PeerStats|null} */ this.lastStats = null;

    /** @type {RTCRtpSender|null} */ this.audioSender = null;
    /** @type {RTCRtpSender|null} */ this.videoSender = null;
    if (o.audioTrack) this.audioSender = this.pc.addTrack(o.audioTrack, this._localStream);
    if (o.videoTrack) this.videoSender = this.pc.addTrack(o.videoTrack, this._localStream);

    // Negotiated channels: both sides create them with fixed ids, so there is
    // no ondatachannel race whoever offers first.
    this.chat = this.pc.createDataChannel('chat', { negotiated: true, id: 0, ordered: true });
    this.files = this.pc.createDataChannel('files', { negotiated: true, id: 1, ordered: true });
    this.files.binaryType = 'arraybuffer';
    this.chat.onopen = () => this._emit('chat-open');
    this.chat.onmessage = (e) => {
      try { this._emit('chat', JSON.parse(e.data)); } catch { /* not ours */ }
    };
    this.files.onmessage = (e) => this._emit('file-data', e.data);
    /** serialises file sends on this peer's channel */
    this.fileQueue = Promise.resolve();

    this._wire();
    trace(this, `new connection (${this.polite ? 'polite' : 'impolite'})`);
    // Watchdog: a connection still not up after a while gets a fresh offer
    // with new ICE credentials (covers lost signaling messages on either side).
    this._watchdog = [15000, 30000].map((ms) => setTimeout(() => {
      const st = this.pc.connectionState;
      if (!this.closed && st !== 'connected' && st !== 'closed') this.restartIce(`not connected after ${ms / 1000} s`);
    }, ms));
  }

  /** @param {string} type @param {any} [detail] */
  _emit(type, detail) {
    const ev = new Event(type);
    /** @type {any} */ (ev).detail = detail;
    this.dispatchEvent(ev);
  }

  _wire() {
    const pc = this.pc;
    pc.onnegotiationneeded = async () => {
      try {
        this.makingOffer = true;
        await pc.setLocalDescription();
        trace(this, 'offer sent');
        this._signal('offer', { sdp: pc.localDescription && pc.localDescription.toJSON() });
      } catch (err) {
        if (!this.closed) console.warn(`signalmesh: offer to ${this.id} failed`, err);
      } finally {
        this.makingOffer = false;
      }
    };
    let gathered = 0;
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) this._signal('ice-candidate', { candidate: candidate.toJSON() });
      if (candidate && ++gathered === 1) trace(this, 'first local ICE candidate');
      if (!candidate) trace(this, `ICE gathering complete (${gathered} candidates so far)`);
    };
    pc.ontrack = ({ track }) => {
      if (!this.remoteStream.getTracks().includes(track)) {
        for (const old of this.remoteStream.getTracks()) {
          if (old.kind === track.kind) this.remoteStream.removeTrack(old);
        }
        this.remoteStream.addTrack(track);
      }
      this._emit('track');
    };
    pc.onconnectionstatechange = () => this._onState();
    pc.oniceconnectionstatechange = () => {
      if (pc.iceConnectionState === 'failed') this.restartIce('ice failed');
    };
  }

  _onState() {
    const state = this.pc.connectionState;
    trace(this, `connection ${state}`);
    this._emit('state', state);
    clearTimeout(this._restartTimer);
    if (state === 'failed') {
      this.restartIce('connection failed');
    } else if (state === 'disconnected') {
      // Often transient (wifi hiccup). If it lasts, the impolite side restarts
      // ICE; the polite side does too later, in case the other one cannot.
      this._restartTimer = setTimeout(() => {
        if (this.pc.connectionState === 'disconnected') this.restartIce('still disconnected');
      }, this.polite ? 8000 : 4000);
    }
  }

  /** Restarts ICE (new candidates, same DTLS): fires negotiationneeded. */
  restartIce(why) {
    if (this.closed) return;
    const now = Date.now();
    if (now - this._lastRestart < 3000) return;
    this._lastRestart = now;
    console.info(`signalmesh: ICE restart with ${this.id} (${why})`);
    this.pc.restartIce();
  }

  /**
   * Handles a relayed offer / answer / ice-candidate, in arrival order.
   * @param {{type: string, sdp?: RTCSessionDescriptionInit, candidate?: RTCIceCandidateInit}} msg
   */
  handleSignal(msg) {
    this._queue = this._queue.then(() => this._handle(msg)).catch((err) => {
      if (!this.closed) console.warn(`signalmesh: signal from ${this.id} failed`, err);
    });
    return this._queue;
  }

  async _handle(msg) {
    if (this.closed) return;
    const pc = this.pc;
    if ((msg.type === 'offer' || msg.type === 'answer') && msg.sdp) {
      const description = msg.sdp;
      const readyForOffer = !this.makingOffer &&
        (pc.signalingState === 'stable' || this.isSettingRemoteAnswerPending);
      const offerCollision = description.type === 'offer' && !readyForOffer;
      this.ignoreOffer = !this.polite && offerCollision;
      trace(this, `${description.type} received in ${pc.signalingState}${this.makingOffer ? ' while making an offer' : ''}`
        + `${offerCollision ? (this.ignoreOffer ? ': collision, ignored' : ': collision, ours rolled back') : ''}`);
      if (this.ignoreOffer) return;
      this.isSettingRemoteAnswerPending = description.type === 'answer';
      await pc.setRemoteDescription(description); // rolls back our offer if needed
      this.isSettingRemoteAnswerPending = false;
      if (description.type === 'offer') {
        await pc.setLocalDescription();
        trace(this, 'answer sent');
        this._signal('answer', { sdp: pc.localDescription && pc.localDescription.toJSON() });
      }
      this._emit('negotiated');
    } else if (msg.type === 'ice-candidate' && msg.candidate) {
      try {
        await pc.addIceCandidate(msg.candidate);
      } catch (err) {
        if (!this.ignoreOffer) throw err; // candidates of an ignored offer are expected to fail
      }
    }
  }

  /**
   * Sends a different video track (screen share, back to camera) without
   * renegotiating when a video sender exists; adds one otherwise.
   * @param {MediaStreamTrack|null} track
   */
  async setVideoTrack(track) {
    if (this.closed) return;
    if (this.videoSender) {
      await this.videoSender.replaceTrack(track);
    } else if (track) {
      this.videoSender = this.pc.addTrack(track, this._localStream); // renegotiates
    }
  }

  /** @returns {Promise<import('./stats.js').PeerStats>} */
  async stats() {
    const report = await this.pc.getStats();
    return summarize(report, this.pc);
  }

  /** Stops everything for this peer. */
  close() {
    if (this.closed) return;
    trace(this, `closed (was ${this.pc.connectionState})`);
    this.closed = true;
    clearTimeout(this._restartTimer);
    this._watchdog.forEach(clearTimeout);
    try { this.chat.close(); } catch { /* ignore */ }
    try { this.files.close(); } catch { /* ignore */ }
    this.pc.onnegotiationneeded = this.pc.onicecandidate = this.pc.ontrack = null;
    this.pc.onconnectionstatechange = this.pc.oniceconnectionstatechange = null;
    this.pc.close();
    for (const t of this.remoteStream.getTracks()) this.remoteStream.removeTrack(t);
  }
}
