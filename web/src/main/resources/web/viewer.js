/*
 * danmaku viewer: a plain ES module, no build step, no network access beyond this gateway.
 *
 * URL parameters
 *   ?room=<id>        room to join (default "lobby")
 *   ?video=<url>      play this http(s) video on the stage; without it an animated test pattern is drawn
 *   ?name=<name>      viewer name for the dev token (default: the remembered one, else viewer-xxxx)
 *   ?mode=TOP|BOTTOM  initial danmaku mode (default SCROLL)
 *   ?autosend=<text>  test hook: send <text> once, right after the first join that is allowed to send
 *
 * State for browser tests, kept current in window.danmakuViewer:
 *   state     'connecting' | 'connected' | 'reconnecting' | 'read-only' | 'disconnected'
 *             ('read-only' = joined without the right to send; 'disconnected' = gave up, press Join)
 *   joined    true while joined to a room
 *   canSend, room, user, online
 *   rendered  [{msgId, text}] of every danmaku put on screen, oldest first (the last 1000);
 *             blocked, hidden-away and recalled danmaku never appear here
 *   recalled  [msgId] recalled by moderators
 *   lastAck, lastError, lastClose   the last ack / error frame / socket close ({code, reason})
 *   sendRetries  sends made again after an `unavailable` answer (same clientMsgId)
 *   settings  {opacity, density, speed, fontScale, hidden}: the overlay's current display settings
 *   blocked   {words: [...], users: [...], types: [SCROLL|TOP|BOTTOM|COLOR...]}: this browser's block lists
 *   overlay   the overlay.js object (stats(), settings(), pause(), ...)
 * Overlay items are .danmaku-item elements carrying data-msg-id (see overlay.js).
 *
 * Saved in localStorage: danmaku.viewer.name, .color, .settings (JSON) and .blocked (JSON).
 * Keyboard: Enter sends; outside text fields D toggles danmaku and F full screen; the panels are <details>.
 *
 * Protocol: danmaku-client.js (WebSocket /ws, subprotocol danmaku.v1.json): joins, resumes, retries.
 */

import { DanmakuClient, REFUSAL_TEXT, ROOM_ID } from './danmaku-client.js';
import { createOverlay } from './overlay.js';

const MAX_TEXT = 100; // code points; the gateway's default limit
const NAME_KEY = 'danmaku.viewer.name';
const COLOR_KEY = 'danmaku.viewer.color';
const SETTINGS_KEY = 'danmaku.viewer.settings';
const BLOCKED_KEY = 'danmaku.viewer.blocked';

const RECENT_SHOWN = 10; // of the backlog in `joined`, only this many are replayed
const RECENT_STAGGER_MS = 400;
const LISTED = 50; // rows in the recent comments list
const LIST_EVERY_MS = 500;

const TOKEN_REFUSED = 4001;
// what a close means to a viewer; danmaku-client.js decides what to do about it
const CLOSE_TEXT = {
  1000: 'The server closed the connection.',
  1001: 'The server is restarting.',
  1006: 'Connection lost.',
  [TOKEN_REFUSED]: 'The sign-in token was refused; getting a new one.',
  4008: 'Protocol violation: the server did not understand this page. Reload to try again.',
  4009: 'The connection was too slow to keep up with the room.',
  4029: 'Too many connections from this address.',
};

// Refusals where sending the same text again later can work: give the text back.
const RETRYABLE = new Set(['RATE_LIMITED', 'SLOW_MODE', 'ROOM_BUSY']);

const STATUS_TEXT = {
  connecting: 'connecting…',
  connected: 'connected',
  reconnecting: 'reconnecting…',
  'read-only': 'read-only',
  disconnected: 'disconnected',
};

