// Test hooks: a read-mostly window.signalmesh API for end-to-end tests and
// debugging. Every hook calls what the UI calls; none changes behaviour.

/**
 * @param {() => (import('./call.js').Call|null)} getCall
 */
export function installTestHooks(getCall) {
  const call = () => getCall();
  const need = () => {
    const c = getCall();
    if (!c) throw new Error('signalmesh: not in a call');
    return c;
  };
  const api = {
    /** @returns {string|null} this page's clientId */
    get clientId() { const c = call(); return c ? c.client.clientId : null; },
    /** @returns {string|null} */
    get roomId() { const c = call(); return c ? c.roomId : null; },
    /** @returns {boolean} true once the room was joined (room-participants received) */
    get joined() { const c = call(); return !!c && c.joined && !c.left; },
    /** @returns {{signaling: string, joined: boolean, mediaMode: string|null, screenSharing: boolean, participants: number}} */
    state() {
      const c = call();
      return {
        signaling: c ? c.client.state : 'idle',
        joined: !!c && c.joined && !c.left,
        mediaMode: c ? c.media.mode : null,
        screenSharing: !!c && c.media.sharing,
        participants: c ? c.peers.size + 1 : 0,
      };
    },
    /** @returns {string[]} clientIds of the remote peers we hold a connection for */
    peers() { const c = call(); return c ? [...c.peers.keys()] : []; },
    /** @returns {Object<string, string>} peerId -> RTCPeerConnection.connectionState */
    peerStates() {
      const c = call();
      const out = {};
      if (c) for (const [id, info] of c.peers) out[id] = info.peer.pc.connectionState;
      return out;
    },
    /**
     * @param {string} peerId
     * @returns {Promise<import('./stats.js').PeerStats|null>}
     */
    async stats(peerId) {
      const c = call();
      const info = c && c.peers.get(peerId);
      return info ? info.peer.stats() : null;
    },
    /** @param {string} text @returns {import('./call.js').ChatEntry|null} */
    sendChat(text) { return need().sendChat(text); },
    /** @returns {import('./call.js').ChatEntry[]} */
    chatLog() { const c = call(); return c ? c.chatLog.map((e) => ({ ...e })) : []; },
    /**
     * @param {Blob} blob @param {string} [name]
     * @returns {Promise<{id: string, sha256: string|null, peers: string[]}>}
     */
    sendFile(blob, name) { return need().sendFile(blob, name); },
    /** @returns {Array<{peerId: string, name: string, size: number, done: number, status: string, sha256: string|null}>} */
    sentFiles() {
      const c = call();
      return c ? [...c.transfers.values()].filter((t) => t.direction === 'send')
        .map(({ peerId, name, size, done, status, sha256 }) => ({ peerId, name, size, done, status, sha256 })) : [];
    },
    /** @returns {Array<{name: string, size: number, sha256: string|null, ok: boolean, from: string, mime: string}>} */
    receivedFiles() {
      const c = call();
      if (!c) return [];
      return [...c.transfers.values()].filter((t) => t.direction === 'receive' && (t.status === 'ok' || t.status === 'corrupt'))
        .map((t) => ({ name: t.name, size: t.size, sha256: t.sha256, ok: t.status === 'ok', from: t.peerId, mime: (c.received.find((f) => f.id === t.id) || {}).mime || '' }));
    },
    /** @returns {Promise<void>} resolves when the screen track is being sent */
    startScreenShare() { return need().startScreenShare(); },
    /** Back to the camera. */
    stopScreenShare() { need().stopScreenShare(); },
    /** @returns {boolean} */
    isScreenSharing() { const c = call(); return !!c && c.media.sharing; },
    /** @returns {string|null} label of the video track being sent */
    localVideoLabel() { const c = call(); const t = c && c.media.videoTrack; return t ? t.label : null; },
    /** @returns {import('./quality.js').VideoEncoding|null} encoding applied to each video sender */
    encoding() { const c = call(); return c && c.encoding ? { ...c.encoding } : null; },
    /** Leaves the call (what the Leave button does). */
    leave() { const c = call(); if (c) c.leave(); },
  };
  Object.defineProperty(window, 'signalmesh', { value: api, configurable: true });
  return api;
}
