/*
 * Analyst page: a room's history from /api/v1/archive (analyst or admin token) — per-bucket counts
 * by verdict as a chart, top senders, a keyset-paged table, exports, and a replay drawn with the
 * viewer's overlay.
 *
 * State for browser tests, in window.danmakuAnalyst:
 *   signedIn, room, from, to, stats (last answer), chart {labels, series: {VERDICT: [counts]}, drawn},
 *   page {items, index, next}, replay {state, positionMs, played: [msgId], speed}, lastError
 */
import { $, el, api, badge, clock, download, guarded, say, signInPanel, time, wsUrl } from '../common.js';
import { createOverlay } from '../overlay.js';

const API = '/api/v1/archive';
const ROOM_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const VERDICTS = ['ACCEPTED', 'MASKED', 'SHADOWED', 'REJECTED'];
const COLORS = { ACCEPTED: '#3ecf8e', MASKED: '#f5b942', SHADOWED: '#b48cff', REJECTED: '#ff6b6b' };
const BUCKET_MS = { '1m': 60000, '1h': 3600000, '1d': 86400000 };
const MAX_BARS = 2000; // zero-filled buckets beyond this would make an unreadable chart

const state = {
  signedIn: false, room: '', from: 0, to: 0, stats: null,
  chart: { labels: [], series: {}, drawn: false },
  page: { items: [], index: 0, next: null },
  replay: { state: 'stopped', positionMs: 0, played: [], speed: 1 },
  lastError: null,
};
window.danmakuAnalyst = state;

const run = (button, out, action) => guarded(button, out, action).then((value) => {
  if (out.dataset.kind === 'error') state.lastError = out.textContent;
  return value;
});

// ---------------------------------------------------------------- range

/** datetime-local works in local time without a zone; these convert both ways. */
const toLocalInput = (ms) => new Date(ms - new Date(ms).getTimezoneOffset() * 60000).toISOString().slice(0, 19);
const fromLocalInput = (value) => (value ? new Date(value).getTime() : NaN);

function applyPreset() {
  const preset = $('range').value;
  if (preset === 'custom') return;
  const now = Date.now();
  $('to').value = toLocalInput(now + 1000);
  $('from').value = toLocalInput(now - Number(preset));
}

function readRange() {
  if ($('range').value !== 'custom') applyPreset();
  const from = fromLocalInput($('from').value);
  const to = fromLocalInput($('to').value);
  if (!(from < to)) throw new Error('Choose a range whose start is before its end.');
  const room = $('room').value.trim();
  if (!ROOM_ID.test(room)) throw new Error('Room id: 1-64 letters, digits or . _ : -');
  Object.assign(state, { room, from, to });
}

function rangeQuery(extra = {}) {
  const query = new URLSearchParams({ from: String(state.from), to: String(state.to) });
  Object.entries(extra).forEach(([key, value]) => { if (value) query.set(key, value); });
  return query;
}

const roomPath = (what) => `${API}/rooms/${encodeURIComponent(state.room)}/${what}`;

async function loadRooms() {
  const body = await api(`${API}/rooms?limit=200`);
  $('rooms').replaceChildren(...body.items.map((room) => el('option', { value: room.roomId },
    `${room.count} danmaku, last ${time(room.lastAtMs)}`)));
  if (!$('room').value && body.items.length) $('room').value = body.items[0].roomId;
}

async function show() {
  readRange();
  const url = new URL(location.href);
  url.searchParams.set('room', state.room);
  history.replaceState(null, '', url);
  say($('range-message'), '');
  await Promise.all([loadStats(), loadPage(0, null)]);
  prepareReplay();
}

// ---------------------------------------------------------------- stats and chart

async function loadStats() {
  const bucket = $('bucket').value;
  const stats = await api(`${roomPath('stats')}?${rangeQuery({ bucket, top: '10' })}`);
  state.stats = stats;
  $('summary').replaceChildren(
    figure('Danmaku', stats.total),
    figure('Senders', stats.uniqueSenders),
    ...VERDICTS.map((verdict) => figure(verdict.toLowerCase(), stats.totalByVerdict[verdict] || 0)),
    figure('Peak', stats.peak ? `${stats.peak.total} at ${clock(stats.peak.startMs)}` : '—'));
  $('top').replaceChildren(...stats.topSenders.map((sender) => el('tr', {},
    el('td', {}, sender.userId), el('td', {}, sender.userName || ''), el('td', { className: 'num' }, sender.count))));
  if (!stats.topSenders.length) $('top').append(el('tr', {}, el('td', { colSpan: 3, className: 'muted' }, 'Nobody sent anything in this range.')));
  drawChart(stats, BUCKET_MS[bucket]);
}

function figure(label, value) {
  return el('div', {}, el('span', { className: 'label' }, label), el('strong', {}, String(value)));
}

