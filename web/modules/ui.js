// DOM rendering: tiles and the adaptive grid, chat and transfers, banners,
// notices and toasts. No call logic here; app.js wires it to the Call.

import { formatRate, quality } from './stats.js';

const $ = (sel, root = document) => /** @type {HTMLElement} */ (root.querySelector(sel));

/** @param {string} name @returns {string} up to two initials */
export function initials(name) {
  const parts = String(name || '?').trim().split(/\s+/).filter(Boolean);
  return ((parts[0] || '?')[0] + (parts.length > 1 ? parts[parts.length - 1][0] : '')).toUpperCase();
}

/** @param {number} n @returns {string} */
export function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/**
 * Column count and tile size that give the biggest tiles for n participants
 * in a W x H area (tiles keep a 16:9 shape).
 * @param {number} n @param {number} W @param {number} H @param {number} gap
 * @returns {{cols: number, w: number, h: number}}
 */
export function bestFit(n, W, H, gap, aspect = 16 / 9) {
  let best = { cols: 1, w: 0, h: 0 };
  for (let cols = 1; cols <= n; cols++) {
    const rows = Math.ceil(n / cols);
    let w = (W - gap * (cols - 1)) / cols;
    let h = (H - gap * (rows - 1)) / rows;
    if (w <= 0 || h <= 0) continue;
    if (w / h > aspect) w = h * aspect; else h = w / aspect;
    if (w * h > best.w * best.h) best = { cols, w: Math.floor(w), h: Math.floor(h) };
  }
  return best;
}

/**
 * Tile layout for n participants on a W x H stage: on wide stages tiles are
 * 16:9 or 4:3 (video is cropped to fill them), on tall (phone) stages square
 * or 3:4, whichever shape gives the biggest tiles. One tile takes the stage's
 * own shape within those bounds.
 * @param {number} n @param {number} W @param {number} H @param {number} gap
 * @returns {{cols: number, w: number, h: number}}
 */
export function fitTiles(n, W, H, gap) {
  const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));
  const portrait = W < H;
  if (n === 1) return bestFit(1, W, H, gap, portrait ? clamp(W / H, 0.56, 1) : clamp(W / H, 4 / 3, 16 / 9));
  const shapes = portrait
    ? (n === 2 ? [clamp(W / ((H - gap) / 2), 0.75, 16 / 9)] : [1, 3 / 4])
    : [16 / 9, 4 / 3];
  let best = { cols: 1, w: 0, h: 0 };
  for (const aspect of shapes) {
    const f = bestFit(n, W, H, gap, aspect);
    if (f.w * f.h > best.w * best.h) best = f;
  }
  return best;
}

export class CallView extends EventTarget {
  constructor() {
    super();
    this.grid = $('#grid');
    this.template = /** @type {HTMLTemplateElement} */ ($('#tile-template'));
    /** @type {Map<string, HTMLElement>} */ this.tiles = new Map();
    this.audioBlocked = false;
    new ResizeObserver(() => this.layout()).observe(this.grid);
  }

  // --------------------------------------------------------------- screens

  showJoin() {
    $('#call-screen').hidden = true;
    $('#join-screen').hidden = false;
    document.title = 'signalmesh';
  }

  /** @param {string} roomId */
  showCall(roomId) {
    $('#join-screen').hidden = true;
    $('#call-screen').hidden = false;
    $('#room-name').textContent = roomId;
    document.title = `${roomId} · signalmesh`;
  }

  /** @param {boolean} busy */
  joining(busy) {
    const b = /** @type {HTMLButtonElement} */ ($('#join-button'));
    b.disabled = busy;
    b.textContent = busy ? 'Joining…' : 'Join call';
  }

  /** @param {string|null} text */
  joinError(text) {
    const el = $('#join-error');
    el.hidden = !text;
    el.textContent = text || '';
  }

  // ----------------------------------------------------------------- tiles

