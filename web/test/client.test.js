// Unit tests of web/signalmesh-client.js: run with `node --test web/test/`.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { SignalMeshClient, backoffDelay } from '../signalmesh-client.js';
import { FakeWebSocket, FakeClock } from './fakes.js';

const URL = 'ws://signal.test/ws';
let clock;

beforeEach(() => {
  FakeWebSocket.reset();
  clock = new FakeClock();
});

/** @returns {SignalMeshClient} */
function newClient(opts = {}) {
  return new SignalMeshClient({
    url: URL,
    WebSocket: /** @type {any} */ (FakeWebSocket),
    scheduler: clock,
    random: () => 0.5,
    pingIntervalMs: 0,
    ...opts,
  });
}

/** Collects the details of events of the given types, in order. */
function record(client, ...types) {
  const seen = [];
  for (const t of types) client.on(t, (d) => seen.push({ type: t, ...d }));
  return seen;
}

async function connected(client, hello = { clientId: 'A', sessionToken: 'tok-A' }) {
  const p = client.connect();
  FakeWebSocket.last().accept(hello);
  return p;
}

test('handshake: connect resolves with clientId, sessionToken and iceServers', async () => {
  const client = newClient();
  const states = record(client, 'state');
  const p = client.connect();
  const ws = FakeWebSocket.last();
  assert.equal(ws.url, URL);
  assert.equal(client.state, 'connecting');
  const ice = [{ urls: 'stun:stun.test:3478' }, { urls: ['turn:turn.test'], username: '1:A', credential: 'x' }];
  ws.accept({ clientId: 'A', sessionToken: 'tok-A', iceServers: ice });
  const hello = await p;
  assert.equal(hello.clientId, 'A');
  assert.equal(hello.sessionToken, 'tok-A');
  assert.deepEqual(hello.iceServers, ice);
  assert.equal(hello.resumed, false);
  assert.equal(hello.identityChanged, false);
  assert.equal(client.clientId, 'A');
  assert.deepEqual(client.iceServers, ice);
  assert.deepEqual(states.map((s) => s.state), ['connecting', 'open']);
});

test('default URL follows the page: same host, /ws, wss: on https pages', () => {
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'location');
  try {
    Object.defineProperty(globalThis, 'location', { value: { protocol: 'https:', host: 'meet.example:8443' }, configurable: true });
    newClient({ url: undefined }).connect();
    assert.equal(FakeWebSocket.last().url, 'wss://meet.example:8443/ws');
    Object.defineProperty(globalThis, 'location', { value: { protocol: 'http:', host: 'localhost:8080' }, configurable: true });
    newClient({ url: undefined }).connect();
    assert.equal(FakeWebSocket.last().url, 'ws://localhost:8080/ws');
  } finally {
    if (saved) Object.defineProperty(globalThis, 'location', saved);
    else delete globalThis.location;
  }
});

test('access token is passed as ?token=', () => {
  newClient({ token: 'a b' }).connect();
  assert.equal(FakeWebSocket.last().url, `${URL}?token=a%20b`);
});

test('join sends join-room and resolves with the room-participants reply', async () => {
  const client = newClient();
  await connected(client);
  const ws = FakeWebSocket.last();
  const events = record(client, 'room-participants');
  const joined = client.join('r1', { name: 'Ada' });
  assert.deepEqual(ws.sentOfType('join-room'), [{ type: 'join-room', roomId: 'r1', name: 'Ada' }]);
  ws.serverSend({ type: 'room-participants', roomId: 'r1', participants: ['B'], profiles: { B: { name: 'Bob' } } });
  const reply = await joined;
  assert.deepEqual(reply.participants, ['B']);
  assert.equal(reply.profiles.B.name, 'Bob');
  assert.equal(events.length, 1);
  assert.deepEqual(client.rooms, ['r1']);
});

test('join before the handshake is sent once connected', async () => {
  const client = newClient();
  const p = client.connect();
  const joined = client.join('r1', { name: 'Ada' });
  const ws = FakeWebSocket.last();
  assert.equal(ws.sent.length, 0);
  ws.accept({ clientId: 'A', sessionToken: 't' });
  await p;
  assert.deepEqual(ws.sentOfType('join-room'), [{ type: 'join-room', roomId: 'r1', name: 'Ada' }]);
  ws.serverSend({ type: 'room-participants', roomId: 'r1', participants: [] });
  assert.deepEqual((await joined).participants, []);
});