/** The API lists non-empty buckets only; the chart shows every bucket of the range. */
function series(stats, bucketMs) {
  const byStart = new Map(stats.buckets.map((b) => [b.startMs, b]));
  let first = Math.floor(state.from / bucketMs) * bucketMs;
  const last = Math.floor((state.to - 1) / bucketMs) * bucketMs;
  if ((last - first) / bucketMs > MAX_BARS) first = stats.buckets.length ? stats.buckets[0].startMs : last;
  const starts = [];
  for (let at = first; at <= last && starts.length <= MAX_BARS; at += bucketMs) starts.push(at);
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, starts.map((at) => byStart.get(at)?.byVerdict[v] || 0)]));
  return { starts, counts };
}

let chart = null;
function drawChart(stats, bucketMs) {
  const { starts, counts } = series(stats, bucketMs);
  const labels = starts.map((at) => (bucketMs >= 86400000 ? new Date(at).toLocaleDateString('en-GB')
    : new Date(at).toLocaleString('en-GB', { hour12: false, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })));
  state.chart = { labels, series: counts, drawn: false };
  if (!window.Chart) {
    say($('range-message'), 'The chart library did not load; the numbers above are still right.', 'warn');
    return;
  }
  const data = { labels, datasets: VERDICTS.map((v) => ({ label: v.toLowerCase(), data: counts[v], backgroundColor: COLORS[v], stack: 'all' })) };
  if (chart) {
    chart.data = data;
    chart.update();
  } else {
    chart = new window.Chart($('chart'), {
      type: 'bar',
      data,
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: {
          x: { stacked: true, ticks: { color: '#8d95a5', maxRotation: 0, autoSkipPadding: 12 }, grid: { color: '#2a303c' } },
          y: { stacked: true, beginAtZero: true, ticks: { color: '#8d95a5', precision: 0 }, grid: { color: '#2a303c' } },
        },
        plugins: { legend: { labels: { color: '#e7e9ef' } } },
      },
    });
  }
  state.chart.drawn = true;
}

// ---------------------------------------------------------------- paged table

const pages = { cursors: [null] }; // cursor of each page seen, so Previous can go back

function filters() {
  return { user: $('f-user').value.trim(), text: $('f-text').value.trim(), verdict: $('f-verdict').value };
}

async function loadPage(index, cursor) {
  const query = rangeQuery({ ...filters(), limit: $('f-limit').value, cursor });
  const body = await api(`${roomPath('danmaku')}?${query}`);
  if (index === 0) pages.cursors = [null];
  pages.cursors[index] = cursor;
  state.page = { items: body.items, index, next: body.next };
  $('rows').replaceChildren(...body.items.map((row) => el('tr', { dataset: { msgId: row.msgId } },
    el('td', {}, time(row.sentAtMs)),
    el('td', { title: row.userId }, row.userName || row.userId),
    el('td', { className: 'text' }, row.text, row.recalledAtMs ? [' ', badge('recalled')] : []),
    el('td', {}, badge(row.verdict)),
    el('td', {}, row.reason && row.reason !== 'REASON_UNSPECIFIED' ? row.reason : ''),
    el('td', { className: 'text muted' }, row.originalText || ''))));
  if (!body.items.length) $('rows').append(el('tr', {}, el('td', { colSpan: 6, className: 'muted' }, 'Nothing in this range.')));
  $('page-info').textContent = `page ${index + 1}${body.next ? '' : ' (last)'} · ${body.items.length} rows`;
  $('next-page').disabled = !body.next;
  $('prev-page').disabled = index === 0;
  $('first-page').disabled = index === 0;
}

async function exportAs(format) {
  readRange();
  const response = await api(`${roomPath('export')}?${rangeQuery({ ...filters(), format, bom: format === 'csv' ? 'true' : '' })}`, { raw: true });
  download(await response.blob(), `danmaku-${state.room}-${new Date(state.from).toISOString().slice(0, 16)}.${format}`);
}

// ---------------------------------------------------------------- replay

const overlay = createOverlay($('overlay'));
const replay = { ws: null, playing: false };

/** What viewers saw: accepted and masked danmaku, recalled ones left out. */
const REPLAYED = 'ACCEPTED,MASKED';

function prepareReplay() {
  stopReplay();
  $('seek').min = String(state.from);
  $('seek').max = String(state.to);
  $('seek').value = String(state.from);
  $('position').textContent = time(state.from);
  if (state.room) say($('replay-message'), `Ready to replay ${state.room} from ${time(state.from)}.`, 'info');
}

