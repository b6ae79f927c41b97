/**
 * danmaku-client.js: a browser client for the gateway's WebSocket protocol (subprotocol
 * danmaku.v1.json, canonical proto3 JSON). A plain ES module without dependencies; every gateway
 * serves it at /danmaku-client.js.
 *
 *   import { DanmakuClient } from 'https://live.example.com/danmaku-client.js';
 *   const client = new DanmakuClient({ room: 'lobby', token: async () => myToken });
 *   client.on('danmaku', (danmaku) => show(danmaku));
 *   client.connect();
 *   const ack = await client.send('hello', { color: 0xff0000, mode: 'TOP' });
 *
 * Options
 *   room     the room to join (required; 1-64 of A-Z a-z 0-9 . _ : -)
 *   url      the gateway's WebSocket (default: this page's gateway, /ws)
 *   token    a string, or a function ({refused}) → string | Promise<string>, asked before each connect
 *            (refused: the gateway refused the last one; another is needed); '' = anonymous, which joins
 *            read-only where the gateway allows anonymous viewers
 *
 * Events, client.on(name, listener) (returns a function that removes the listener)
 *   state     ({state, code, reason, delayMs}): 'connecting' | 'joined' | 'reconnecting' | 'closed' | 'failed';
 *             code and reason of the close that caused it; delayMs before the next attempt
 *   joined    ({roomId, user, canSend, online, reconnected})
 *   backlog   (danmaku[]): with each join, the room's recent danmaku not seen before (maybe none)
 *   danmaku   (danmaku): each live danmaku once, in order, never one seen before
 *   recall    (msgId), presence (online), notice ({level, text})
 *   ack       (ack, send): every answer to a send; send = {clientMsgId, text, options} when it is one of ours
 *   error     (error, send): every error frame; send when it answers one of ours
 *   retry     ({clientMsgId, attempt, delayMs}): a send answered `unavailable` goes again
 *
 * Methods
 *   connect()      opens the connection now, dropping one that is open (a new token, say); also after
 *                  close() or 'failed'
 *   join(room)     switches room on the same connection
 *   send(text, {color, mode, fontSize, videoOffsetMs}) → Promise of the ack {clientMsgId, msgId, verdict, reason};
 *                  a refusal is an ack with verdict REJECTED. Rejects with an Error whose `code` is 'not-joined',
 *                  'read-only', 'unavailable' (not answered after the retries), 'abandoned' (unanswered when
 *                  the connection dropped, and the room or user changed before the next), 'too-many-pending',
 *                  or the gateway's error code (with its message)
 *   close()        closes for good: no reconnects until connect()
 * Properties: state, room, user, canSend, online, lastClose ({code, reason})
 *
 * Behaviour: reconnects after 1, 2, 4 … 15 s (jittered; 4029 waits 5 s at least); rejoins after the
 * last danmaku seen (resumeAfter), so nothing is missed or shown twice; pings every 25 s and
 * reconnects when a ping goes unanswered; a send answered `unavailable` goes again after 1, 2, 4 and
 * 8 s with the same clientMsgId, marked as a retry, and so does a send a dropped connection left
 * unanswered, once the next connection has joined the same room as the same user: the filter
 * answers a retry of a send it judged with that verdict and never shows it twice. Close 4008 (the
 * gateway did not understand this client) and a refused token with no other to try are final.
 */

const PROTOCOL = 'danmaku.v1.json';
const BACKOFF_FIRST_MS = 1000;
const BACKOFF_MAX_MS = 15000;
const PING_EVERY_MS = 25000;
const SEND_RETRIES = 4;
const SEND_RETRY_FIRST_MS = 1000;
const MAX_PENDING = 100;
const SEEN_KEPT = 5000;
const FINAL_CLOSES = new Set([4008]);
const MIN_DELAY_MS = { 4029: 5000 };
const TOKEN_REFUSED = 4001;

export const ROOM_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Why a send was refused, in words for its sender, by the ack's reason. */
export const REFUSAL_TEXT = Object.freeze({
  BLOCKED_KEYWORD: 'contains a blocked word',
  RATE_LIMITED: 'sending too fast, wait a moment',
  SLOW_MODE: 'slow mode is on in this room',
  DUPLICATE: 'you just sent that',
  TOO_LONG: 'too long',
  MUTED: 'you are muted',
  NOT_ALLOWED: 'you may not send here',
  ROOM_BUSY: 'the room is too busy right now',
  NOT_JUDGED: 'this danmaku could not be checked',
});