test('a refused join rejects with the error code and is not remembered', async () => {
  const client = newClient();
  await connected(client);
  const ws = FakeWebSocket.last();
  const errors = record(client, 'error');
  const joined = client.join('full', { name: 'Ada' });
  ws.serverSend({ type: 'error', code: 'room-full', message: 'Room is full', ref: 'join-room' });
  await assert.rejects(joined, (e) => e.code === 'room-full' && e.ref === 'join-room');
  assert.deepEqual(errors, [{ type: 'error', code: 'room-full', message: 'Room is full', ref: 'join-room' }]);
  assert.deepEqual(client.rooms, []);
});

test('participant events: joined, left with reason, peer-disconnected, room-closed', async () => {
  const client = newClient();
  await connected(client);
  const ws = FakeWebSocket.last();
  client.join('r1', { name: 'Ada' });
  ws.serverSend({ type: 'room-participants', roomId: 'r1', participants: [] });
  const seen = record(client, 'participant-joined', 'participant-left', 'peer-disconnected', 'room-closed');
  ws.serverSend({ type: 'participant-joined', roomId: 'r1', participantId: 'B', name: 'Bob' });
  ws.serverSend({ type: 'participant-left', roomId: 'r1', participantId: 'B', reason: 'kicked' });
  ws.serverSend({ type: 'peer-disconnected', clientId: 'C' });
  ws.serverSend({ type: 'room-closed', roomId: 'r1', reason: 'admin' });
  assert.deepEqual(seen.map((e) => [e.type, e.participantId ?? e.clientId ?? e.roomId, e.reason ?? e.name]), [
    ['participant-joined', 'B', 'Bob'],
    ['participant-left', 'B', 'kicked'],
    ['peer-disconnected', 'C', undefined],
    ['room-closed', 'r1', 'admin'],
  ]);
  assert.deepEqual(client.rooms, [], 'a closed room is forgotten');
});

test('leave sends leave-room and forgets the room', async () => {
  const client = newClient();
  await connected(client);
  const ws = FakeWebSocket.last();
  client.join('r1');
  ws.serverSend({ type: 'room-participants', roomId: 'r1', participants: [] });
  client.leave('r1');
  assert.deepEqual(ws.sentOfType('leave-room'), [{ type: 'leave-room', roomId: 'r1' }]);
  assert.deepEqual(client.rooms, []);
});

test('relay: outgoing offer/answer/ice-candidate/end-call carry targetId, incoming ones are events', async () => {
  const client = newClient();
  await connected(client);
  const ws = FakeWebSocket.last();
  const sdp = { type: 'offer', sdp: 'v=0' };
  client.sendOffer('B', sdp);
  client.sendAnswer('B', { type: 'answer', sdp: 'v=0' });
  client.sendIceCandidate('B', { candidate: 'candidate:1', sdpMid: '0' });
  client.sendEndCall('B');
  assert.deepEqual(ws.sent, [
    { type: 'offer', targetId: 'B', sdp },
    { type: 'answer', targetId: 'B', sdp: { type: 'answer', sdp: 'v=0' } },
    { type: 'ice-candidate', targetId: 'B', candidate: { candidate: 'candidate:1', sdpMid: '0' } },
    { type: 'end-call', targetId: 'B' },
  ]);

  const typed = record(client, 'offer', 'answer', 'ice-candidate', 'end-call');
  const generic = record(client, 'signal');
  ws.serverSend({ type: 'offer', senderId: 'B', sdp });
  ws.serverSend({ type: 'answer', senderId: 'B', sdp });
  ws.serverSend({ type: 'ice-candidate', senderId: 'B', candidate: { candidate: 'c' } });
  ws.serverSend({ type: 'end-call', senderId: 'B' });
  assert.deepEqual(typed.map((e) => [e.type, e.senderId]), [
    ['offer', 'B'], ['answer', 'B'], ['ice-candidate', 'B'], ['end-call', 'B'],
  ]);
  assert.deepEqual(typed[0].sdp, sdp);
  assert.deepEqual(typed[2].candidate, { candidate: 'c' });
  assert.equal(generic.length, 4);
});

