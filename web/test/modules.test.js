// Unit tests of the app's pure parts: sender quality steps, grid fitting and
// the file-transfer framing (with a fake data channel).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { videoEncodingFor } from '../modules/quality.js';
import { bestFit, fitTiles } from '../modules/ui.js';
import { bitrates, summarize } from '../modules/stats.js';
import { sendFile, FileReceiver, sha256Hex, CHUNK_SIZE, HIGH_WATER } from '../modules/transfer.js';
import { isPolite } from '../modules/peer.js';

test('video encoding: bitrate and resolution go down as the mesh grows', () => {
  const steps = [2, 3, 4, 6, 8].map((n) => videoEncodingFor(n));
  for (let i = 1; i < steps.length; i++) {
    assert.ok(steps[i].maxBitrate < steps[i - 1].maxBitrate, `bitrate drops at step ${i}`);
    assert.ok(steps[i].scaleResolutionDownBy >= steps[i - 1].scaleResolutionDownBy);
  }
  assert.equal(videoEncodingFor(2).scaleResolutionDownBy, 1);
  assert.ok(videoEncodingFor(8).maxBitrate * 7 <= 2_000_000, 'an 8-person mesh fits in a 2 Mbit/s uplink');
  assert.equal(videoEncodingFor(8, 'screen').scaleResolutionDownBy, 1, 'screen content keeps its resolution');
});

test('politeness is decided the same way on both sides', () => {
  assert.equal(isPolite('b', 'a'), true);
  assert.equal(isPolite('a', 'b'), false);
  assert.notEqual(isPolite('x1', 'x2'), isPolite('x2', 'x1'));
});

test('grid fit: two side by side on a wide stage, 2x2 for four, tiles never overflow', () => {
  assert.equal(bestFit(2, 1280, 500, 10).cols, 2);
  assert.equal(bestFit(4, 1280, 720, 10).cols, 2);
  assert.equal(bestFit(3, 390, 700, 6, 1).cols, 1);
  for (let n = 1; n <= 8; n++) {
    const f = bestFit(n, 1000, 600, 10);
    const rows = Math.ceil(n / f.cols);
    assert.ok(f.cols * f.w + (f.cols - 1) * 10 <= 1000 && rows * f.h + (rows - 1) * 10 <= 600, `n=${n} fits`);
  }
});

test('tile shapes: the biggest tiles that fit, 16:9 or 4:3 on wide stages, 1:1 or 3:4 on phones', () => {
  const area = (f) => f.w * f.h;
  // three on a laptop stage: a row of 4:3 tiles beats two rows of 16:9 ones
  const three = fitTiles(3, 1260, 490, 10);
  assert.ok(area(three) >= area(bestFit(3, 1260, 490, 10, 16 / 9)));
  assert.equal(three.cols, 3);
  // four on a wide stage stay 16:9 in a 2x2 grid
  const four = fitTiles(4, 1260, 720, 10);
  assert.equal(four.cols, 2);
  assert.ok(Math.abs(four.w / four.h - 16 / 9) < 0.02);
  // three on a phone: 2 columns of 3:4 tiles (taller than square ones)
  const phone = fitTiles(3, 378, 560, 6);
  assert.equal(phone.cols, 2);
  assert.ok(phone.h > phone.w);
  for (const [W, H] of [[1260, 490], [1000, 600], [378, 560], [760, 900]]) {
    for (let n = 1; n <= 8; n++) {
      const f = fitTiles(n, W, H, 10);
      const rows = Math.ceil(n / f.cols);
      assert.ok(f.w > 0 && f.cols * f.w + (f.cols - 1) * 10 <= W && rows * f.h + (rows - 1) * 10 <= H, `n=${n} fits ${W}x${H}`);
    }
  }
});

/** A minimal RTCStatsReport: a Map with get() and forEach(). */
const report = (entries) => new Map(entries.map((e) => [e.id, e]));

