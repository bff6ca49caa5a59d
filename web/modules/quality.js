// Sender quality as the mesh grows: each peer gets its own copy of our video,
// so the uplink is shared by (participants - 1) senders.

/**
 * @typedef {Object} VideoEncoding
 * @property {number} maxBitrate              bits per second, per peer
 * @property {number} scaleResolutionDownBy   1 = full capture resolution
 * @property {number} maxFramerate
 */

/** Rows: [max participants, kbps per peer, scale down, fps] for the camera. */
const CAMERA_STEPS = [
  [2, 1500, 1, 30],
  [3, 900, 1, 30],
  [4, 600, 1.5, 24],
  [6, 400, 2, 20],
  [Infinity, 250, 2.5, 15],
];

/** Screen content: keep resolution (text must stay legible), trade frame rate. */
const SCREEN_STEPS = [
  [2, 2500, 1, 15],
  [4, 1200, 1, 10],
  [Infinity, 600, 1, 5],
];

/**
 * Encoding for each video sender given the room size (including ourselves).
 * @param {number} participants
 * @param {'camera'|'screen'} [source='camera']
 * @returns {VideoEncoding}
 */
export function videoEncodingFor(participants, source = 'camera') {
  const steps = source === 'screen' ? SCREEN_STEPS : CAMERA_STEPS;
  const n = Math.max(1, participants | 0);
  const [, kbps, scale, fps] = steps.find(([max]) => n <= max);
  return { maxBitrate: kbps * 1000, scaleResolutionDownBy: scale, maxFramerate: fps };
}

/**
 * Applies an encoding to a video sender (no-op before negotiation, when the
 * browser has no encodings yet). Never throws.
 * @param {RTCRtpSender} sender
 * @param {VideoEncoding} enc
 * @param {'camera'|'screen'} source
 * @returns {Promise<boolean>} whether parameters were set
 */
export async function applyEncoding(sender, enc, source) {
  try {
    const params = sender.getParameters();
    if (!params.encodings || params.encodings.length === 0) return false;
    for (const e of params.encodings) {
      e.maxBitrate = enc.maxBitrate;
      e.scaleResolutionDownBy = enc.scaleResolutionDownBy;
      e.maxFramerate = enc.maxFramerate;
    }
    params.degradationPreference = source === 'screen' ? 'maintain-resolution' : 'balanced';
    await sender.setParameters(params);
    return true;
  } catch {
    return false; // e.g. a renegotiation is in flight; the next update retries
  }
}