test('broadcast: sent with roomId and data, received with senderId', async () => {
  const client = newClient();
  await connected(client);
  const ws = FakeWebSocket.last();
  client.broadcast('r1', { kind: 'hand', up: true });
  assert.deepEqual(ws.sent, [{ type: 'broadcast', roomId: 'r1', data: { kind: 'hand', up: true } }]);
  const got = record(client, 'broadcast');
  ws.serverSend({ type: 'broadcast', roomId: 'r1', senderId: 'B', data: { kind: 'hand', up: false } });
  assert.deepEqual(got, [{ type: 'broadcast', roomId: 'r1', senderId: 'B', data: { kind: 'hand', up: false } }]);
});

test('error frames become error events; malformed frames are ignored', async () => {
  const client = newClient();
  await connected(client);
  const ws = FakeWebSocket.last();
  const errors = record(client, 'error');
  const all = record(client, 'message');
  ws.serverSend('not json');
  ws.serverSend({ noType: true });
  ws.serverSend({ type: 'error', code: 'unknown-peer', message: 'No such peer', ref: 'offer' });
  assert.deepEqual(errors, [{ type: 'error', code: 'unknown-peer', message: 'No such peer', ref: 'offer' }]);
  assert.equal(all.length, 1);
  assert.equal(client.state, 'open', 'an error frame does not close the connection');
});

test('get-peers resolves with the peers-list', async () => {
  const client = newClient();
  await connected(client);
  const ws = FakeWebSocket.last();
  const peers = client.getPeers();
  assert.deepEqual(ws.sent, [{ type: 'get-peers' }]);
  ws.serverSend({ type: 'peers-list', peers: ['B', 'C'] });
  assert.deepEqual(await peers, ['B', 'C']);
});

test('backoffDelay grows exponentially, is capped, and jitters within [base/2, base]', () => {
  assert.equal(backoffDelay(0, 500, 15000, () => 0), 250);
  assert.equal(backoffDelay(0, 500, 15000, () => 0.999999), 500);
  assert.equal(backoffDelay(3, 500, 15000, () => 0), 2000);
  assert.equal(backoffDelay(20, 500, 15000, () => 0), 7500);
  assert.equal(backoffDelay(20, 500, 15000, () => 0.999999), 15000);
});

test('reconnect: exponential backoff with jitter, then resume with ?resume=<sessionToken>', async () => {
  const client = newClient({ initialBackoffMs: 1000, maxBackoffMs: 3000 });
  await connected(client, { clientId: 'A', sessionToken: 'tok/A+1' });
  const states = record(client, 'state');

  FakeWebSocket.last().serverClose(1006);
  assert.equal(client.state, 'reconnecting');
  // attempt 0: base 1000, jitter 0.5 -> 750
  assert.deepEqual(clock.pendingDelays(), [750]);
  clock.advance(749);
  assert.equal(FakeWebSocket.instances.length, 1, 'no reconnect before the delay');
  clock.advance(1);
  assert.equal(FakeWebSocket.instances.length, 2);
  assert.equal(FakeWebSocket.last().url, `${URL}?resume=tok%2FA%2B1`);

  // that attempt fails too: attempt 1 -> base 2000 -> 1500
  FakeWebSocket.last().serverClose(1006);
  assert.deepEqual(clock.pendingDelays(), [1500]);
  clock.advance(1500);
  FakeWebSocket.last().serverClose(1006);
  // attempt 2 -> base capped at 3000 -> 2250
  assert.deepEqual(clock.pendingDelays(), [2250]);
  clock.advance(2250);
  assert.equal(FakeWebSocket.instances.length, 4);

  const conn = client.once('connected');
  FakeWebSocket.last().accept({ clientId: 'A', sessionToken: 'tok-A2', resumed: true });
  const detail = await conn;
  assert.equal(detail.resumed, true);
  assert.equal(client.clientId, 'A');
  assert.equal(client.sessionToken, 'tok-A2', 'the newest token is kept');
  assert.equal(client.state, 'open');
  assert.deepEqual(states.map((s) => s.state), ['reconnecting', 'open']);

  // a successful handshake resets the backoff
  FakeWebSocket.last().serverClose(1006);
  assert.deepEqual(clock.pendingDelays(), [750]);
  clock.advance(750);
  assert.equal(FakeWebSocket.last().url, `${URL}?resume=tok-A2`);
});