test('stats: transport byte totals keep counting when the candidate pair changes', () => {
  const pc = { connectionState: 'connected', iceConnectionState: 'connected' };
  const before = summarize(report([
    { id: 'T', type: 'transport', bytesReceived: 50_000, bytesSent: 40_000, selectedCandidatePairId: 'P1' },
    { id: 'P1', type: 'candidate-pair', bytesReceived: 50_000, bytesSent: 40_000, currentRoundTripTime: 0.02, localCandidateId: 'L', remoteCandidateId: 'R' },
    { id: 'L', type: 'local-candidate', candidateType: 'host' },
    { id: 'R', type: 'remote-candidate', candidateType: 'srflx' },
    { id: 'V', type: 'inbound-rtp', kind: 'video', framesDecoded: 10, contentType: 'screenshare', frameWidth: 640, frameHeight: 360 },
  ]), pc);
  assert.equal(before.rttMs, 20);
  assert.equal(before.relay, false);
  assert.equal(before.videoContentType, 'screenshare');
  // a new pair (ICE restart) starts from zero; the transport goes on counting
  const after = summarize(report([
    { id: 'T', type: 'transport', bytesReceived: 75_000, bytesSent: 50_000, selectedCandidatePairId: 'P2' },
    { id: 'P2', type: 'candidate-pair', bytesReceived: 25_000, bytesSent: 10_000, localCandidateId: 'L', remoteCandidateId: 'R' },
    { id: 'V', type: 'inbound-rtp', kind: 'video', framesDecoded: 30 },
  ]), pc);
  assert.equal(after.videoContentType, 'default');
  after.timestamp = before.timestamp + 1000;
  assert.deepEqual(bitrates(before, after), { inKbps: 200, outKbps: 80 });
  assert.deepEqual(bitrates(null, after), { inKbps: null, outKbps: null }, 'no rate from a single sample');
});

/** A data channel double: records what is sent, drains its buffer on demand. */
class FakeChannel extends EventTarget {
  constructor() {
    super();
    this.readyState = 'open';
    this.bufferedAmount = 0;
    this.bufferedAmountLowThreshold = 0;
    this.frames = [];
    this.maxBuffered = 0;
  }
  send(data) {
    this.frames.push(data);
    this.bufferedAmount += typeof data === 'string' ? data.length : data.byteLength;
    this.maxBuffered = Math.max(this.maxBuffered, this.bufferedAmount);
    // the "network" drains asynchronously, firing bufferedamountlow like a browser
    queueMicrotask(() => setImmediate(() => this.drain()));
  }
  drain() {
    if (this.bufferedAmount === 0) return;
    const before = this.bufferedAmount;
    this.bufferedAmount = 0;
    if (before > this.bufferedAmountLowThreshold) this.dispatchEvent(new Event('bufferedamountlow'));
  }
}

test('file transfer: chunks with back-pressure, reassembled and verified by SHA-256', async () => {
  const bytes = new Uint8Array(3 * HIGH_WATER + 12345);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + 3) & 0xff;
  const file = new Blob([bytes]);
  const sha = await sha256Hex(file);
  const ch = new FakeChannel();
  const progress = [];
  await sendFile(/** @type {any} */ (ch), file, { id: 'f1', name: 'a.bin', sha256: sha, onProgress: (n) => progress.push(n) });
  assert.ok(ch.maxBuffered <= HIGH_WATER + CHUNK_SIZE + 1024, `buffer stayed bounded (${ch.maxBuffered})`);
  assert.equal(progress.at(-1), bytes.length);
  assert.ok(progress.every((v, i) => i === 0 || v >= progress[i - 1]), 'progress never goes back');
  assert.ok(ch.frames.slice(1, -1).every((f) => typeof f !== 'string' && f.byteLength <= CHUNK_SIZE));

  const done = [];
  const rx = new FileReceiver({ onDone: (f) => done.push(f) });
  for (const f of ch.frames) await rx.handle(f);
  assert.equal(done.length, 1);
  assert.equal(done[0].name, 'a.bin');
  assert.equal(done[0].size, bytes.length);
  assert.equal(done[0].sha256, sha);
  assert.equal(done[0].ok, true);
});

test('file transfer: a damaged chunk is detected on arrival', async () => {
  const file = new Blob([new Uint8Array(40000).fill(1)]);
  const ch = new FakeChannel();
  await sendFile(/** @type {any} */ (ch), file, { id: 'f2', name: 'b.bin', sha256: await sha256Hex(file) });
  const chunk = new Uint8Array(ch.frames[2]);
  chunk[5] ^= 0xff;
  const done = [];
  const rx = new FileReceiver({ onDone: (f) => done.push(f) });
  for (const f of ch.frames) await rx.handle(f);
  assert.equal(done[0].ok, false);
  assert.equal(done[0].size, 40000);
});
