// Tests of the app's call logic (web/modules/call.js) against the real signaling client, a fake
// server relaying in order, and RTCPeerConnection doubles that follow the spec's signaling state
// machine. Media and ICE are the Chromium end-to-end tests' job (src/test/java/.../e2e).
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { SignalMeshClient } from '../signalmesh-client.js';
import { Call } from '../modules/call.js';
import { isPolite } from '../modules/peer.js';
import { FakeWebSocket, FakeClock, FakeMediaStream, FakeRTCPeerConnection, FakeSignalingServer, settle } from './fakes.js';

globalThis.RTCPeerConnection = /** @type {any} */ (FakeRTCPeerConnection);
globalThis.MediaStream = /** @type {any} */ (FakeMediaStream);
console.debug = () => {}; // the app's negotiation trace, for the browser tests' failure reports

/** A page that joined receive-only (no camera or microphone): the data channels still negotiate. */
class ReceiveOnlyMedia extends EventTarget {
  stream = new FakeMediaStream();
  audioTrack = null;
  videoTrack = null;
  cameraTrack = null;
  micOn = true;
  camOn = true;
  sharing = false;
  mode = 'receive-only';
  stop() {}
}

/** @type {FakeSignalingServer} */ let server;
/** @type {Call[]} */ let pages;

beforeEach(() => {
  FakeWebSocket.reset();
  FakeRTCPeerConnection.reset();
  server = new FakeSignalingServer();
  pages = [];
});

/** Opens the app as `clientId` in room r1; `resumed`: a reload that resumes the session. */
async function openPage(clientId, { resumed = false } = {}) {
  const client = new SignalMeshClient({
    url: 'ws://signal.test/ws', WebSocket: /** @type {any} */ (FakeWebSocket), scheduler: new FakeClock(),
    pingIntervalMs: 0, resumeToken: resumed ? `tok-${clientId}` : undefined,
  });
  const call = new Call({ client, media: /** @type {any} */ (new ReceiveOnlyMedia()), roomId: 'r1', name: clientId });
  pages.push(call);
  const started = call.start();
  server.accept(FakeWebSocket.last(), clientId, { resumed });
  await started;
  await settle();
  return call;
}

/** The page is reloaded: `pagehide` runs (unless lost), then the browser destroys the page. */
function reload(call, { unloadDelivered }) {
  if (unloadDelivered) call.pageHide();
  server.detach(call.client.clientId);
  for (const { peer } of call.peers.values()) peer.close(); // the browser closes the page's connections
  call._teardown();
}

function leaveAll() {
  for (const call of pages) if (!call.left) call.leave();
}

for (const other of ['bob', 'aaron']) {
  for (const unloadDelivered of [true, false]) {
    const politeness = isPolite('ada', other) ? 'polite' : 'impolite';
    test(`a reloaded page (${politeness}) sets the call up again with one offer, no collision (unload end-call ${unloadDelivered ? 'delivered' : 'lost'})`, async () => {
      try {
        const peer = await openPage(other);
        const adaBefore = await openPage('ada');
        assert.equal(peer.peers.get('ada').peer.pc.signalingState, 'stable', 'the call was up before the reload');

        reload(adaBefore, { unloadDelivered });
        const sentBefore = server.relayed.length;
        const ada = await openPage('ada', { resumed: true });

        const after = server.relayed.slice(sentBefore);
        assert.deepEqual(after.filter((m) => m.type === 'end-call').map((m) => `${m.from}->${m.to}:${m.reason}`), [`ada->${other}:reset`]);
        assert.deepEqual(after.filter((m) => m.type === 'offer').map((m) => m.from), ['ada'],
          'only the reloaded page offers: two fresh connections offering at once collide');
        const mine = ada.peers.get(other).peer.pc;
        const theirs = peer.peers.get('ada').peer.pc;
        assert.equal(mine.rollbacks + theirs.rollbacks, 0, 'no offer was rolled back');
        assert.equal(mine.signalingState, 'stable');
        assert.equal(theirs.signalingState, 'stable');
        assert.equal(theirs.remoteDescription.sdp, mine.localDescription.sdp, 'the peer applied the new page\'s offer');
        assert.equal(mine.remoteDescription.sdp, theirs.localDescription.sdp, 'the new page applied the peer\'s answer to it');
        assert.equal(peer.peers.size, 1, 'one connection to ada on the other side, the stale one closed');
      } finally {
        leaveAll();
      }
    });
  }
}