test('resumed: same id and rooms, no rejoin, messages queued during the gap are sent in order', async () => {
  const client = newClient();
  await connected(client);
  client.join('r1', { name: 'Ada' });
  FakeWebSocket.last().serverSend({ type: 'room-participants', roomId: 'r1', participants: ['B'] });
  const seen = record(client, 'identity-changed', 'connected');

  FakeWebSocket.last().serverClose(1006);
  assert.equal(client.sendIceCandidate('B', { candidate: 'c1' }), true, 'queued while reconnecting');
  client.sendIceCandidate('B', { candidate: 'c2' });
  clock.advance(10_000);
  const ws2 = FakeWebSocket.last();
  assert.equal(ws2.sent.length, 0, 'nothing sent before the handshake');
  ws2.accept({ clientId: 'A', sessionToken: 'tok-A', resumed: true });

  assert.deepEqual(ws2.sentOfType('join-room'), [], 'no rejoin after a resume');
  assert.deepEqual(ws2.sentOfType('ice-candidate').map((m) => m.candidate.candidate), ['c1', 'c2']);
  assert.deepEqual(seen.map((e) => [e.type, e.resumed, e.identityChanged]), [['connected', true, false]]);
  assert.deepEqual(client.rooms, ['r1']);
});

test('not resumed: new id is reported, rooms are re-joined, stale queued messages dropped', async () => {
  const client = newClient();
  await connected(client);
  client.join('r1', { name: 'Ada', metadata: { avatar: 1 } });
  client.join('r2', { name: 'Ada' });
  FakeWebSocket.last().serverSend({ type: 'room-participants', roomId: 'r1', participants: ['B'] });
  FakeWebSocket.last().serverSend({ type: 'room-participants', roomId: 'r2', participants: [] });
  const seen = record(client, 'identity-changed', 'connected');

  FakeWebSocket.last().serverClose(1006);
  client.sendOffer('B', { type: 'offer', sdp: 'old' });
  clock.advance(10_000);
  const ws2 = FakeWebSocket.last();
  assert.match(ws2.url, /\?resume=tok-A$/);
  ws2.accept({ clientId: 'A2', sessionToken: 'tok-A2' }); // resumed absent: grace expired

  assert.deepEqual(seen.map((e) => [e.type, e.clientId, e.previousClientId ?? null]), [
    ['identity-changed', 'A2', 'A'],
    ['connected', 'A2', 'A'],
  ]);
  assert.equal(seen[1].identityChanged, true);
  assert.equal(seen[1].resumed, false);
  assert.deepEqual(ws2.sentOfType('join-room'), [
    { type: 'join-room', roomId: 'r1', name: 'Ada', metadata: { avatar: 1 } },
    { type: 'join-room', roomId: 'r2', name: 'Ada' },
  ]);
  assert.deepEqual(ws2.sentOfType('offer'), [], 'queued relay for the old identity is dropped');
  assert.equal(client.clientId, 'A2');
});

test('resumed:false explicitly is handled like an absent flag', async () => {
  const client = newClient();
  await connected(client);
  client.join('r1');
  FakeWebSocket.last().serverClose(1001);
  clock.advance(10_000);
  FakeWebSocket.last().accept({ clientId: 'A3', sessionToken: 't3', resumed: false });
  assert.deepEqual(FakeWebSocket.last().sentOfType('join-room'), [{ type: 'join-room', roomId: 'r1' }]);
});

test('draining: a reconnect message then close 1012 reconnects promptly and resumes', async () => {
  const client = newClient({ initialBackoffMs: 5000, drainingDelayMs: 200 });
  await connected(client);
  client.join('r1', { name: 'Ada' });
  FakeWebSocket.last().serverSend({ type: 'room-participants', roomId: 'r1', participants: [] });
  const drained = record(client, 'draining');
  FakeWebSocket.last().serverSend({ type: 'reconnect', reason: 'draining' });
  assert.deepEqual(drained, [{ type: 'draining', reason: 'draining' }]);
  FakeWebSocket.last().serverClose(1012, 'draining');
  // jittered but far below the normal backoff (which would be >= 2500 here)
  assert.deepEqual(clock.pendingDelays(), [100]);
  clock.advance(100);
  assert.equal(FakeWebSocket.instances.length, 2);
  assert.match(FakeWebSocket.last().url, /\?resume=tok-A$/);
  FakeWebSocket.last().accept({ clientId: 'A', sessionToken: 'tok-A', resumed: true });
  assert.equal(client.state, 'open');
  assert.deepEqual(client.rooms, ['r1']);
});

