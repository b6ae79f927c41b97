/*
 * Moderator console: keyword rules, dry run, room settings, mutes, a live feed with recall, the
 * audit log — all through /api/v1/moderation with the signed-in token (moderator or admin role).
 *
 * State for browser tests, in window.danmakuModerator:
 *   signedIn, rules [rule], feed [{msgId, text, userId, recalled, verdict}], feedJoined,
 *   verdictsFollowed (the token reads the archive's verdicts too), dryRun (last answer),
 *   audit [entry], lastError (last message shown as an error)
 */
import { $, el, api, badge, clock, download, guarded, say, session, signInPanel, time, wsUrl } from '../common.js';

const API = '/api/v1/moderation';
const ROOM_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const FEED_KEPT = 300;

const state = {
  signedIn: false, rules: [], feed: [], feedJoined: false, dryRun: null, audit: [], lastError: null,
  editing: null, // id of the rule in the form, null when adding
};
window.danmakuModerator = state;

/** Error messages also land in state.lastError, for tests and for the curious. */
function report(node, text, kind = 'info') {
  say(node, text, kind);
  if (kind === 'error') state.lastError = text;
}
const run = (button, out, action) => guarded(button, out, action).then((value) => {
  if (out.dataset.kind === 'error') state.lastError = out.textContent;
  return value;
});

const room = () => $('room').value.trim();

// ---------------------------------------------------------------- rules

async function loadRules() {
  const body = await api(`${API}/rules`);
  state.rules = body.items;
  $('rule-count').textContent = `(${body.items.length}, rule set v${body.ruleSetVersion})`;
  renderRules();
}

function renderRules() {
  const query = $('rule-search').value.trim().toLowerCase();
  const shown = state.rules.filter((rule) => !query
    || [rule.pattern, rule.note, rule.roomId, rule.action, rule.kind, rule.category, ...(rule.alternatives || [])].some((v) => String(v || '').toLowerCase().includes(query)));
  $('rules').replaceChildren(...shown.map((rule) => el('tr', { dataset: { ruleId: rule.id } },
    el('td', { className: 'text' }, rule.pattern,
      rule.alternatives && rule.alternatives.length ? el('span', { className: 'muted' }, ` | ${rule.alternatives.join(' | ')}`) : ''),
    el('td', {}, badge(rule.action)),
    el('td', {}, rule.kind),
    el('td', {}, rule.category || ''),
    el('td', {}, rule.roomId || el('span', { className: 'muted' }, 'all')),
    el('td', {}, rule.wholeWord ? 'yes' : ''),
    el('td', { className: 'text' }, rule.note || ''),
    el('td', {}, rule.source === 'config' ? el('span', { className: 'muted' }, 'from config') : `${time(rule.updatedAtMs)} ${rule.updatedBy}`),
    el('td', { className: 'actions' }, rule.source === 'config' ? '' : [
      el('button', { type: 'button', className: 'small secondary', 'aria-label': `Edit rule ${rule.pattern}`,
        on: { click: () => editRule(rule) } }, 'Edit'), ' ',
      el('button', { type: 'button', className: 'small danger', 'aria-label': `Delete rule ${rule.pattern}`,
        on: { click: (event) => deleteRule(rule, event.currentTarget) } }, 'Delete'),
    ]))));
  if (!shown.length) {
    $('rules').append(el('tr', {}, el('td', { colSpan: 9, className: 'muted' }, query ? 'No rule matches.' : 'No rules yet.')));
  }
}

function ruleFromForm() {
  return {
    pattern: $('rule-pattern').value.trim(), action: $('rule-action').value, kind: $('rule-kind').value,
    roomId: $('rule-room').value.trim() || null, wholeWord: $('rule-whole').checked, note: $('rule-note').value,
    category: $('rule-category').value || null,
    alternatives: $('rule-alternatives').value.split('|').map((a) => a.trim()).filter(Boolean),
  };
}

function editRule(rule) {
  state.editing = rule.id;
  $('rule-pattern').value = rule.pattern;
  $('rule-action').value = rule.action;
  $('rule-kind').value = rule.kind;
  $('rule-category').value = rule.category || '';
  $('rule-alternatives').value = (rule.alternatives || []).join(' | ');
  $('rule-room').value = rule.roomId || '';
  $('rule-whole').checked = rule.wholeWord;
  $('rule-note').value = rule.note || '';
  $('rule-save').textContent = 'Save rule';
  $('rule-cancel').hidden = false;
  $('rule-pattern').focus();
}

function resetRuleForm() {
  state.editing = null;
  $('rule-form').reset();
  $('rule-save').textContent = 'Add rule';
  $('rule-cancel').hidden = true;
}