async function startReplay(fromMs) {
  stopReplay();
  overlay.clear();
  const speed = $('speed').value;
  // a WebSocket cannot send the token as a header, and a token in a URL ends up in logs: a one-minute ticket instead
  let ticket;
  try {
    ({ ticket } = await api(`${API}/replay-tickets`, { method: 'POST' }));
  } catch (error) {
    say($('replay-message'), `The replay could not start: ${error.message}`, 'error');
    return;
  }
  if (replay.ws) return; // started meanwhile
  const query = rangeQuery({ verdict: REPLAYED, speed, mode: 'live', ticket });
  query.set('from', String(fromMs));
  const ws = new WebSocket(wsUrl(`${roomPath('replay')}?${query}`));
  replay.ws = ws;
  state.replay = { state: 'connecting', positionMs: fromMs, played: [], speed: Number(speed) };
  ws.onmessage = (event) => onReplayFrame(JSON.parse(event.data));
  ws.onclose = (event) => {
    if (replay.ws !== ws) return;
    replay.ws = null;
    setPlaying(false);
    if (state.replay.state !== 'ended') {
      state.replay.state = 'stopped';
      if (event.code !== 1000) say($('replay-message'), `The replay stopped (${event.code}${event.reason ? `: ${event.reason}` : ''}).`, 'error');
    }
  };
  setPlaying(true);
}

function stopReplay() {
  if (!replay.ws) return;
  const ws = replay.ws;
  replay.ws = null;
  ws.close(1000);
  setPlaying(false);
  state.replay.state = 'stopped';
}

function onReplayFrame(frame) {
  if (frame.type === 'danmaku') {
    state.replay.positionMs = frame.positionMs;
    showPosition(frame.positionMs);
    if (frame.danmaku.recalledAtMs) return;
    overlay.add(frame.danmaku);
    state.replay.played.push(frame.danmaku.msgId);
  } else if (frame.type === 'state') {
    state.replay.state = frame.state;
    state.replay.positionMs = frame.positionMs;
    showPosition(frame.positionMs);
    setPlaying(frame.state === 'playing');
    if (frame.state === 'ended') say($('replay-message'), 'End of the range.', 'info');
    else say($('replay-message'), `${frame.state} at ×${frame.speed}`, 'info');
  } else if (frame.type === 'error') {
    say($('replay-message'), `Replay: ${frame.detail}`, 'error');
    state.lastError = frame.detail;
  }
}

function showPosition(ms) {
  $('position').textContent = time(ms);
  if (document.activeElement !== $('seek')) $('seek').value = String(ms);
}

function setPlaying(playing) {
  replay.playing = playing;
  $('play').textContent = playing ? 'Pause' : 'Play';
  $('play').setAttribute('aria-pressed', String(playing));
  if (playing) overlay.resume?.();
  else overlay.pause?.();
}

function control(frame) {
  if (replay.ws && replay.ws.readyState === WebSocket.OPEN) replay.ws.send(JSON.stringify(frame));
}

function togglePlay() {
  if (!state.room) return;
  if (!replay.ws) startReplay(Number($('seek').value) || state.from);
  else if (replay.playing) control({ type: 'pause' });
  else if (state.replay.state === 'ended') startReplay(state.from);
  else control({ type: 'resume' });
}

function seek() {
  const positionMs = Number($('seek').value);
  $('position').textContent = time(positionMs);
  overlay.clear();
  if (replay.ws) control({ type: 'seek', positionMs });
}

// ---------------------------------------------------------------- wiring

function wire() {
  $('range').addEventListener('change', applyPreset);
  for (const id of ['from', 'to']) $(id).addEventListener('change', () => { $('range').value = 'custom'; });
  $('range-form').addEventListener('submit', (event) => {
    event.preventDefault();
    run($('load'), $('range-message'), show);
  });
  $('filter-form').addEventListener('submit', (event) => {
    event.preventDefault();
    run($('filter'), $('table-message'), () => loadPage(0, null));
  });
  // loadPage sets whether each paging button applies, so run() must not re-enable them
  $('next-page').addEventListener('click', () => run(null, $('table-message'),
    () => loadPage(state.page.index + 1, state.page.next)));
  $('prev-page').addEventListener('click', () => run(null, $('table-message'),
    () => loadPage(state.page.index - 1, pages.cursors[state.page.index - 1])));
  $('first-page').addEventListener('click', () => run(null, $('table-message'), () => loadPage(0, null)));
  $('export-ndjson').addEventListener('click', () => run($('export-ndjson'), $('table-message'), () => exportAs('ndjson')));
  $('export-csv').addEventListener('click', () => run($('export-csv'), $('table-message'), () => exportAs('csv')));
  $('play').addEventListener('click', togglePlay);
  $('seek').addEventListener('change', seek);
  $('speed').addEventListener('change', () => {
    state.replay.speed = Number($('speed').value);
    control({ type: 'speed', speed: state.replay.speed });
  });
}

function onSignIn(who) {
  state.signedIn = Boolean(who);
  if (!who) {
    stopReplay();
    return;
  }
  run(null, $('range-message'), async () => {
    await loadRooms();
    if ($('room').value) await show();
  });
}

const params = new URLSearchParams(location.search);
if (params.get('room') && ROOM_ID.test(params.get('room'))) $('room').value = params.get('room');
applyPreset();
wire();
prepareReplay();
signInPanel($('sign-in'), { role: 'analyst', roles: ['analyst', 'admin'], defaultUser: 'analyst', onChange: onSignIn });
