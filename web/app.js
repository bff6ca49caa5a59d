// signalmesh web app: entry point. Wires the join screen, the Call and the view.

import { SignalMeshClient } from './signalmesh-client.js';
import { LocalMedia } from './modules/media.js';
import { Call } from './modules/call.js';
import { CallView } from './modules/ui.js';
import { installTestHooks } from './modules/hooks.js';

const ROOM_RE = /^[A-Za-z0-9_.:-]{1,128}$/;
const NAME_KEY = 'signalmesh.name';
const $ = (sel) => /** @type {HTMLElement} */ (document.querySelector(sel));

const view = new CallView();
/** @type {Call|null} */
let call = null;
let unread = 0;
let wasReconnecting = false;

installTestHooks(() => call);

function randomRoom() {
  const a = ['amber', 'brisk', 'calm', 'dusky', 'eager', 'fuzzy', 'gentle', 'lucky', 'misty', 'quiet', 'sunny', 'swift'];
  const b = ['otter', 'falcon', 'maple', 'harbor', 'comet', 'willow', 'lynx', 'meadow', 'pebble', 'summit'];
  const pick = (l) => l[Math.floor(Math.random() * l.length)];
  return `${pick(a)}-${pick(b)}-${Math.floor(10 + Math.random() * 90)}`;
}

function roomLink(roomId) {
  const u = new URL(location.href);
  u.search = '';
  u.hash = '';
  u.searchParams.set('room', roomId);
  return u.toString();
}

// ------------------------------------------------------------------ join

async function join(roomId, name) {
  view.joinError(null);
  view.joining(true);
  const params = new URLSearchParams(location.search);
  const media = new LocalMedia();
  await media.start();
  const client = new SignalMeshClient({
    token: params.get('token') || undefined,
    resumeToken: Call.savedSession(roomId) || undefined,
  });
  const c = new Call({ client, media, roomId, name });
  call = c;
  unread = 0;
  wireCall(c);
  view.showCall(roomId);
  view.addTile('self', { name, self: true });
  renderLocal(c);
  if (media.notice) view.notice(media.notice, 'warn', { testid: 'media-notice' });
  const u = new URL(location.href);
  u.searchParams.set('room', roomId);
  u.searchParams.set('name', name);
  history.replaceState(null, '', u);
  try { localStorage.setItem(NAME_KEY, name); } catch { /* ignore */ }
  try {
    await c.start();
  } catch (err) {
    if (call !== c) return;
    const code = err && err.code;
    c.leave();
    showJoin(roomId, name);
    view.joinError(code === 'room-full' ? 'This room is full. Try another room.'
      : code === 'forbidden' ? 'You are not allowed to join this room.'
        : code === 'bad-message' ? 'That room name is not valid.'
          : `Could not join: ${(err && err.message) || err}`);
  } finally {
    view.joining(false);
  }
}

function showJoin(roomId, name) {
  view.clearTiles();
  view.clearNotices();
  view.setChatOpen(false);
  view.setSignaling('open');
  $('#chat-log').replaceChildren();
  view.showJoin();
  /** @type {HTMLInputElement} */ ($('#join-room')).value = roomId || randomRoom();
  /** @type {HTMLInputElement} */ ($('#join-name')).value = name || '';
}

/** @param {Call} c */
function renderLocal(c) {
  const m = c.media;
  const track = m.videoTrack;
  const tile = view.tiles.get('self');
  const video = tile && /** @type {HTMLVideoElement} */ (tile.querySelector('video'));
  const cur = video && /** @type {MediaStream|null} */ (video.srcObject);
  const same = cur && track && cur.getVideoTracks()[0] === track;
  view.updateTile('self', {
    stream: same ? cur : (track ? new MediaStream([track]) : null),
    mic: m.micOn && !!m.audioTrack,
    cam: (m.camOn && !!m.cameraTrack) || m.sharing,
    screen: m.sharing,
  });
  view.setControls({
    mic: m.micOn && !!m.audioTrack, cam: m.camOn && !!m.cameraTrack, screen: m.sharing,
    hasMic: !!m.audioTrack, hasCam: !!m.cameraTrack,
    canShare: !!(navigator.mediaDevices && navigator.mediaDevices.getDisplayMedia),
  });
}

/** @param {Call} c */
function wireCall(c) {
  const on = (t, f) => c.addEventListener(t, (e) => { if (call === c) f(/** @type {any} */ (e).detail || {}); });
  const peerView = (id) => {
    const info = c.peers.get(id);
    if (!info) return;
    info.name = c.names.get(id) || info.name;
    view.updateTile(id, {
      name: info.name, stream: info.peer.remoteStream,
      mic: info.remote.mic, cam: info.remote.cam, screen: info.remote.screen, net: info.net,
    });
  };
  on('peer-added', ({ id }) => {
    const info = c.peers.get(id);
    view.addTile(id, { name: info ? info.name : 'Guest' });
    peerView(id);
  });
  on('peer-updated', ({ id }) => peerView(id));
  on('peer-removed', ({ id }) => view.removeTile(id));
  on('participants', ({ count }) => view.setCount(count));
  on('chat', ({ entry }) => {
    view.addChat(entry);
    if (!entry.self && !view.chatOpen) { unread++; view.setUnread(unread); view.toast(`${entry.name}: ${entry.text.slice(0, 80)}`); }
  });
  on('file-progress', ({ transfer }) => {
    const name = (c.peers.get(transfer.peerId) || {}).name || c.names.get(transfer.peerId) || 'peer';
    view.renderTransfer(transfer, name);
  });
  on('file-received', ({ file, peerId }) => {
    if (!view.chatOpen) {
      unread++; view.setUnread(unread);
      view.toast(`${c.names.get(peerId) || 'Someone'} sent you ${file.name}`);
    }
  });
  on('signaling', ({ state }) => {
    view.setSignaling(state, c.client.nextRetryMs);
    if (state === 'reconnecting') wasReconnecting = true;
    if (state === 'open' && wasReconnecting) { wasReconnecting = false; view.toast('Reconnected'); }
  });
  on('notice', ({ text, level }) => view.notice(text, level));
  on('joined', () => view.setCount(c.peers.size + 1));
  on('left', () => {
    if (call === c) call = null;
    const u = new URL(location.href);
    u.searchParams.delete('name');
    history.replaceState(null, '', u);
    showJoin(c.roomId, c.name);
  });
  c.client.on('participant-joined', (d) => {
    if (call === c && d.roomId === c.roomId) view.toast(`${d.name || 'Someone'} joined`);
  });
  c.client.on('participant-left', (d) => {
    if (call !== c || d.roomId !== c.roomId || d.participantId === c.client.clientId) return;
    const who = c.names.get(d.participantId) || 'Someone';
    view.toast(d.reason === 'left' ? `${who} left` : `${who} lost the connection`);
  });
  c.media.addEventListener('change', () => { if (call === c) renderLocal(c); });
  c.media.addEventListener('screen-ended', () => { if (call === c) view.toast('Screen sharing ended; back to your camera.'); });
}

