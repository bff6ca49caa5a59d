// Test doubles for the client library: a scriptable WebSocket and a manual clock.

/** A WebSocket double. Each instance is recorded in `FakeWebSocket.instances`. */
export class FakeWebSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  /** @type {FakeWebSocket[]} */
  static instances = [];

  static reset() { FakeWebSocket.instances = []; }
  /** @returns {FakeWebSocket} the most recent socket */
  static last() { return FakeWebSocket.instances[FakeWebSocket.instances.length - 1]; }

  constructor(url) {
    this.url = url;
    this.readyState = FakeWebSocket.CONNECTING;
    /** frames the client sent, parsed */
    this.sent = [];
    this.closedByClient = null;
    this.onopen = this.onmessage = this.onclose = this.onerror = null;
    FakeWebSocket.instances.push(this);
  }

  send(data) {
    if (this.readyState !== FakeWebSocket.OPEN) throw new Error('InvalidStateError: not open');
    this.sent.push(JSON.parse(data));
  }

  close(code = 1000, reason = '') {
    this.closedByClient = { code, reason };
    this.readyState = FakeWebSocket.CLOSED;
  }

  // ---- server side ----
  /** Opens the socket and sends the `connected` handshake. */
  accept(connected) {
    this.readyState = FakeWebSocket.OPEN;
    this.onopen && this.onopen({});
    if (connected) this.serverSend({ type: 'connected', protocol: 1, iceServers: [], ...connected });
  }
  serverSend(msg) {
    this.onmessage && this.onmessage({ data: typeof msg === 'string' ? msg : JSON.stringify(msg) });
  }
  serverClose(code = 1006, reason = '') {
    this.readyState = FakeWebSocket.CLOSED;
    this.onclose && this.onclose({ code, reason, wasClean: code !== 1006 });
  }
  /** @param {string} type @returns {any[]} sent frames of that type */
  sentOfType(type) { return this.sent.filter((m) => m.type === type); }
}

/** A manual clock implementing the library's Scheduler interface. */
export class FakeClock {
  constructor() {
    this.now = 0;
    this._seq = 0;
    /** @type {Map<number, {at: number, fn: Function, ms: number}>} */
    this.timers = new Map();
  }
  setTimeout(fn, ms) {
    const id = ++this._seq;
    this.timers.set(id, { at: this.now + ms, fn, ms });
    return id;
  }
  clearTimeout(id) { this.timers.delete(id); }
  /** @returns {number[]} delays (ms) of the pending timers, in creation order */
  pendingDelays() { return [...this.timers.values()].map((t) => t.ms); }
  /** Advances time, running every timer that falls due (in due order). */
  advance(ms) {
    const end = this.now + ms;
    for (;;) {
      let next = null;
      for (const [id, t] of this.timers) {
        if (t.at <= end && (!next || t.at < next[1].at)) next = [id, t];
      }
      if (!next) break;
      this.timers.delete(next[0]);
      this.now = next[1].at;
      next[1].fn();
    }
    this.now = end;
  }
}