  /**
   * @param {string} id @param {{name: string, self?: boolean}} o
   * @returns {HTMLElement}
   */
  addTile(id, o) {
    let tile = this.tiles.get(id);
    if (tile) return tile;
    tile = /** @type {HTMLElement} */ (this.template.content.firstElementChild.cloneNode(true));
    tile.dataset.peerId = id;
    const video = /** @type {HTMLVideoElement} */ ($('video', tile));
    // show the avatar, not a black box, until the first frame is there
    video.addEventListener('loadeddata', () => tile.classList.add('has-frames'));
    video.addEventListener('emptied', () => tile.classList.remove('has-frames'));
    if (o.self) {
      tile.classList.add('self');
      tile.dataset.testid = 'local-tile';
      $('video', tile).muted = true;
      $('.net', tile).remove();
    }
    this.tiles.set(id, tile);
    if (o.self) this.grid.prepend(tile); else this.grid.append(tile);
    this.updateTile(id, { name: o.name });
    this.layout();
    return tile;
  }

  /** @param {string} id */
  removeTile(id) {
    const tile = this.tiles.get(id);
    if (!tile) return;
    const v = /** @type {HTMLVideoElement} */ ($('video', tile));
    v.srcObject = null;
    tile.remove();
    this.tiles.delete(id);
    this.layout();
  }

  clearTiles() {
    for (const id of [...this.tiles.keys()]) this.removeTile(id);
  }

  /**
   * @param {string} id
   * @param {{name?: string, stream?: MediaStream|null, mic?: boolean, cam?: boolean, screen?: boolean,
   *          net?: {inKbps: number|null, outKbps: number|null, rttMs: number|null, relay: boolean|null, state: string}}} u
   */
  updateTile(id, u) {
    const tile = this.tiles.get(id);
    if (!tile) return;
    const self = tile.classList.contains('self');
    if (u.name !== undefined) {
      $('.tile-name', tile).textContent = self ? `${u.name} (you)` : u.name;
      $('.avatar span', tile).textContent = initials(u.name);
      tile.setAttribute('aria-label', self ? 'You' : u.name);
    }
    if (u.stream !== undefined) {
      const v = /** @type {HTMLVideoElement} */ ($('video', tile));
      if (v.srcObject !== u.stream) {
        v.srcObject = u.stream;
        if (!self && this.audioBlocked) v.muted = true;
      }
      if (u.stream) this._play(v, self);
    }
    if (u.mic !== undefined) tile.classList.toggle('muted', !u.mic);
    if (u.screen !== undefined) tile.classList.toggle('screen', !!u.screen);
    if (u.cam !== undefined || u.stream !== undefined) {
      const v = /** @type {HTMLVideoElement} */ ($('video', tile));
      const stream = /** @type {MediaStream|null} */ (v.srcObject);
      const hasVideo = !!stream && stream.getVideoTracks().some((t) => t.readyState === 'live');
      if (u.cam !== undefined) tile.dataset.cam = u.cam ? 'on' : 'off';
      tile.classList.toggle('no-video', !hasVideo || tile.dataset.cam === 'off');
    }
    if (u.net) this._renderNet(tile, u.net);
  }

  _renderNet(tile, net) {
    const el = $('.net', tile);
    if (!el) return;
    const q = quality({ connectionState: net.state, rttMs: net.rttMs });
    el.dataset.quality = q;
    let text;
    if (net.state !== 'connected') text = net.state === 'failed' ? 'reconnecting' : 'connecting';
    else {
      const bits = [];
      if (net.inKbps != null) bits.push(formatRate(net.inKbps));
      if (net.rttMs != null) bits.push(`${net.rttMs} ms`);
      if (net.relay != null) bits.push(net.relay ? 'relay' : 'direct');
      text = bits.join(' · ') || 'connected';
    }
    $('.net-text', el).textContent = text;
    el.title = (net.inKbps != null ? `Receiving ${formatRate(net.inKbps)}, sending ${formatRate(net.outKbps || 0)}` : 'Measuring…') +
      (net.rttMs != null ? `, round trip ${net.rttMs} ms` : '') +
      (net.relay != null ? (net.relay ? ', relayed through TURN' : ', direct peer-to-peer') : '');
  }

  /** @param {HTMLVideoElement} v @param {boolean} self */
  _play(v, self) {
    const p = v.play();
    if (!p) return;
    p.catch((err) => {
      if (self || err.name !== 'NotAllowedError') return;
      // Autoplay with sound was refused: play muted and offer to enable audio.
      v.muted = true;
      v.play().catch(() => {});
      if (!this.audioBlocked) {
        this.audioBlocked = true;
        this.dispatchEvent(new Event('audio-blocked'));
      }
    });
  }