// -------------------------------------------------------------- controls

function toggleMic() { if (call) call.media.setMic(!call.media.micOn); }
function toggleCam() { if (call) call.media.setCamera(!call.media.camOn); }
async function toggleScreen() {
  if (!call) return;
  if (call.media.sharing) { call.stopScreenShare(); return; }
  try {
    await call.startScreenShare();
  } catch (err) {
    if (err && err.name === 'NotAllowedError') return; // the person cancelled the picker
    view.toast(`Could not share the screen: ${(err && err.message) || err}`, 'error');
  }
}
function toggleChat() { view.setChatOpen(!view.chatOpen); if (view.chatOpen) unread = 0; }

async function copyLink() {
  if (!call) return;
  const link = roomLink(call.roomId);
  try {
    await navigator.clipboard.writeText(link);
    view.toast('Room link copied');
  } catch {
    view.notice(`Share this link: ${link}`, 'info');
  }
}

$('#mic-button').addEventListener('click', toggleMic);
$('#camera-button').addEventListener('click', toggleCam);
$('#screen-button').addEventListener('click', toggleScreen);
$('#chat-button').addEventListener('click', toggleChat);
$('#chat-close').addEventListener('click', () => { view.setChatOpen(false); $('#chat-button').focus(); });
$('#leave-button').addEventListener('click', () => { if (call) call.leave(); });
$('#copy-link').addEventListener('click', copyLink);
$('#file-button').addEventListener('click', () => $('#file-input').click());
$('#file-input').addEventListener('change', async (e) => {
  const input = /** @type {HTMLInputElement} */ (e.target);
  const file = input.files && input.files[0];
  input.value = '';
  if (file && call) {
    try { await call.sendFile(file); } catch (err) { view.toast(`Could not send ${file.name}: ${err.message || err}`, 'error'); }
  }
});
$('#chat-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = /** @type {HTMLInputElement} */ ($('#chat-input'));
  if (call && input.value.trim()) { call.sendChat(input.value); input.value = ''; }
});
$('#join-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const room = /** @type {HTMLInputElement} */ ($('#join-room')).value.trim();
  const name = /** @type {HTMLInputElement} */ ($('#join-name')).value.trim();
  if (!ROOM_RE.test(room)) { view.joinError('Room names use letters, digits and . _ : - (up to 128).'); $('#join-room').focus(); return; }
  if (!name) { view.joinError('Please enter your name.'); $('#join-name').focus(); return; }
  join(room, name);
});
view.addEventListener('audio-blocked', () => {
  view.notice('Your browser paused the sound of this call.', 'warn', { action: 'Enable sound', onAction: () => view.enableAudio() });
});

document.addEventListener('keydown', (e) => {
  if (!call || e.ctrlKey || e.metaKey || e.altKey) return;
  const t = /** @type {HTMLElement} */ (e.target);
  if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) {
    if (e.key === 'Escape' && view.chatOpen) { view.setChatOpen(false); $('#chat-button').focus(); }
    return;
  }
  const k = e.key.toLowerCase();
  if (k === 'm') toggleMic();
  else if (k === 'v') toggleCam();
  else if (k === 's') toggleScreen();
  else if (k === 'c') toggleChat();
  else if (e.key === 'Escape' && view.chatOpen) view.setChatOpen(false);
  else return;
  e.preventDefault();
});

window.addEventListener('pagehide', () => { if (call) call.pageHide(); });
window.addEventListener('online', () => { if (call && call.client.state === 'reconnecting') call.client.reconnectNow(); });

if ('serviceWorker' in navigator && window.isSecureContext) {
  navigator.serviceWorker.register('sw.js').catch(() => { /* the app works without it */ });
}

// ------------------------------------------------------------------ start

const params = new URLSearchParams(location.search);
const roomParam = (params.get('room') || '').trim();
const nameParam = (params.get('name') || '').trim();
let savedName = '';
try { savedName = localStorage.getItem(NAME_KEY) || ''; } catch { /* ignore */ }
showJoin(ROOM_RE.test(roomParam) ? roomParam : '', nameParam || savedName);
if (ROOM_RE.test(roomParam) && nameParam) {
  join(roomParam, nameParam.slice(0, 64));
} else {
  $(roomParam ? '#join-name' : '#join-room').focus();
}