const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);
const ui = {
  stage: $('stage'), pattern: $('pattern'), video: $('video'), overlay: $('overlay'),
  joinForm: $('join-form'), name: $('name'), room: $('room'), join: $('join'),
  sendForm: $('send-form'), text: $('text'), counter: $('counter'), color: $('color'), size: $('size'), mode: $('mode'),
  send: $('send'), toggle: $('toggle-danmaku'),
  status: $('status'), online: $('online'), message: $('message'),
  settingsForm: $('settings-form'),
  opacity: $('opacity'), density: $('density'), speed: $('speed'), fontScale: $('font-scale'),
  opacityValue: $('opacity-value'), densityValue: $('density-value'), speedValue: $('speed-value'),
  fontScaleValue: $('font-scale-value'),
  blockForm: $('block-form'), blockEntry: $('block-entry'), blockKind: $('block-kind'), blockCount: $('block-count'),
  words: $('blocked-words'), users: $('blocked-users'),
  listPanel: $('list-panel'), recentList: $('recent-list'),
  types: document.querySelectorAll('input[name="block-type"]'), fullscreen: $('fullscreen'),
};

const view = {
  state: 'connecting', joined: false, canSend: false, room: '', user: '', online: 0,
  rendered: [], recalled: [], lastAck: null, lastError: null, lastClose: null, sendRetries: 0,
  settings: null, blocked: { words: [], users: [], types: [] }, overlay: null,
};
window.danmakuViewer = view;

// ---------------------------------------------------------------- small helpers

const storage = {
  get(key) {
    try { return localStorage.getItem(key); } catch { return null; } // storage may be blocked
  },
  set(key, value) {
    try { localStorage.setItem(key, value); } catch { /* not remembered, that is all */ }
  },
};

const codePoints = (text) => [...text].length;

/** `about` tags what the message concerns, so a later event can clear only what it makes stale. */
function showMessage(text, kind = 'info', about = '') {
  ui.message.textContent = text;
  ui.message.dataset.kind = kind;
  ui.message.dataset.about = about;
}

function setState(state) {
  view.state = state;
  ui.status.dataset.state = state;
  ui.status.textContent = STATUS_TEXT[state];
  updateControls();
}

function setOnline(online) {
  view.online = Number(online) || 0;
  ui.online.textContent = String(view.online);
}

// ---------------------------------------------------------------- stage: video or test pattern

function setUpStage() {
  const url = videoUrl(params.get('video'));
  if (!url) {
    startTestPattern(ui.pattern);
    return;
  }
  ui.video.src = url;
  ui.video.hidden = false;
  ui.pattern.hidden = true;
  ui.video.addEventListener('error', () => {
    showMessage('The video could not be played; showing a test pattern instead.', 'warn');
    ui.video.hidden = true;
    ui.pattern.hidden = false;
    startTestPattern(ui.pattern);
  }, { once: true });
  ui.video.play().catch(() => { /* autoplay refused: the controls are there */ });
}

/** Only http(s) sources: a media src cannot run script, but other schemes are never what a viewer wants. */
function videoUrl(raw) {
  if (!raw) return '';
  try {
    const url = new URL(raw, location.href);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : '';
  } catch {
    return '';
  }
}

const BARS = ['#c0c0c0', '#c0c000', '#00c0c0', '#00c000', '#c000c0', '#c00000', '#0000c0'];