async function saveRule() {
  const rule = ruleFromForm();
  const saved = state.editing
    ? await api(`${API}/rules/${encodeURIComponent(state.editing)}`, { method: 'PUT', body: rule })
    : await api(`${API}/rules`, { method: 'POST', body: rule });
  report($('rules-message'), `${state.editing ? 'Saved' : 'Added'} rule “${saved.pattern}” (${saved.action}).`, 'ok');
  resetRuleForm();
  await loadRules();
}

async function deleteRule(rule, button) {
  if (!confirm(`Delete the rule “${rule.pattern}”?`)) return;
  await run(button, $('rules-message'), async () => {
    await api(`${API}/rules/${encodeURIComponent(rule.id)}`, { method: 'DELETE' });
    report($('rules-message'), `Deleted rule “${rule.pattern}”.`, 'ok');
    await loadRules();
  });
}

/** JSON files (an array of rules, or an export {items}) are sent as CSV: the import is all or nothing. */
function jsonToCsv(text) {
  const parsed = JSON.parse(text);
  const rules = Array.isArray(parsed) ? parsed : parsed.items;
  if (!Array.isArray(rules)) throw new Error('JSON import: expected an array of rules or {"items": [...]}');
  const cell = (value) => {
    const s = value === null || value === undefined ? '' : Array.isArray(value) ? value.join('|') : String(value);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const columns = ['pattern', 'action', 'kind', 'roomId', 'wholeWord', 'note', 'category', 'alternatives'];
  return [columns.join(','), ...rules.map((rule) => columns.map((c) => cell(rule[c])).join(','))].join('\r\n');
}

async function importRules() {
  const file = $('import-file').files[0];
  if (!file) {
    report($('rules-message'), 'Choose a file to import first.', 'warn');
    $('import-file').focus();
    return;
  }
  const text = await file.text();
  const name = file.name.toLowerCase();
  let body = text;
  let contentType = 'text/plain';
  if (name.endsWith('.json')) {
    body = jsonToCsv(text);
    contentType = 'text/csv';
  } else if (name.endsWith('.csv')) contentType = 'text/csv';
  const answer = await api(`${API}/rules/import`, { method: 'POST', body, contentType });
  report($('rules-message'), `Imported ${answer.imported} rules from ${file.name}.`, 'ok');
  $('import-file').value = '';
  await loadRules();
}

async function exportRules(format) {
  if (format === 'json') {
    const body = await api(`${API}/rules`);
    const items = body.items.filter((rule) => rule.source !== 'config');
    download(new Blob([JSON.stringify(items, null, 2)], { type: 'application/json' }), 'danmaku-rules.json');
  } else {
    const csv = await api(`${API}/rules/export?format=csv`);
    download(new Blob([csv], { type: 'text/csv' }), 'danmaku-rules.csv');
  }
}

// ---------------------------------------------------------------- dry run

/** The text with the matched spans marked; spans are UTF-16 offsets into the original. */
function markedText(text, matches) {
  const spans = matches.map((m) => [m.originalStart, m.originalEnd]).sort((a, b) => a[0] - b[0]);
  const parts = [];
  let at = 0;
  for (const [start, end] of spans) {
    if (start < at) continue; // overlapping match: the first one shows it
    parts.push(text.slice(at, start), el('mark', {}, text.slice(start, end)));
    at = end;
  }
  parts.push(text.slice(at));
  return parts;
}

async function dryRun() {
  const answer = await api(`${API}/dry-run`, {
    method: 'POST', body: { text: $('dry-text').value, roomId: $('dry-room').value.trim() || null },
  });
  state.dryRun = answer;
  $('dry-result').replaceChildren(el('dl', { className: 'result' },
    el('dt', {}, 'Verdict'), el('dd', { id: 'dry-verdict' }, badge(answer.verdict), answer.reason ? ` ${answer.reason}` : ''),
    el('dt', {}, 'Normalized'), el('dd', { id: 'dry-normalized' }, el('code', {}, answer.normalized)),
    el('dt', {}, 'Views'), el('dd', { id: 'dry-views' }, Object.entries(answer.views)
      .filter(([view, text]) => view === 'standard' || text !== answer.normalized)
      .map(([view, text]) => el('div', {}, `${view}: `, el('code', {}, text)))),
    el('dt', {}, 'Matches'), el('dd', {}, answer.matches.length ? markedText(answer.text, answer.matches) : 'none'),
    el('dt', {}, 'Rules'), el('dd', { id: 'dry-rules' }, answer.matches.length
      ? answer.matches.map((m) => el('div', {}, badge(m.action), ` “${m.pattern}” matched “${m.matched}” in the ${m.view} view`,
        m.category ? ` (${m.category})` : '')) : '—'),
    ...(answer.exemptions.length ? [el('dt', {}, 'Exemptions'), el('dd', { id: 'dry-exemptions' },
      answer.exemptions.map((m) => el('div', {}, badge(m.action), ` “${m.pattern}” matched “${m.matched}”`)),
      answer.shielded.map((m) => el('div', { className: 'muted' }, `shields “${m.pattern}” (${m.action})`)))] : []),
    el('dt', {}, 'Shown as'), el('dd', {}, answer.verdict === 'REJECTED' ? el('span', { className: 'muted' }, '(not shown)') : answer.shownText),
    el('dt', {}, 'Rule set'), el('dd', {}, `v${answer.ruleSetVersion}`)));
  say($('dry-message'), answer.note || '', 'info');
}

// ---------------------------------------------------------------- room settings and mutes

const SETTINGS = { slowModeSeconds: 'slow', ratePerSecond: 'rate', burst: 'burst', maxMessagesPerSecond: 'room-cap', maxTextLength: 'max-length' };

async function loadRoom() {
  if (!ROOM_ID.test(room())) return;
  const settings = await api(`${API}/rooms/${encodeURIComponent(room())}/settings`);
  Object.entries(SETTINGS).forEach(([field, id]) => { $(id).value = settings[field]; });
  await loadMutes();
}

async function saveSettings() {
  const body = {};
  Object.entries(SETTINGS).forEach(([field, id]) => { body[field] = Number($(id).value) || 0; });
  await api(`${API}/rooms/${encodeURIComponent(room())}/settings`, { method: 'PUT', body });
  report($('room-message'), `Saved the settings of ${room()}.`, 'ok');
  await Promise.all([loadRoom(), loadAudit()]);
}

async function resetSettings() {
  await api(`${API}/rooms/${encodeURIComponent(room())}/settings`, { method: 'DELETE' });
  report($('room-message'), `${room()} is back to the service defaults.`, 'ok');
  await Promise.all([loadRoom(), loadAudit()]);
}

async function loadMutes() {
  const body = await api(`${API}/mutes`);
  const mutes = body.items.filter((mute) => !mute.roomId || mute.roomId === room());
  $('mutes').replaceChildren(...mutes.map((mute) => el('tr', {},
    el('td', {}, mute.userId), el('td', {}, mute.roomId || 'every room'), el('td', {}, time(mute.untilMs)),
    el('td', { className: 'text' }, mute.reason || ''),
    el('td', {}, el('button', { type: 'button', className: 'small secondary', 'aria-label': `Unmute ${mute.userId}`,
      on: { click: (event) => run(event.currentTarget, $('room-message'), () => unmute(mute)) } }, 'Unmute')))));
  if (!mutes.length) $('mutes').append(el('tr', {}, el('td', { colSpan: 5, className: 'muted' }, 'Nobody is muted here.')));
}

async function mute(userId, minutes, reason, everywhere) {
  await api(`${API}/mutes`, {
    method: 'POST',
    body: { userId, roomId: everywhere ? null : room(), durationSeconds: Math.round(minutes * 60), reason },
  });
  report($('room-message'), `Muted ${userId} for ${minutes} min${everywhere ? ' in every room' : ` in ${room()}`}.`, 'ok');
  await Promise.all([loadMutes(), loadAudit()]);
}

async function unmute(item) {
  const query = item.roomId ? `?roomId=${encodeURIComponent(item.roomId)}` : '';
  await api(`${API}/mutes/${encodeURIComponent(item.userId)}${query}`, { method: 'DELETE' });
  report($('room-message'), `Unmuted ${item.userId}.`, 'ok');
  await Promise.all([loadMutes(), loadAudit()]);
}

// ---------------------------------------------------------------- live feed

const feed = { ws: null, room: '', retry: 0, timer: 0 };

function watch() {
  clearTimeout(feed.timer);
  if (feed.ws) {
    feed.ws.onclose = null;
    feed.ws.close(1000);
  }
  feed.room = room();
  verdicts.cursor = null;
  verdicts.since = Date.now() - 60000;
  state.feed = [];
  state.feedJoined = false;
  $('feed').replaceChildren();
  setFeedStatus(`connecting to ${feed.room}…`);
  const ws = new WebSocket(wsUrl('/ws'), 'danmaku.v1.json');
  feed.ws = ws;
  ws.onopen = () => ws.send(JSON.stringify({ join: { roomId: feed.room, token: session.token || undefined } }));
  ws.onmessage = (event) => onFeedFrame(JSON.parse(event.data));
  ws.onclose = (event) => {
    if (feed.ws !== ws) return;
    state.feedJoined = false;
    const delay = Math.min(15000, 1000 * 2 ** feed.retry++);
    setFeedStatus(`disconnected (${event.code}); reconnecting in ${Math.round(delay / 1000)} s`);
    feed.timer = setTimeout(watch, delay);
  };
}

function setFeedStatus(text) {
  $('feed-status').textContent = text;
}

function onFeedFrame(frame) {
  if (frame.joined) {
    feed.retry = 0;
    state.feedJoined = true;
    setFeedStatus(`watching ${frame.joined.roomId} · ${frame.joined.online} online`);
    (frame.joined.recent || []).forEach((danmaku) => addToFeed(danmaku));
  } else if (frame.batch) {
    (frame.batch.danmaku || []).forEach((danmaku) => addToFeed(danmaku));
  } else if (frame.recall) {
    markRecalled(frame.recall.msgId);
  } else if (frame.presence) {
    setFeedStatus(`watching ${feed.room} · ${frame.presence.online} online`);
  } else if (frame.error) {
    report($('feed-message'), `Feed: ${frame.error.message || frame.error.code}`, 'error');
  } else if (frame.notice) {
    report($('feed-message'), `Notice to the room: ${frame.notice.text}`, 'info');
  }
}

/** The gateway broadcasts only what viewers see (accepted or masked), without the verdict. */
function addToFeed(danmaku, verdict = 'SHOWN') {
  if (state.feed.some((item) => item.msgId === danmaku.msgId)) return;
  const item = { msgId: danmaku.msgId, text: danmaku.text, userId: danmaku.userId, recalled: false, verdict };
  const shown = verdict === 'SHOWN' || verdict === 'MASKED';
  state.feed.unshift(item);
  if (state.feed.length > FEED_KEPT) state.feed.length = FEED_KEPT;
  const recall = el('button', { type: 'button', className: 'small danger recall', 'aria-label': `Recall “${danmaku.text}”`,
    on: { click: (event) => run(event.currentTarget, $('feed-message'), () => recallDanmaku(item)) } }, 'Recall');
  const muteButton = el('button', { type: 'button', className: 'small secondary', 'aria-label': `Mute ${danmaku.userId} for 10 minutes`,
    on: { click: (event) => run(event.currentTarget, $('feed-message'), () => mute(danmaku.userId, 10, 'from the live feed', false)) } },
    'Mute 10 min');
  const row = el('li', { dataset: { msgId: danmaku.msgId } },
    el('span', { className: 'muted' }, clock(danmaku.sentAtMs)),
    badge(verdict),
    el('span', { className: 'who', title: danmaku.userId }, danmaku.userName || danmaku.userId),
    el('span', { className: 'text' }, danmaku.text),
    el('span', { className: 'muted' }, danmaku.reason && danmaku.reason !== 'REASON_UNSPECIFIED' ? danmaku.reason : ''),
    shown ? recall : null, muteButton);
  $('feed').prepend(row);
  while ($('feed').children.length > FEED_KEPT) $('feed').lastElementChild.remove();
}

async function recallDanmaku(item) {
  await api(`${API}/recall`, { method: 'POST', body: { roomId: feed.room, msgId: item.msgId } });
  report($('feed-message'), `Recalled “${item.text}”.`, 'ok');
  markRecalled(item.msgId);
  loadAudit().catch(() => {});
}

function markRecalled(msgId) {
  const item = state.feed.find((entry) => entry.msgId === msgId);
  if (item) item.recalled = true;
  const row = [...$('feed').children].find((li) => li.dataset.msgId === msgId);
  if (!row || row.dataset.recalled === 'true') return;
  row.dataset.recalled = 'true';
  row.querySelector('.badge').replaceWith(badge('recalled'));
  row.querySelector('button.recall')?.remove(); // nothing left to recall
}

/**
 * The gateway does not tell anyone about refused or shadowed danmaku, nor mark masked ones. A token
 * that may also read the archive (admin, analyst) gets them from there: every few seconds the feed
 * asks for the room's non-accepted verdicts since it started watching.
 */
const verdicts = { timer: 0, cursor: null, since: 0 };
const VERDICT_POLL_MS = 2000;

function followVerdicts(who) {
  clearTimeout(verdicts.timer);
  verdicts.cursor = null;
  verdicts.since = Date.now() - 60000;
  state.verdictsFollowed = Boolean(who && (who.roles.includes('admin') || who.roles.includes('analyst')));
  if (state.verdictsFollowed) pollVerdicts();
}

async function pollVerdicts() {
  const query = new URLSearchParams({ from: String(verdicts.since), verdict: 'MASKED,SHADOWED,REJECTED', limit: '200' });
  if (verdicts.cursor) query.set('cursor', verdicts.cursor);
  const polledRoom = feed.room;
  try {
    const body = await api(`/api/v1/archive/rooms/${encodeURIComponent(polledRoom)}/danmaku?${query}`);
    if (polledRoom === feed.room) {
      body.items.forEach(addVerdict);
      const last = body.items[body.items.length - 1];
      // a page's cursor when there is more; else carry on after the last row seen
      if (body.next) {
        verdicts.cursor = body.next;
      } else if (last) {
        verdicts.since = last.sentAtMs;
        verdicts.cursor = null;
      }
    }
  } catch (error) {
    if (error.status === 401 || error.status === 403) {
      state.verdictsFollowed = false;
      return;
    }
  }
  verdicts.timer = setTimeout(pollVerdicts, VERDICT_POLL_MS);
}

function addVerdict(row) {
  const item = state.feed.find((entry) => entry.msgId === row.msgId);
  if (item) {
    item.verdict = row.verdict;
    const li = [...$('feed').children].find((node) => node.dataset.msgId === row.msgId);
    if (li && li.dataset.recalled !== 'true') li.querySelector('.badge').replaceWith(badge(row.verdict));
    return;
  }
  addToFeed(row, row.verdict);
}

// ---------------------------------------------------------------- audit

async function loadAudit() {
  const body = await api(`${API}/audit?limit=200`);
  state.audit = body.items;
  $('audit').replaceChildren(...body.items.map((entry) => el('tr', {},
    el('td', {}, time(entry.atMs)), el('td', {}, entry.actorName || entry.actorId), el('td', {}, entry.action),
    el('td', { className: 'text' }, entry.target), el('td', { className: 'text muted' }, entry.detail))));
}

// ---------------------------------------------------------------- wiring

function onSubmit(id, button, out, action) {
  $(id).addEventListener('submit', (event) => {
    event.preventDefault();
    run($(button), $(out), action);
  });
}

function wire() {
  onSubmit('rule-form', 'rule-save', 'rules-message', saveRule);
  onSubmit('dry-form', 'dry-run', 'dry-message', dryRun);
  onSubmit('settings-form', 'save-settings', 'room-message', saveSettings);
  onSubmit('mute-form', 'mute', 'room-message', () => mute($('mute-user').value.trim(), Number($('mute-minutes').value),
    $('mute-reason').value, $('mute-everywhere').checked));
  $('room-form').addEventListener('submit', (event) => {
    event.preventDefault();
    if (!ROOM_ID.test(room())) return;
    const url = new URL(location.href);
    url.searchParams.set('room', room());
    history.replaceState(null, '', url);
    watch();
    run($('watch'), $('room-message'), loadRoom);
  });
  $('rule-cancel').addEventListener('click', resetRuleForm);
  $('rule-search').addEventListener('input', renderRules);
  $('import').addEventListener('click', () => run($('import'), $('rules-message'), importRules));
  $('export-json').addEventListener('click', () => run($('export-json'), $('rules-message'), () => exportRules('json')));
  $('export-csv').addEventListener('click', () => run($('export-csv'), $('rules-message'), () => exportRules('csv')));
  $('reload-rules').addEventListener('click', () => run($('reload-rules'), $('rules-message'), loadRules));
  $('reset-settings').addEventListener('click', () => run($('reset-settings'), $('room-message'), resetSettings));
  $('reload-audit').addEventListener('click', () => run($('reload-audit'), $('audit-message'), loadAudit));
}

function onSignIn(who) {
  state.signedIn = Boolean(who);
  followVerdicts(who);
  if (!who) {
    if (feed.ws) { feed.ws.onclose = null; feed.ws.close(1000); feed.ws = null; }
    setFeedStatus('not watching');
    return;
  }
  run(null, $('rules-message'), loadRules);
  run(null, $('room-message'), loadRoom);
  run(null, $('audit-message'), loadAudit);
  watch();
}

const initialRoom = new URLSearchParams(location.search).get('room');
if (initialRoom && ROOM_ID.test(initialRoom)) {
  // a moderator usually works in one room: new rules and the dry run start there too
  for (const id of ['room', 'rule-room', 'dry-room']) $(id).defaultValue = $(id).value = initialRoom;
}
wire();
signInPanel($('sign-in'), { role: 'moderator', roles: ['moderator', 'admin'], defaultUser: 'moderator', onChange: onSignIn });
