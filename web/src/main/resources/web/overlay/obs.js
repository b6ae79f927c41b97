/*
 * A danmaku overlay for OBS and other streaming software: add it as a browser source over the
 * stream. Transparent, no controls, reconnecting by itself (danmaku-client.js); drawn by overlay.js.
 *
 *   /overlay?room=<id>&speed=1&opacity=1&font=1&area=1&lines=&max=100&block=word,/re+gex/&token=
 *
 *   room     the room (required)
 *   speed    0.5–2 (1)          opacity  0.1–1 (1)       font   font size, 0.5–2 (1)
 *   area     share of the height danmaku may use, 0.1–1 (1)
 *   lines    at most this many lines of each kind (scrolling, top, bottom), whatever the height
 *   max      at most this many danmaku on screen, 1–300 (100)
 *   block    words kept off screen, comma-separated (substrings, ignoring case; /…/ a regular expression)
 *   token    a viewer token, for a gateway that does not admit anonymous viewers
 *
 * A problem (no room, a gateway that refuses the overlay) is written in a small red line at the
 * bottom left, so it shows in the streaming software's preview. For tests: window.danmakuOverlay.
 */

import { DanmakuClient, ROOM_ID } from '../danmaku-client.js';
import { createOverlay } from '../overlay.js';

const params = new URLSearchParams(location.search);
const problem = document.getElementById('problem');

/** A number parameter within its range; absent or not a number: the default. */
function number(name, min, max, fallback) {
  const raw = params.get(name);
  const value = raw === null || raw.trim() === '' ? NaN : Number(raw);
  return Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : fallback;
}

function showProblem(text) {
  problem.textContent = text;
  problem.hidden = !text;
}

const overlay = createOverlay(document.getElementById('overlay'), {
  maxOnScreen: number('max', 1, 300, 100),
  maxLanes: number('lines', 1, 100, 0),
});
overlay.settings({
  speed: number('speed', 0.5, 2, 1),
  opacity: number('opacity', 0.1, 1, 1),
  fontScale: number('font', 0.5, 2, 1),
  density: number('area', 0.1, 1, 1),
});
const blocked = (params.get('block') || '').split(',').map((word) => word.trim()).filter(Boolean);
if (blocked.length) overlay.blockWords(blocked);

const state = { overlay, rendered: overlay.rendered, client: null, state: 'closed' };
window.danmakuOverlay = state;

const room = params.get('room') || '';
if (!ROOM_ID.test(room)) {
  showProblem('Add ?room=<room id> to this overlay\'s URL (1-64 of A-Z a-z 0-9 . _ : -).');
} else {
  const client = new DanmakuClient({ room, token: params.get('token') || '' });
  state.client = client;
  client.on('danmaku', (danmaku) => overlay.add(danmaku));
  client.on('recall', (msgId) => overlay.recall(msgId));
  client.on('state', ({ state: now, code, reason }) => {
    state.state = now;
    if (now === 'failed') {
      showProblem(code === 4001 ? 'This gateway admits no anonymous viewers: add &token=<a viewer token> to the URL.'
        : `The gateway refused this overlay (${code}${reason ? `: ${reason}` : ''}).`);
    }
    else if (now === 'joined') showProblem('');
  });
  client.connect();
}
