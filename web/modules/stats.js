// getStats summaries: the per-peer connection indicator and the test hook numbers.

/**
 * @typedef {Object} PeerStats
 * @property {string} connectionState
 * @property {string} iceConnectionState
 * @property {number} framesDecoded        video frames decoded (all inbound video)
 * @property {number} framesReceived
 * @property {number} frameWidth           of the inbound video, 0 if none
 * @property {number} frameHeight
 * @property {number} videoBytesReceived
 * @property {'screenshare'|'default'|null} videoContentType  of the inbound video, as the sender marked
 *           it (a screen track with a content hint is "screenshare"); null if none
 * @property {number} audioBytesReceived
 * @property {number} audioPacketsReceived
 * @property {number} framesEncoded        outbound video
 * @property {number} videoBytesSent
 * @property {number} audioBytesSent
 * @property {number|null} rttMs           of the selected candidate pair
 * @property {boolean|null} relay          true: through TURN; null: not connected yet
 * @property {string|null} localCandidateType
 * @property {string|null} remoteCandidateType
 * @property {number} bytesReceived        transport totals (all candidate pairs), for bitrates
 * @property {number} bytesSent
 * @property {number} timestamp            ms
 */

/**
 * Reduces an RTCStatsReport to the numbers the app and the tests use.
 * @param {RTCStatsReport} report
 * @param {RTCPeerConnection} pc
 * @returns {PeerStats}
 */
export function summarize(report, pc) {
  /** @type {PeerStats} */
  const s = {
    connectionState: pc.connectionState,
    iceConnectionState: pc.iceConnectionState,
    framesDecoded: 0, framesReceived: 0, frameWidth: 0, frameHeight: 0,
    videoBytesReceived: 0, videoContentType: null, audioBytesReceived: 0, audioPacketsReceived: 0,
    framesEncoded: 0, videoBytesSent: 0, audioBytesSent: 0,
    rttMs: null, relay: null, localCandidateType: null, remoteCandidateType: null,
    bytesReceived: 0, bytesSent: 0, timestamp: Date.now(),
  };
  let pair = null;
  const pairs = [];
  let transportBytes = null;
  report.forEach((r) => {
    const kind = r.kind || r.mediaType;
    if (r.type === 'inbound-rtp' && kind === 'video') {
      s.framesDecoded += r.framesDecoded || 0;
      s.framesReceived += r.framesReceived || 0;
      s.videoBytesReceived += r.bytesReceived || 0;
      if (r.frameWidth) { s.frameWidth = r.frameWidth; s.frameHeight = r.frameHeight; }
      if (r.framesDecoded) s.videoContentType = r.contentType === 'screenshare' ? 'screenshare' : 'default';
    } else if (r.type === 'inbound-rtp' && kind === 'audio') {
      s.audioBytesReceived += r.bytesReceived || 0;
      s.audioPacketsReceived += r.packetsReceived || 0;
    } else if (r.type === 'outbound-rtp' && kind === 'video') {
      s.framesEncoded += r.framesEncoded || 0;
      s.videoBytesSent += r.bytesSent || 0;
    } else if (r.type === 'outbound-rtp' && kind === 'audio') {
      s.audioBytesSent += r.bytesSent || 0;
    } else if (r.type === 'transport') {
      // the transport's totals keep counting across candidate pair switches (ICE restarts,
      // renomination); a pair's own counters start again from zero
      transportBytes = transportBytes || { in: 0, out: 0 };
      transportBytes.in += r.bytesReceived || 0;
      transportBytes.out += r.bytesSent || 0;
      if (r.selectedCandidatePairId) pair = report.get(r.selectedCandidatePairId) || pair;
    } else if (r.type === 'candidate-pair') {
      pairs.push(r);
    }
  });
  if (!pair) pair = pairs.find((p) => p.nominated && p.state === 'succeeded') || null;
  if (transportBytes) {
    s.bytesReceived = transportBytes.in;
    s.bytesSent = transportBytes.out;
  } else if (pair) {
    s.bytesReceived = pair.bytesReceived || 0;
    s.bytesSent = pair.bytesSent || 0;
  }
  if (pair) {
    if (typeof pair.currentRoundTripTime === 'number') s.rttMs = Math.round(pair.currentRoundTripTime * 1000);
    const local = report.get(pair.localCandidateId);
    const remote = report.get(pair.remoteCandidateId);
    s.localCandidateType = local ? local.candidateType : null;
    s.remoteCandidateType = remote ? remote.candidateType : null;
    if (local || remote) s.relay = s.localCandidateType === 'relay' || s.remoteCandidateType === 'relay';
  }
  return s;
}

/**
 * Bitrates between two summaries, in kbit/s; null until there are two samples.
 * @param {PeerStats|null} prev @param {PeerStats} cur
 * @returns {{inKbps: number|null, outKbps: number|null}}
 */
export function bitrates(prev, cur) {
  if (!prev) return { inKbps: null, outKbps: null };
  const dt = (cur.timestamp - prev.timestamp) / 1000;
  if (dt <= 0) return { inKbps: null, outKbps: null };
  const k = (a, b) => Math.max(0, Math.round(((a - b) * 8) / dt / 1000));
  return { inKbps: k(cur.bytesReceived, prev.bytesReceived), outKbps: k(cur.bytesSent, prev.bytesSent) };
}

/** @param {number} kbps @returns {string} */
export function formatRate(kbps) {
  return kbps >= 1000 ? `${(kbps / 1000).toFixed(1)} Mbps` : `${kbps} kbps`;
}

/**
 * Quality bucket for the indicator colour.
 * @param {PeerStats} s @returns {'good'|'fair'|'poor'|'connecting'}
 */
export function quality(s) {
  if (s.connectionState !== 'connected') return s.connectionState === 'failed' ? 'poor' : 'connecting';
  if (s.rttMs == null || s.rttMs < 150) return 'good';
  return s.rttMs < 400 ? 'fair' : 'poor';
}