/** Moving colour bars, a sweeping ball and a clock, so a frozen stage is obvious. */
function startTestPattern(canvas) {
  const ctx = canvas.getContext('2d');
  const frame = (now) => {
    if (canvas.hidden) return;
    fitCanvas(canvas);
    drawPattern(ctx, canvas.width, canvas.height, now);
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

function fitCanvas(canvas) {
  const dpr = Math.min(window.devicePixelRatio || 1, 2);
  const width = Math.round(stageSize.width * dpr);
  const height = Math.round(stageSize.height * dpr);
  if (width && height && (canvas.width !== width || canvas.height !== height)) {
    canvas.width = width;
    canvas.height = height;
  }
}

function drawPattern(ctx, w, h, now) {
  const barsH = h * 0.72;
  const barW = w / BARS.length;
  const shift = (now * 0.04 * (w / 1000)) % w; // one full cycle every 25 s whatever the size
  BARS.forEach((colour, i) => {
    const x = (i * barW + shift) % w;
    ctx.fillStyle = colour;
    ctx.fillRect(x, 0, barW + 1, barsH);
    ctx.fillRect(x - w, 0, barW + 1, barsH); // the part that wrapped around
  });

  const gradient = ctx.createLinearGradient(0, 0, w, 0);
  gradient.addColorStop(0, '#000');
  gradient.addColorStop(1, '#fff');
  ctx.fillStyle = gradient;
  ctx.fillRect(0, barsH, w, h * 0.14);
  ctx.fillStyle = '#11131a';
  ctx.fillRect(0, h * 0.86, w, h * 0.14);

  const phase = (now / 2000) % 2; // ball sweeps the bottom strip back and forth
  const ballX = (phase < 1 ? phase : 2 - phase) * (w - h * 0.1) + h * 0.05;
  ctx.fillStyle = '#4da3ff';
  ctx.beginPath();
  ctx.arc(ballX, h * 0.93, h * 0.04, 0, Math.PI * 2);
  ctx.fill();

  drawClock(ctx, w, h);
}

function drawClock(ctx, w, h) {
  const time = new Date();
  const tenths = Math.floor(time.getMilliseconds() / 100);
  const label = `${time.toLocaleTimeString('en-GB', { hour12: false })}.${tenths}`;
  const size = Math.round(h * 0.11);
  ctx.font = `700 ${size}px ui-monospace, Menlo, Consolas, monospace`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  const boxW = ctx.measureText(label).width + size;
  ctx.fillStyle = 'rgba(0, 0, 0, 0.72)';
  ctx.fillRect((w - boxW) / 2, h * 0.36 - size * 0.75, boxW, size * 1.5);
  ctx.fillStyle = '#fff';
  ctx.fillText(label, w / 2, h * 0.36);
  ctx.font = `${Math.round(size * 0.35)}px system-ui, sans-serif`;
  ctx.fillText('TEST PATTERN · no ?video= given', w / 2, h * 0.36 + size * 0.95);
}

// The test pattern's canvas follows the stage size, observed rather than read every frame.
const stageSize = { width: 0, height: 0 };
function watchStageSize() {
  const rect = ui.stage.getBoundingClientRect();
  stageSize.width = rect.width;
  stageSize.height = rect.height;
  new ResizeObserver(([entry]) => {
    stageSize.width = entry.contentRect.width;
    stageSize.height = entry.contentRect.height;
  }).observe(ui.stage);
}

// ---------------------------------------------------------------- danmaku overlay (overlay.js)

/** Replays a room's backlog gently: only the last few, one after another; a room switch cancels the rest. */
const backlog = { generation: 0 };
function replayBacklog(list) {
  const current = ++backlog.generation;
  list.slice(-RECENT_SHOWN).forEach((danmaku, i) => {
    setTimeout(() => { if (current === backlog.generation) showDanmaku(danmaku); }, i * RECENT_STAGGER_MS);
  });
}

function showDanmaku(danmaku) {
  overlay.add(danmaku, { own: Boolean(view.user) && danmaku.userId === view.user });
}

function clearOverlay() {
  backlog.generation++;
  overlay.clear();
}

// ---------------------------------------------------------------- identity

const auth = { token: '', name: '', anonymous: false, needed: true };

function initialName() {
  const stored = params.get('name') || storage.get(NAME_KEY);
  return (stored || `viewer-${Math.random().toString(16).slice(2, 6)}`).slice(0, 64);
}

/** The token's user id allows fewer characters than a display name. */
function userIdFor(name) {
  return name.replace(/[^A-Za-z0-9._@-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64) || 'viewer';
}

/**
 * Asks the dev endpoint for a token. A refusal (404 outside dev mode, 400, ...) means anonymous,
 * read-only viewing; a network failure leaves `needed` set so the next connect asks again.
 */
async function refreshToken() {
  const name = ui.name.value.trim() || initialName();
  const query = new URLSearchParams({ user: userIdFor(name), name });
  try {
    const response = await fetch(`/api/v1/dev/token?${query}`, { cache: 'no-store' });
    const body = response.ok ? await response.json() : {};
    auth.token = typeof body.token === 'string' ? body.token : '';
    auth.anonymous = !auth.token;
    auth.needed = false;
  } catch {
    auth.token = '';
    auth.anonymous = true;
  }
  auth.name = name;
}

// ---------------------------------------------------------------- connection (danmaku-client.js)

let client = null; // made at start, for the first room

function startClient(room) {
  client = new DanmakuClient({
    room,
    token: async ({ refused }) => {
      if (refused || auth.needed) await refreshToken();
      return auth.token;
    },
  });
  client.on('state', onClientState);
  client.on('joined', onJoined);
  client.on('backlog', replayBacklog);
  client.on('danmaku', showDanmaku);
  client.on('recall', (msgId) => {
    view.recalled.push(msgId);
    overlay.recall(msgId);
  });
  client.on('presence', setOnline);
  client.on('notice', (notice) => showMessage(notice.text || '', notice.level === 'WARNING' ? 'warn' : 'info'));
  client.on('ack', (ack) => { view.lastAck = ack; });
  client.on('error', (error, send) => {
    view.lastError = error;
    if (!send) showMessage(errorText(error), 'error', error.clientMsgId ? 'send' : '');
  });
  client.on('retry', ({ delayMs }) => {
    view.sendRetries++;
    showMessage(`Not answered yet; sending again in ${Math.round(delayMs / 1000)} s…`, 'warn', 'send');
  });
  client.connect();
}

function closeText(code, reason) {
  return CLOSE_TEXT[code] || `Connection closed (${code}${reason ? `: ${reason}` : ''}).`;
}

function onClientState({ state, code, reason, delayMs }) {
  if (state !== 'joined') view.joined = false;
  if (code !== undefined) view.lastClose = { code, reason };
  if (code === TOKEN_REFUSED) auth.needed = true;
  switch (state) {
    case 'connecting':
    case 'reconnecting':
      setState(state);
      if (delayMs !== undefined) {
        showMessage(`${closeText(code, reason)} Reconnecting in ${Math.round(delayMs / 1000)} s…`, 'warn', 'connection');
      }
      break;
    case 'failed':
      setState('disconnected');
      showMessage(`${code === TOKEN_REFUSED && !auth.token
        ? 'This server does not admit anonymous viewers, and no sign-in token is available.'
        : closeText(code, reason)} Press Join to try again.`, 'error', 'connection');
      break;
    default:
      updateControls(); // 'joined' is taken care of by onJoined, 'closed' by whoever closed
  }
}

function onJoined({ roomId, user, canSend, online, reconnected }) {
  Object.assign(view, { joined: true, room: roomId, user, canSend });
  setOnline(online);
  setState(canSend ? 'connected' : 'read-only');
  if (!canSend) showMessage('Watching read-only: sending needs a sign-in token.', 'info', 'connection');
  else if (reconnected) showMessage('Reconnected.', 'ok', 'connection');
  else if (ui.message.dataset.about === 'connection') showMessage('');
  autosendOnce();
}

function errorText(error) {
  return `Error: ${error.message || error.code}${error.code ? ` [${error.code}]` : ''}`;
}

function onAck(ack, text) {
  if (ack.verdict === 'REJECTED') {
    const why = ack.reason === 'TOO_LONG' ? `at most ${MAX_TEXT} characters` : REFUSAL_TEXT[ack.reason];
    showMessage(`Refused: ${ack.reason}${why ? ` (${why})` : ''}`, 'error', 'send');
    if (RETRYABLE.has(ack.reason) && !ui.text.value) {
      ui.text.value = text;
      updateControls();
    }
  } else if (ack.verdict === 'MASKED') {
    showMessage('Sent, with some words masked.', 'warn');
  } else if (ui.message.dataset.about === 'send') {
    showMessage(''); // an old refusal no longer applies
  }
}

function onSendFailed(error, text) {
  if (error.code === 'unavailable') {
    if (!ui.text.value) {
      ui.text.value = text;
      updateControls();
    }
    showMessage('Not sent: the server is not answering. Your text is back in the box; try again in a moment.',
      'error', 'send');
    return;
  }
  showMessage(errorText(error), 'error', 'send');
}

// ---------------------------------------------------------------- controls

/** `<input type=color>` gives #rrggbb. 0 would mean "white" to the gateway, so pure black is sent as 1. */
function colorValue() {
  return parseInt(ui.color.value.slice(1), 16) || 1;
}

function sendDanmaku() {
  const text = ui.text.value.trim();
  if (!text || !view.joined || !view.canSend) return false;
  if (codePoints(text) > MAX_TEXT) {
    showMessage(`Too long: at most ${MAX_TEXT} characters.`, 'error', 'send');
    return false;
  }
  const options = { color: colorValue(), mode: ui.mode.value, fontSize: Number(ui.size.value) || 0 };
  if (!ui.video.hidden && ui.video.currentTime > 0) options.videoOffsetMs = ui.video.currentTime * 1000;
  client.send(text, options).then((ack) => onAck(ack, text), (error) => onSendFailed(error, text));
  ui.text.value = '';
  updateControls();
  return true;
}

let autosent = false;
function autosendOnce() {
  const text = params.get('autosend');
  if (!text || autosent || !view.canSend) return;
  autosent = true;
  ui.text.value = text;
  sendDanmaku();
}

function updateControls() {
  const length = codePoints(ui.text.value);
  ui.counter.textContent = `${length}/${MAX_TEXT}`;
  ui.counter.classList.toggle('over', length > MAX_TEXT);
  const readOnly = view.state === 'read-only';
  ui.text.disabled = ui.color.disabled = ui.size.disabled = ui.mode.disabled = readOnly;
  ui.text.placeholder = readOnly ? 'Read-only: sign in to send' : 'Say something…';
  // Empty text is simply ignored on send; the button is only off when sending cannot work at all.
  ui.send.disabled = !(view.joined && view.canSend);
}

/** Join: a new name needs a new token and so a new connection; a new room only a join frame. */
function joinFromForm() {
  const room = ui.room.value.trim();
  const name = ui.name.value.trim();
  if (!ROOM_ID.test(room)) {
    showMessage('Room id: 1-64 letters, digits or . _ : -', 'error');
    ui.room.focus();
    return;
  }
  if (!name) {
    ui.name.focus();
    return;
  }
  storage.set(NAME_KEY, name);
  rememberRoomInUrl(room);
  const sameRoom = room === client.room;
  if (!sameRoom) enterRoom(room); // joined: the client joins the new room on the same connection
  if (name !== auth.name) {
    auth.needed = true; // a new name needs a new token, and so a new connection
    client.connect();
  } else if (client.state !== 'joined') {
    client.connect();
  }
}

function enterRoom(room) {
  client.join(room);
  clearOverlay();
  view.joined = false;
  setOnline(0);
  updateControls();
}

function rememberRoomInUrl(room) {
  const url = new URL(location.href);
  url.searchParams.set('room', room);
  history.replaceState(null, '', url);
}

function wireControls() {
  ui.joinForm.addEventListener('submit', (event) => {
    event.preventDefault();
    joinFromForm();
  });
  ui.sendForm.addEventListener('submit', (event) => {
    event.preventDefault(); // Enter in the text box lands here too
    sendDanmaku();
  });
  ui.text.addEventListener('input', updateControls);
  ui.color.addEventListener('change', () => storage.set(COLOR_KEY, ui.color.value));
  // Leaving the page: no reconnect attempts from a page that is going away.
  window.addEventListener('pagehide', () => client.close());
  window.addEventListener('pageshow', (event) => { if (event.persisted) client.connect(); });
}

function initialRoom() {
  const room = params.get('room');
  if (room && !ROOM_ID.test(room)) showMessage(`"${room}" is not a valid room id; joined lobby instead.`, 'warn');
  return room && ROOM_ID.test(room) ? room : 'lobby';
}

function initialControls() {
  ui.name.value = initialName();
  ui.room.value = initialRoom();
  const mode = (params.get('mode') || '').toUpperCase();
  if (['SCROLL', 'TOP', 'BOTTOM'].includes(mode)) ui.mode.value = mode;
  const color = storage.get(COLOR_KEY);
  if (color && /^#[0-9a-f]{6}$/i.test(color)) ui.color.value = color;
  storage.set(NAME_KEY, ui.name.value);
}

// ---------------------------------------------------------------- display settings and blocking

/** The sliders speak percent where people think in percent; the overlay takes fractions. */
const percent = { toOverlay: (value) => value / 100, fromOverlay: (value) => Math.round(value * 100), label: (value) => `${value}%` };
const SLIDERS = {
  opacity: percent,
  density: percent,
  speed: { toOverlay: Number, fromOverlay: (value) => value, label: (value) => `${value}×` },
  fontScale: percent,
};

function loadJson(key) {
  try {
    const value = JSON.parse(storage.get(key) || 'null');
    return value && typeof value === 'object' ? value : {};
  } catch {
    return {};
  }
}

/** Changes the overlay's settings, remembers them, and shows them in the panel and the toggle. */
function applySettings(partial) {
  view.settings = overlay.settings(partial);
  storage.set(SETTINGS_KEY, JSON.stringify(view.settings));
  for (const [key, slider] of Object.entries(SLIDERS)) {
    const value = slider.fromOverlay(view.settings[key]);
    if (document.activeElement !== ui[key]) ui[key].value = String(value); // not under a dragging finger
    ui[`${key}Value`].textContent = slider.label(value);
  }
  ui.toggle.setAttribute('aria-pressed', String(!view.settings.hidden));
}

const toggleDanmaku = () => applySettings({ hidden: !view.settings.hidden });

/** Trimmed, at most 100 entries of 100 characters, no duplicates ignoring case. */
function cleanList(list) {
  const seen = new Set();
  return (Array.isArray(list) ? list : []).map((entry) => String(entry).trim().slice(0, 100))
    .filter((entry) => entry && !seen.has(entry.toLowerCase()) && seen.add(entry.toLowerCase()))
    .slice(0, 100);
}

const TYPES = ['SCROLL', 'TOP', 'BOTTOM', 'COLOR'];

function applyBlocked(next) {
  view.blocked = {
    words: cleanList(next.words),
    users: cleanList(next.users),
    types: cleanList(next.types).filter((type) => TYPES.includes(type)),
  };
  overlay.blockWords(view.blocked.words);
  overlay.blockUsers(view.blocked.users);
  overlay.blockTypes(view.blocked.types);
  showBlocked();
}

function changeBlocked(kind, list) {
  applyBlocked({ ...view.blocked, [kind]: list });
  storage.set(BLOCKED_KEY, JSON.stringify(view.blocked));
}

const block = (kind, entry) => changeBlocked(kind, [...view.blocked[kind], entry]);
const unblock = (kind, entry) => changeBlocked(kind, view.blocked[kind].filter((e) => e !== entry));

function showBlocked() {
  for (const kind of ['words', 'users']) {
    const entries = view.blocked[kind];
    ui[kind].replaceChildren(...entries.map((entry) => blockedChip(kind, entry)));
    if (!entries.length) ui[kind].append(Object.assign(document.createElement('li'), { className: 'none', textContent: 'none' }));
  }
  for (const box of ui.types) box.checked = view.blocked.types.includes(box.value);
  ui.blockCount.textContent = String(view.blocked.words.length + view.blocked.users.length + view.blocked.types.length);
}

function blockedChip(kind, entry) {
  const item = document.createElement('li');
  const label = document.createElement('span');
  label.textContent = entry; // a blocked word is still text a viewer typed
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'unblock';
  button.textContent = '×';
  button.dataset.kind = kind;
  button.dataset.entry = entry;
  button.setAttribute('aria-label', `Unblock ${kind === 'words' ? 'word' : 'user'} ${entry}`);
  item.append(label, button);
  return item;
}

/** Removing a chip keeps keyboard focus in the list (the next chip), or returns it to the entry box. */
function onUnblockClick(event) {
  const button = event.target.closest('button.unblock');
  if (!button) return;
  const { kind, entry } = button.dataset;
  const buttons = [...ui[kind].querySelectorAll('button.unblock')];
  const next = buttons.indexOf(button);
  unblock(kind, entry);
  const after = ui[kind].querySelectorAll('button.unblock');
  (after[Math.min(next, after.length - 1)] || ui.blockEntry).focus();
}

// ---------------------------------------------------------------- recent comments list

const recent = { rows: [], dirty: false, timer: 0 }; // rows: the last LISTED danmaku on screen, oldest first

function listDanmaku(danmaku) {
  recent.rows.push(danmaku);
  if (recent.rows.length > LISTED) recent.rows.shift();
  recent.dirty = true;
  if (!recent.timer) recent.timer = setTimeout(showList, LIST_EVERY_MS);
}

/** Redraws at most twice a second, only while open, and never under a keyboard user's focus. */
function showList() {
  recent.timer = 0;
  if (!recent.dirty || !ui.listPanel.open) return;
  if (ui.recentList.contains(document.activeElement)) {
    recent.timer = setTimeout(showList, LIST_EVERY_MS);
    return;
  }
  recent.dirty = false;
  ui.recentList.replaceChildren(...recent.rows.slice().reverse().map(listRow));
}

function listRow(danmaku) {
  const row = document.createElement('li');
  const time = document.createElement('time');
  const sent = new Date(Number(danmaku.sentAtMs) || Date.now());
  time.dateTime = sent.toISOString();
  time.textContent = sent.toLocaleTimeString('en-GB', { hour12: false });
  const who = document.createElement('span');
  who.className = 'who';
  who.textContent = danmaku.userName || danmaku.userId || 'anonymous';
  const text = document.createElement('span');
  text.className = 'text';
  text.textContent = danmaku.text;
  row.append(time, who, text);
  if (danmaku.userId && danmaku.userId !== view.user) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'block-user secondary';
    button.textContent = 'Block';
    button.dataset.user = danmaku.userId;
    button.setAttribute('aria-label', `Block user ${who.textContent}`);
    row.append(button);
  }
  return row;
}

function onBlockUserClick(event) {
  const button = event.target.closest('button.block-user');
  if (!button) return;
  const { user } = button.dataset;
  block('users', user);
  recent.rows = recent.rows.filter((danmaku) => danmaku.userId !== user);
  recent.dirty = true;
  ui.listPanel.querySelector('summary').focus(); // the row goes away; focus must not vanish with it
  showList();
}

// ---------------------------------------------------------------- full screen

/** The stage, not the video alone, goes full screen, so the danmaku come along. */
function toggleFullscreen() {
  if (!document.fullscreenEnabled) return;
  if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
  else ui.stage.requestFullscreen().catch(() => showMessage('Full screen was refused by the browser.', 'warn'));
}

function wireFullscreen() {
  if (!document.fullscreenEnabled) {
    ui.fullscreen.hidden = true;
    return;
  }
  ui.fullscreen.addEventListener('click', toggleFullscreen);
  document.addEventListener('fullscreenchange', () => {
    ui.fullscreen.setAttribute('aria-pressed', String(document.fullscreenElement === ui.stage));
  });
}

function wireSettings() {
  const stored = loadJson(SETTINGS_KEY);
  applySettings(stored);
  const blocked = loadJson(BLOCKED_KEY);
  applyBlocked(blocked);

  for (const [key, slider] of Object.entries(SLIDERS)) {
    ui[key].addEventListener('input', () => applySettings({ [key]: slider.toOverlay(Number(ui[key].value)) }));
    ui[key].addEventListener('change', () => applySettings({})); // shows the value the overlay kept
  }
  ui.settingsForm.addEventListener('reset', (event) => {
    event.preventDefault();
    const { hidden } = view.settings;
    applySettings({ opacity: 1, density: 1, speed: 1, fontScale: 1, hidden });
  });
  ui.toggle.addEventListener('click', toggleDanmaku);
  ui.blockForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const entry = ui.blockEntry.value.trim();
    if (!entry) return;
    block(ui.blockKind.value, entry);
    ui.blockEntry.value = '';
  });
  ui.words.addEventListener('click', onUnblockClick);
  ui.recentList.addEventListener('click', onBlockUserClick);
  for (const box of ui.types) {
    box.addEventListener('change', () => changeBlocked('types', [...ui.types].filter((b) => b.checked).map((b) => b.value)));
  }
  wireFullscreen();
  ui.listPanel.addEventListener('toggle', showList);
  ui.users.addEventListener('click', onUnblockClick);
  // Another tab of this page changed them.
  window.addEventListener('storage', (event) => {
    if (event.key === BLOCKED_KEY) {
      const fresh = loadJson(BLOCKED_KEY);
      applyBlocked(fresh);
    }
  });
  // D toggles danmaku and F full screen, as on the big video sites, unless typing somewhere.
  const keys = { d: toggleDanmaku, f: toggleFullscreen };
  document.addEventListener('keydown', (event) => {
    const action = keys[event.key.toLowerCase()];
    if (!action || event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    if (event.target.closest('input, select, textarea, [contenteditable]')) return;
    action();
  });
}

// ---------------------------------------------------------------- start

const overlay = createOverlay(ui.overlay, { onRender: listDanmaku });
view.rendered = overlay.rendered;
view.overlay = overlay;

watchStageSize();
setUpStage();
initialControls();
wireControls();
wireSettings();
updateControls();
startClient(ui.room.value);
