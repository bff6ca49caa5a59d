// File transfer over an ordered, reliable RTCDataChannel.
//
// Wire format on the "files" channel (one transfer at a time per channel):
//   text   {"t":"file-start","id","name","size","mime","sha256"}
//   binary chunks of at most CHUNK_SIZE bytes, in order
//   text   {"t":"file-end","id"}
//   text   {"t":"file-ack","id","ok"}   receiver -> sender, after the hash check

export const CHUNK_SIZE = 16 * 1024;
/** pause sending above this many buffered bytes... */
export const HIGH_WATER = 1024 * 1024;
/** ...and resume when the browser says the buffer fell below this */
export const LOW_WATER = 256 * 1024;

/**
 * SHA-256 of some bytes, lowercase hex; null where WebCrypto is unavailable
 * (insecure contexts).
 * @param {Blob|ArrayBuffer} data
 * @returns {Promise<string|null>}
 */
export async function sha256Hex(data) {
  const subtle = globalThis.crypto && globalThis.crypto.subtle;
  if (!subtle) return null;
  const buf = data instanceof ArrayBuffer ? data : await data.arrayBuffer();
  const digest = new Uint8Array(await subtle.digest('SHA-256', buf));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Resolves when the channel's buffer drains below its low threshold; rejects
 * if the channel closes first.
 * @param {RTCDataChannel} ch
 */
function drained(ch) {
  return new Promise((resolve, reject) => {
    const done = (ok) => {
      ch.removeEventListener('bufferedamountlow', onLow);
      ch.removeEventListener('close', onClose);
      ok ? resolve() : reject(new Error('channel closed'));
    };
    const onLow = () => done(true);
    const onClose = () => done(false);
    ch.addEventListener('bufferedamountlow', onLow);
    ch.addEventListener('close', onClose);
    if (ch.bufferedAmount <= ch.bufferedAmountLowThreshold) done(true);
  });
}

/**
 * Sends one file with back-pressure. `onProgress(sentBytes)` counts bytes that
 * left the buffer (handed to the transport), not just queued ones.
 * @param {RTCDataChannel} ch
 * @param {Blob} file
 * @param {{id: string, name: string, sha256: string|null, onProgress?: (sent: number) => void}} meta
 */
export async function sendFile(ch, file, meta) {
  const progress = meta.onProgress || (() => {});
  ch.bufferedAmountLowThreshold = LOW_WATER;
  ch.send(JSON.stringify({
    t: 'file-start', id: meta.id, name: meta.name, size: file.size,
    mime: file.type || 'application/octet-stream', sha256: meta.sha256,
  }));
  let queued = 0;
  for (let offset = 0; offset < file.size; offset += CHUNK_SIZE) {
    if (ch.bufferedAmount > HIGH_WATER) await drained(ch);
    if (ch.readyState !== 'open') throw new Error('channel closed');
    const chunk = await file.slice(offset, offset + CHUNK_SIZE).arrayBuffer();
    ch.send(chunk);
    queued += chunk.byteLength;
    progress(Math.max(0, queued - ch.bufferedAmount));
  }
  ch.send(JSON.stringify({ t: 'file-end', id: meta.id }));
  // wait for the tail to leave the buffer so "sent" means sent
  ch.bufferedAmountLowThreshold = 0;
  try {
    if (ch.bufferedAmount > 0) await drained(ch);
  } finally {
    ch.bufferedAmountLowThreshold = LOW_WATER;
  }
  progress(file.size);
}

/**
 * @typedef {Object} IncomingFile
 * @property {string} id
 * @property {string} name
 * @property {number} size
 * @property {string} mime
 * @property {string|null} expectedSha256
 * @property {number} received
 */

/**
 * @typedef {Object} ReceivedFile
 * @property {string} id
 * @property {string} name
 * @property {number} size
 * @property {string} mime
 * @property {string|null} sha256     computed on arrival
 * @property {boolean} ok             size and hash match what the sender announced
 * @property {Blob} blob
 */

/**
 * Reassembles files from one channel. Callbacks: onStart(IncomingFile),
 * onProgress(IncomingFile), onDone(ReceivedFile).
 */
export class FileReceiver {
  /** @param {{onStart?: Function, onProgress?: Function, onDone?: Function}} cb */
  constructor(cb) {
    this.cb = cb;
    /** @type {(IncomingFile & {chunks: ArrayBuffer[]})|null} */
    this.current = null;
  }

  /**
   * Handles a message from the channel. Text control frames that are not for
   * files (e.g. acks) are returned for the caller.
   * @param {string|ArrayBuffer} data
   * @returns {Promise<Object|null>} a control message not consumed here
   */
  async handle(data) {
    if (typeof data !== 'string') {
      const cur = this.current;
      if (!cur) return null; // stray chunk of an aborted transfer
      cur.chunks.push(data);
      cur.received += data.byteLength;
      this.cb.onProgress && this.cb.onProgress(cur);
      return null;
    }
    let msg;
    try { msg = JSON.parse(data); } catch { return null; }
    if (msg.t === 'file-start') {
      this.current = {
        id: String(msg.id), name: String(msg.name || 'file'), size: Number(msg.size) || 0,
        mime: String(msg.mime || 'application/octet-stream'),
        expectedSha256: msg.sha256 || null, received: 0, chunks: [],
      };
      this.cb.onStart && this.cb.onStart(this.current);
      return null;
    }
    if (msg.t === 'file-end') {
      const cur = this.current;
      this.current = null;
      if (!cur || cur.id !== String(msg.id)) return null;
      const blob = new Blob(cur.chunks, { type: cur.mime });
      const sha256 = await sha256Hex(blob);
      const ok = blob.size === cur.size && (!cur.expectedSha256 || sha256 === cur.expectedSha256);
      /** @type {ReceivedFile} */
      const done = { id: cur.id, name: cur.name, size: blob.size, mime: cur.mime, sha256, ok, blob };
      this.cb.onDone && this.cb.onDone(done);
      return null;
    }
    return msg;
  }
}