  /** Unmutes remote tiles after a user gesture. */
  enableAudio() {
    this.audioBlocked = false;
    for (const tile of this.tiles.values()) {
      if (tile.classList.contains('self')) continue;
      const v = /** @type {HTMLVideoElement} */ ($('video', tile));
      v.muted = false;
      v.play().catch(() => {});
    }
  }

  /** Lays out the tiles to the largest size that fits. */
  layout() {
    const n = this.tiles.size;
    this.grid.dataset.count = String(n);
    if (!n) return;
    const style = getComputedStyle(this.grid);
    const gap = parseFloat(style.columnGap) || 8;
    const W = this.grid.clientWidth - (parseFloat(style.paddingLeft) || 0) - (parseFloat(style.paddingRight) || 0);
    const H = this.grid.clientHeight - (parseFloat(style.paddingTop) || 0) - (parseFloat(style.paddingBottom) || 0);
    const fit = fitTiles(n, W - 1, H - 1, gap);
    this.grid.style.setProperty('--cols', String(fit.cols));
    this.grid.style.setProperty('--tile-w', `${fit.w}px`);
    this.grid.style.setProperty('--tile-h', `${fit.h}px`);
  }

  /** @param {number} n */
  setCount(n) {
    const el = $('#participant-count');
    el.textContent = String(n);
    el.title = `${n} participant${n === 1 ? '' : 's'}`;
  }

  // -------------------------------------------------------------- controls

  /**
   * @param {{mic: boolean, cam: boolean, screen: boolean, hasMic: boolean, hasCam: boolean, canShare: boolean}} s
   */
  setControls(s) {
    const set = (id, pressed, disabled, label) => {
      const b = /** @type {HTMLButtonElement} */ ($(id));
      b.setAttribute('aria-pressed', String(pressed));
      b.disabled = disabled;
      b.setAttribute('aria-label', label);
    };
    set('#mic-button', s.mic, !s.hasMic, !s.hasMic ? 'No microphone' : s.mic ? 'Mute microphone' : 'Unmute microphone');
    set('#camera-button', s.cam, !s.hasCam, !s.hasCam ? 'No camera' : s.cam ? 'Turn camera off' : 'Turn camera on');
    set('#screen-button', s.screen, !s.canShare, s.screen ? 'Stop sharing screen' : 'Share screen');
    $('#screen-button .ctrl-label').textContent = s.screen ? 'Stop' : 'Share';
  }

  /** @param {boolean} open */
  setChatOpen(open) {
    $('#chat-panel').hidden = !open;
    $('#chat-button').setAttribute('aria-pressed', String(open));
    document.body.classList.toggle('chat-open', open);
    if (open) { this.setUnread(0); $('#chat-input').focus(); }
    requestAnimationFrame(() => this.layout());
  }

  get chatOpen() { return !$('#chat-panel').hidden; }

  /** @param {number} n */
  setUnread(n) {
    const b = $('#chat-badge');
    b.hidden = n === 0;
    b.textContent = n > 9 ? '9+' : String(n);
  }

  // ------------------------------------------------------------------ chat

