// Local media: camera and microphone with graceful fallback, and screen share.

/**
 * @typedef {'full'|'audio-only'|'video-only'|'receive-only'} MediaMode
 */

const CAMERA = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };
const MIC = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

/** Describes why a getUserMedia attempt failed, in words for people. */
function reason(err) {
  if (!err) return '';
  switch (err.name) {
    case 'NotAllowedError': case 'SecurityError': return 'permission was refused';
    case 'NotFoundError': case 'OverconstrainedError': return 'no device was found';
    case 'NotReadableError': case 'AbortError': return 'the device is in use by another app';
    default: return err.message || err.name;
  }
}

/**
 * Owns the local tracks. Events: `change` (tracks or enabled flags changed),
 * `screen-ended` (sharing stopped, e.g. by the browser's own stop button).
 */
export class LocalMedia extends EventTarget {
  constructor() {
    super();
    /** stream holding the tracks we send (camera or screen video, microphone) */
    this.stream = new MediaStream();
    /** @type {MediaStreamTrack|null} */ this.audioTrack = null;
    /** @type {MediaStreamTrack|null} */ this.cameraTrack = null;
    /** @type {MediaStreamTrack|null} */ this.screenTrack = null;
    /** @type {MediaMode} */ this.mode = 'receive-only';
    /** @type {string|null} text shown to the person when we fell back */
    this.notice = null;
    this.micOn = true;
    this.camOn = true;
  }

  /**
   * Asks for camera and microphone; falls back to audio only, then video only,
   * then receive only. Never throws.
   * @returns {Promise<MediaMode>}
   */
  async start() {
    const md = navigator.mediaDevices;
    if (!md || !md.getUserMedia) {
      this.mode = 'receive-only';
      this.notice = 'This browser cannot capture camera or microphone here (a secure https page is needed). You joined to watch and listen only.';
      return this.mode;
    }
    let firstErr = null;
    const attempts = /** @type {Array<[MediaMode, MediaStreamConstraints]>} */ ([
      ['full', { video: CAMERA, audio: MIC }],
      ['audio-only', { audio: MIC }],
      ['video-only', { video: CAMERA }],
    ]);
    for (const [mode, constraints] of attempts) {
      try {
        const s = await md.getUserMedia(constraints);
        this.audioTrack = s.getAudioTracks()[0] || null;
        this.cameraTrack = s.getVideoTracks()[0] || null;
        for (const t of s.getTracks()) this.stream.addTrack(t);
        this.mode = mode;
        if (mode === 'audio-only') this.notice = `Camera unavailable (${reason(firstErr)}): you joined with audio only.`;
        if (mode === 'video-only') this.notice = `Microphone unavailable (${reason(firstErr)}): you joined with video only.`;
        this._emit('change');
        return mode;
      } catch (err) {
        // a narrower request may still work (per-device permission, one device missing)
        firstErr = firstErr || err;
      }
    }
    this.mode = 'receive-only';
    this.notice = `Camera and microphone unavailable (${reason(firstErr)}): you joined to watch and listen only.`;
    this._emit('change');
    return this.mode;
  }

  _emit(type) { this.dispatchEvent(new Event(type)); }

  /** The video track being sent: the screen while sharing, else the camera. */
  get videoTrack() { return this.screenTrack || this.cameraTrack; }
  get sharing() { return !!this.screenTrack; }

  /** @param {boolean} on */
  setMic(on) {
    this.micOn = on;
    if (this.audioTrack) this.audioTrack.enabled = on;
    this._emit('change');
  }

  /** @param {boolean} on */
  setCamera(on) {
    this.camOn = on;
    if (this.cameraTrack) this.cameraTrack.enabled = on;
    this._emit('change');
  }

  /**
   * Starts capturing the screen. The caller swaps the track into its senders.
   * @returns {Promise<MediaStreamTrack>}
   */
  async startScreenShare() {
    if (this.screenTrack) return this.screenTrack;
    const md = navigator.mediaDevices;
    if (!md || !md.getDisplayMedia) throw new Error('Screen sharing is not supported by this browser');
    const s = await md.getDisplayMedia({ video: { frameRate: { ideal: 15 } }, audio: false });
    const track = s.getVideoTracks()[0];
    if ('contentHint' in track) track.contentHint = 'detail';
    track.addEventListener('ended', () => {
      // the browser's own "Stop sharing" button, or the window went away
      if (this.screenTrack === track) { this._dropScreen(); this._emit('screen-ended'); }
    });
    this._setVideoInStream(track);
    this.screenTrack = track;
    this._emit('change');
    return track;
  }

  /** Stops sharing; the camera track (if any) becomes the video track again. */
  stopScreenShare() {
    if (!this.screenTrack) return;
    this.screenTrack.stop();
    this._dropScreen();
  }

  _dropScreen() {
    this.screenTrack = null;
    this._setVideoInStream(this.cameraTrack);
    this._emit('change');
  }

  /** @param {MediaStreamTrack|null} track */
  _setVideoInStream(track) {
    for (const t of this.stream.getVideoTracks()) this.stream.removeTrack(t);
    if (track) this.stream.addTrack(track);
  }

  /** Stops every local track (the camera light goes off). */
  stop() {
    for (const t of [this.audioTrack, this.cameraTrack, this.screenTrack]) if (t) t.stop();
    this.audioTrack = this.cameraTrack = this.screenTrack = null;
    this.stream = new MediaStream();
  }
}