test('draining then a refused resume: the library rejoins its rooms on the new node', async () => {
  const client = newClient();
  await connected(client);
  client.join('r1', { name: 'Ada' });
  FakeWebSocket.last().serverSend({ type: 'reconnect', reason: 'draining' });
  FakeWebSocket.last().serverClose(1012);
  clock.advance(1000);
  FakeWebSocket.last().accept({ clientId: 'Z', sessionToken: 'tz' });
  assert.deepEqual(FakeWebSocket.last().sentOfType('join-room'), [{ type: 'join-room', roomId: 'r1', name: 'Ada' }]);
});

test('close 1012 without a reconnect message also reconnects promptly', async () => {
  const client = newClient({ initialBackoffMs: 5000, drainingDelayMs: 200 });
  await connected(client);
  FakeWebSocket.last().serverClose(1012);
  assert.ok(clock.pendingDelays()[0] <= 200);
});

test('explicit close: normal close code, no reconnect ever, late events ignored', async () => {
  const client = newClient();
  await connected(client);
  const ws = FakeWebSocket.last();
  const closed = record(client, 'closed');
  client.close();
  assert.deepEqual(ws.closedByClient, { code: 1000, reason: 'bye' });
  assert.equal(client.state, 'closed');
  ws.serverClose(1000); // the close event arriving afterwards
  clock.advance(60 * 60_000);
  assert.equal(FakeWebSocket.instances.length, 1);
  assert.equal(clock.timers.size, 0);
  assert.deepEqual(closed.map((c) => c.final), [true]);
  assert.equal(client.send({ type: 'ping' }), false);
});

test('explicit close while waiting to reconnect cancels the retry', async () => {
  const client = newClient();
  await connected(client);
  FakeWebSocket.last().serverClose(1006);
  assert.equal(clock.timers.size, 1);
  client.close();
  clock.advance(60_000);
  assert.equal(FakeWebSocket.instances.length, 1);
  assert.equal(client.state, 'closed');
});

test('unauthorized close (4001) is final', async () => {
  const client = newClient();
  await connected(client);
  const closed = record(client, 'closed');
  FakeWebSocket.last().serverClose(4001, 'unauthorized');
  clock.advance(60_000);
  assert.equal(FakeWebSocket.instances.length, 1);
  assert.equal(client.state, 'closed');
  assert.deepEqual(closed.map((c) => [c.code, c.final]), [[4001, true]]);
});

test('a connection attempt that never completes the handshake times out and retries', async () => {
  const client = newClient({ connectTimeoutMs: 3000 });
  client.connect().catch(() => {});
  const ws = FakeWebSocket.last();
  clock.advance(2999);
  assert.equal(ws.closedByClient, null);
  clock.advance(1);
  assert.equal(ws.closedByClient.code, 4000, 'closed with a non-final code so the session can resume');
  assert.equal(client.state, 'reconnecting');
  assert.deepEqual(clock.pendingDelays(), [375]);
  clock.advance(375);
  assert.equal(FakeWebSocket.instances.length, 2);
});

test('app-level ping: sent periodically; a silent connection is dropped and resumed', async () => {
  const client = newClient({ pingIntervalMs: 1000 });
  await connected(client);
  const ws = FakeWebSocket.last();
  clock.advance(1000);
  assert.deepEqual(ws.sentOfType('ping'), [{ type: 'ping' }]);
  ws.serverSend({ type: 'pong' });
  clock.advance(1000);
  assert.equal(ws.sentOfType('ping').length, 2);
  assert.equal(ws.closedByClient, null, 'answered ping keeps the connection');
  clock.advance(1000); // second ping unanswered
  assert.equal(ws.closedByClient.code, 4000);
  assert.equal(client.state, 'reconnecting');
  clock.advance(10_000);
  assert.match(FakeWebSocket.last().url, /resume=tok-A/);
});

test('resumeToken option: the first connection already tries to resume', async () => {
  const client = newClient({ resumeToken: 'saved' });
  const p = client.connect();
  assert.equal(FakeWebSocket.last().url, `${URL}?resume=saved`);
  FakeWebSocket.last().accept({ clientId: 'A', sessionToken: 'tok-A', resumed: true });
  const hello = await p;
  assert.equal(hello.resumed, true);
  assert.equal(hello.identityChanged, false);
});