  /** @param {import('./call.js').ChatEntry} e */
  addChat(e) {
    const li = document.createElement('li');
    li.className = `msg${e.self ? ' self' : ''}`;
    li.dataset.testid = 'chat-message';
    const head = document.createElement('div');
    head.className = 'msg-head';
    const who = document.createElement('strong');
    who.textContent = e.self ? 'You' : e.name;
    const when = document.createElement('time');
    when.dateTime = new Date(e.ts).toISOString();
    when.textContent = new Date(e.ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    head.append(who, when);
    const body = document.createElement('p');
    body.textContent = e.text;
    li.append(head, body);
    this._appendLog(li);
  }

  /**
   * @param {import('./call.js').Transfer} t
   * @param {string} peerName
   */
  renderTransfer(t, peerName) {
    let li = /** @type {HTMLElement|null} */ (document.querySelector(`[data-transfer-id="${CSS.escape(t.id)}"]`));
    if (!li) {
      li = document.createElement('li');
      li.className = `file ${t.direction}`;
      li.dataset.transferId = t.id;
      li.dataset.testid = t.direction === 'send' ? 'file-sent' : 'file-received';
      li.innerHTML = '<div class="file-head"><span class="file-icon" aria-hidden="true"></span><span class="file-name"></span></div>' +
        '<div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100"><div class="bar"></div></div>' +
        '<div class="file-meta"><span class="file-status"></span><a class="file-save" hidden>Save</a></div>';
      $('.file-name', li).textContent = t.name;
      this._appendLog(li);
    }
    const pct = t.size ? Math.min(100, Math.round((t.done / t.size) * 100)) : 100;
    const bar = $('.progress', li);
    bar.setAttribute('aria-valuenow', String(pct));
    bar.setAttribute('aria-label', `${t.name}: ${pct}%`);
    /** @type {HTMLElement} */ ($('.bar', li)).style.width = `${pct}%`;
    li.dataset.status = t.status;
    const size = formatBytes(t.size);
    const statusText = {
      active: t.direction === 'send' ? `Sending to ${peerName} · ${pct}% of ${size}` : `From ${peerName} · ${pct}% of ${size}`,
      verifying: 'Checking…',
      sent: `Sent to ${peerName} · ${size}`,
      delivered: `Delivered to ${peerName} · ${size} · verified`,
      ok: `From ${peerName} · ${size} · SHA-256 verified`,
      corrupt: t.direction === 'send' ? `${peerName} received a damaged copy` : `From ${peerName} · damaged (hash mismatch)`,
      failed: `Failed to send to ${peerName}`,
    }[t.status];
    $('.file-status', li).textContent = statusText;
    if (t.sha256) li.title = `SHA-256 ${t.sha256}`;
    const save = /** @type {HTMLAnchorElement} */ ($('.file-save', li));
    if (t.url && t.status === 'ok') {
      save.hidden = false;
      save.href = t.url;
      save.download = t.name;
    }
  }

  _appendLog(li) {
    const log = $('#chat-log');
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    log.append(li);
    if (atBottom) log.scrollTop = log.scrollHeight;
  }

  // ------------------------------------------------------- banners, toasts

  /** @param {'open'|'reconnecting'|string} state @param {number} [retryMs] */
  setSignaling(state, retryMs) {
    const banner = $('#reconnect-banner');
    banner.hidden = state !== 'reconnecting' && state !== 'connecting-lost';
    if (!banner.hidden) {
      $('#reconnect-text').textContent = retryMs && retryMs > 1500
        ? `Connection to the server lost. Reconnecting in ${Math.round(retryMs / 1000)} s…`
        : 'Connection to the server lost. Reconnecting…';
    }
  }

  /**
   * A notice that stays until dismissed (media fallback, room closed…).
   * @param {string} text @param {'info'|'warn'|'error'} [level]
   * @param {{action?: string, onAction?: () => void, testid?: string}} [o]
   */
  notice(text, level = 'info', o = {}) {
    const el = document.createElement('div');
    el.className = `banner banner-${level}`;
    el.setAttribute('role', level === 'error' ? 'alert' : 'status');
    if (o.testid) el.dataset.testid = o.testid;
    const span = document.createElement('span');
    span.textContent = text;
    el.append(span);
    if (o.action) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'btn btn-small';
      b.textContent = o.action;
      b.onclick = () => { el.remove(); o.onAction && o.onAction(); };
      el.append(b);
    }
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'btn btn-icon btn-ghost btn-small';
    close.setAttribute('aria-label', 'Dismiss');
    close.innerHTML = '<svg aria-hidden="true" viewBox="0 0 24 24"><path d="M6 6l12 12M18 6 6 18"/></svg>';
    close.onclick = () => el.remove();
    el.append(close);
    $('#notices').append(el);
    return el;
  }

  clearNotices() {
    $('#notices').replaceChildren();
  }

  /** @param {string} text @param {'info'|'warn'|'error'} [level] */
  toast(text, level = 'info') {
    const el = document.createElement('div');
    el.className = `toast toast-${level}`;
    el.textContent = text;
    $('#toasts').append(el);
    setTimeout(() => el.classList.add('out'), 3200);
    setTimeout(() => el.remove(), 3600);
  }
}