/** The gateway's WebSocket for a page it served. */
export function gatewayUrl(location = globalThis.location) {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

function failure(code, message) {
  const error = new Error(message || code);
  error.code = code;
  return error;
}

export class DanmakuClient {
  constructor({ room, url, token = '' } = {}) {
    if (!ROOM_ID.test(room || '')) throw failure('bad-room', `not a room id: ${room}`);
    this.url = url || gatewayUrl();
    this.tokenSource = typeof token === 'function' ? token : () => token;
    this.room = room;
    this.state = 'closed';
    this.user = '';
    this.canSend = false;
    this.online = 0;
    this.lastClose = null;
    this.listeners = new Map();
    this.ws = null;
    this.token = '';
    this.tokenRefused = false;
    this.attempt = 0; // consecutive failed connects; a join resets it
    this.generation = 0; // bumped by every connect, so a slow token cannot open a second socket
    this.retryTimer = 0;
    this.pingTimer = 0;
    this.awaitingPong = false;
    this.lastMsgId = ''; // resumeAfter when rejoining the same room
    this.seen = new Set();
    this.pending = new Map(); // clientMsgId → {frame, text, options, retries, timer, room, user, resolve, reject}
    this.unconfirmed = []; // sends a dropped connection left unanswered
    this.seq = 0;
    this.pageId = Math.random().toString(36).slice(2, 10); // clientMsgIds unique to this client
  }

  on(name, listener) {
    if (!this.listeners.has(name)) this.listeners.set(name, new Set());
    this.listeners.get(name).add(listener);
    return () => this.listeners.get(name).delete(listener);
  }

  emit(name, ...args) {
    for (const listener of this.listeners.get(name) || []) {
      try {
        listener(...args);
      } catch (error) {
        setTimeout(() => { throw error; }); // a listener's bug must not break the connection
      }
    }
  }

  setState(state, detail = {}) {
    this.state = state;
    this.emit('state', { state, ...detail });
  }

  /** Opens the connection now, dropping one that is open (again after close() or failing): afresh. */
  connect() {
    this.attempt = 0;
    this.tokenRefused = false;
    return this.open();
  }

  async open() {
    const generation = ++this.generation;
    clearTimeout(this.retryTimer);
    this.dropSocket();
    this.setState(this.attempt === 0 ? 'connecting' : 'reconnecting');
    try {
      this.token = (await this.tokenSource({ refused: this.tokenRefused })) || '';
    } catch {
      this.token = '';
    }
    if (generation !== this.generation) return;
    if (this.tokenRefused && !this.token) {
      this.fail(TOKEN_REFUSED, 'the token was refused and there is no other');
      return;
    }
    const ws = new WebSocket(this.url, PROTOCOL);
    this.ws = ws;
    ws.onopen = () => this.sendJoin();
    ws.onmessage = (event) => this.onFrame(event.data);
    ws.onerror = () => { /* the close event that follows carries the code */ };
    ws.onclose = (event) => { if (this.ws === ws) this.lost(event.code, event.reason); };
  }

  join(room) {
    if (!ROOM_ID.test(room || '')) throw failure('bad-room', `not a room id: ${room}`);
    if (room === this.room) return;
    this.room = room;
    this.lastMsgId = '';
    this.seen.clear();
    this.online = 0;
    this.canSend = false;
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.sendJoin();
  }

  close() {
    this.generation++;
    clearTimeout(this.retryTimer);
    this.dropSocket();
    this.setState('closed');
  }

  send(text, { color, mode, fontSize, videoOffsetMs } = {}) {
    if (this.state !== 'joined') return Promise.reject(failure('not-joined', 'not in a room yet'));
    if (!this.canSend) return Promise.reject(failure('read-only', 'joined read-only: sending needs a token'));
    const clientMsgId = `${this.pageId}-${++this.seq}`;
    const frame = { clientMsgId, text };
    if (color !== undefined) frame.color = color;
    if (mode !== undefined) frame.mode = mode;
    if (fontSize !== undefined) frame.fontSize = fontSize;
    if (videoOffsetMs !== undefined) frame.videoOffsetMs = String(Math.round(videoOffsetMs));
    return new Promise((resolve, reject) => {
      const sent = { frame, text, options: { color, mode, fontSize, videoOffsetMs }, retries: 0, timer: 0,
        room: this.room, user: this.user, resolve, reject };
      this.pending.set(clientMsgId, sent);
      if (this.pending.size > MAX_PENDING) {
        const [oldest] = this.pending.keys();
        this.forget(oldest)?.reject(failure('too-many-pending', `more than ${MAX_PENDING} sends unanswered`));
      }
      this.sendFrame({ send: frame });
    });
  }

  // ------------------------------------------------------------ connection

  dropSocket() {
    this.stopPing();
    for (const sent of this.pending.values()) {
      clearTimeout(sent.timer);
      this.unconfirmed.push(sent);
    }
    this.pending.clear();
    const ws = this.ws;
    this.ws = null;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = null;
    if (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN) ws.close(1000);
  }

  lost(code, reason) {
    this.dropSocket();
    this.lastClose = { code, reason };
    if (FINAL_CLOSES.has(code)) {
      this.fail(code, reason);
      return;
    }
    if (code === TOKEN_REFUSED) this.tokenRefused = true;
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.attempt);
    const delayMs = Math.min(BACKOFF_MAX_MS, Math.max(MIN_DELAY_MS[code] || 0, base * (1 + Math.random() * 0.1)));
    this.attempt++;
    this.setState('reconnecting', { code, reason, delayMs });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.open(), delayMs);
  }

  fail(code, reason) {
    this.generation++;
    this.dropSocket();
    for (const sent of this.unconfirmed) sent.reject(failure('unavailable', 'the connection was given up'));
    this.unconfirmed = [];
    this.setState('failed', { code, reason });
  }

  sendFrame(frame) {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  sendJoin() {
    const join = { roomId: this.room };
    if (this.token) join.token = this.token;
    if (this.lastMsgId) join.resumeAfter = this.lastMsgId;
    this.sendFrame({ join });
  }

  startPing() {
    this.stopPing();
    this.pingTimer = setInterval(() => {
      if (this.awaitingPong) {
        this.lost(1006, 'no answer to ping');
        return;
      }
      this.awaitingPong = true;
      this.sendFrame({ ping: { nonce: String(Date.now()) } });
    }, PING_EVERY_MS);
  }

  stopPing() {
    clearInterval(this.pingTimer);
    this.awaitingPong = false;
  }

  // ------------------------------------------------------------ server frames

  onFrame(data) {
    this.awaitingPong = false; // anything arriving proves the connection alive
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return; // not JSON: nothing to act on
    }
    for (const [key, body] of Object.entries(frame || {})) {
      const handler = FRAMES[key];
      if (handler) handler.call(this, body || {});
    }
  }

  onJoined(joined) {
    const reconnected = this.attempt > 0;
    this.attempt = 0;
    this.tokenRefused = false;
    this.user = joined.user || '';
    this.canSend = Boolean(joined.canSend);
    this.online = Number(joined.online) || 0;
    this.setState('joined');
    this.emit('joined', { roomId: joined.roomId, user: this.user, canSend: this.canSend, online: this.online, reconnected });
    this.emit('backlog', this.fresh(joined.recent || []));
    this.startPing();
    this.resendUnconfirmed();
  }

  /** The danmaku of this room not seen before; remembers them, and the newest msgId for resumeAfter. */
  fresh(list) {
    const ours = list.filter((d) => d && d.msgId && (!d.roomId || d.roomId === this.room));
    const fresh = ours.filter((d) => !this.seen.has(d.msgId));
    for (const d of fresh) this.seen.add(d.msgId);
    if (ours.length) this.lastMsgId = ours[ours.length - 1].msgId;
    if (this.seen.size > SEEN_KEPT) this.seen = new Set([...this.seen].slice(-SEEN_KEPT / 2));
    return fresh;
  }

  forget(clientMsgId) {
    const sent = this.pending.get(clientMsgId);
    if (sent) clearTimeout(sent.timer);
    this.pending.delete(clientMsgId);
    return sent;
  }

  /** What a dropped connection left unanswered goes again, as a retry, once the next one has joined. */
  resendUnconfirmed() {
    const again = this.unconfirmed;
    this.unconfirmed = [];
    for (const sent of again) {
      if (sent.room !== this.room || sent.user !== this.user) {
        sent.reject(failure('abandoned', 'the connection dropped before an answer, and the room or user changed since'));
        continue;
      }
      sent.frame.retry = true;
      sent.retries = 0;
      this.pending.set(sent.frame.clientMsgId, sent);
      this.sendFrame({ send: sent.frame });
    }
  }

  onAck(ack) {
    const sent = this.forget(ack.clientMsgId);
    this.emit('ack', ack, sent && { clientMsgId: ack.clientMsgId, text: sent.text, options: sent.options });
    if (sent) sent.resolve(ack);
  }

  onError(error) {
    const sent = error.clientMsgId ? this.pending.get(error.clientMsgId) : undefined;
    this.emit('error', error, sent && { clientMsgId: error.clientMsgId, text: sent.text, options: sent.options });
    if (!sent) return;
    if (error.code === 'unavailable' && sent.retries < SEND_RETRIES) {
      const delayMs = SEND_RETRY_FIRST_MS * 2 ** sent.retries;
      sent.retries++;
      sent.frame.retry = true;
      this.emit('retry', { clientMsgId: error.clientMsgId, attempt: sent.retries, delayMs });
      sent.timer = setTimeout(() => this.sendFrame({ send: sent.frame }), delayMs);
      return;
    }
    this.forget(error.clientMsgId);
    sent.reject(failure(error.code || 'error', error.message || error.code));
  }
}

const FRAMES = {
  joined(joined) { this.onJoined(joined); },
  batch(batch) { for (const danmaku of this.fresh(batch.danmaku || [])) this.emit('danmaku', danmaku); },
  ack(ack) { this.onAck(ack); },
  error(error) { this.onError(error); },
  recall(recall) { if (!recall.roomId || recall.roomId === this.room) this.emit('recall', recall.msgId); },
  presence(presence) {
    if (presence.roomId && presence.roomId !== this.room) return;
    this.online = Number(presence.online) || 0;
    this.emit('presence', this.online);
  },
  notice(notice) { this.emit('notice', notice); },
  pong() { this.awaitingPong = false; },
};
