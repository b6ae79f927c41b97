/** Danmaku overlay: createOverlay(root, {maxOnScreen, maxLanes, onRender}) → {add(danmaku, {own}), recall(msgId), clear(), settings(partial), blockWords(list), blockUsers(list), blockTypes(list), pause(), resume(), rendered, stats(), destroy()}. */

/*
 * A plain ES module with no dependencies, shared by the viewer and the analyst's replay player.
 *
 *   import { createOverlay } from './overlay.js';
 *   const overlay = createOverlay(document.getElementById('overlay'));
 *   overlay.add(danmaku, { own: false }); // danmaku: the proto3 JSON Danmaku {msgId, text, color, mode, fontSize, userId, userName, ...}
 *
 * root          an element over the video; the overlay makes it an absolutely positioned, click-through
 *               layer filling its positioned parent, and follows its size.
 * options       maxOnScreen (300): hard cap of items on screen; maxLanes: at most this many lines of each
 *               mode, whatever the stage height; onRender(danmaku, {own}): called for each danmaku when it
 *               goes on screen.
 * add           → 'queued' | 'blocked' | 'hidden' | 'duplicate' | 'recalled' | 'invalid'. Queued danmaku go
 *               on screen at the next animation frame, or as soon as a lane frees up; one that waits
 *               longer than 5 s is dropped. `own` danmaku get a frame, skip the queue and the filters.
 * settings      {opacity 0.1–1, density 0.1–1 (share of the stage height danmaku may use), speed 0.5–2,
 *               fontScale 0.5–2, hidden}; takes a partial object, returns the full current one.
 *               Hiding clears the screen and skips what arrives until shown again.
 * blockWords    ['spoiler', '/re+gex/i', ...]: case-insensitive substrings, or regular expressions
 *               written between slashes; blockUsers: user ids or names; blockTypes: any of 'SCROLL',
 *               'TOP', 'BOTTOM', 'COLOR' (every colour but white). All take matching items off the screen.
 * pause/resume  freeze and continue the motion (a paused replay).
 * rendered      [{msgId, text}] of every danmaku put on screen, oldest first (the last 1000).
 * stats()       {onScreen, waiting, shown, blocked, dropped}.
 *
 * DOM: items are .danmaku-item elements (plus .danmaku-scroll / -top / -bottom, .mine for own) with
 * data-msg-id, text set with textContent only. Motion: one requestAnimationFrame loop writes
 * translate3d transforms and never reads layout; widths are measured on a canvas.
 */

const DEFAULTS = Object.freeze({ opacity: 1, density: 1, speed: 1, fontScale: 1, hidden: false });
const LIMITS = { opacity: [0.1, 1], density: [0.1, 1], speed: [0.5, 2], fontScale: [0.5, 2] };

const BASE_FONT_PX = 24; // at a 900 px wide stage; items scale with the stage
const LINE_HEIGHT = 1.3; // lane height per font size
const CROSS_MS = 8000; // a scroll item crosses the stage in about this long at speed 1
const FIXED_MS = 5000; // TOP / BOTTOM items stay this long
const FADE_MS = 200;
const MAX_WAIT_MS = 5000; // a live comment shown many seconds late, behind a backlog, is worse than none
const MAX_WAITING = 1000;
const MAX_FRAME_MS = 100; // after a stalled tab, continue rather than jump
const RENDERED_KEPT = 1000;
const RECALLED_KEPT = 5000;
const FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif';

const STYLE = `
.danmaku-overlay { position: absolute; inset: 0; overflow: hidden; pointer-events: none; contain: strict; }
.danmaku-overlay.danmaku-hidden { display: none; }
.danmaku-item {
  position: absolute; left: 0; top: 0; margin: 0; padding: 0; box-sizing: border-box;
  white-space: nowrap; font-family: ${FONT_FAMILY}; font-weight: 700;
  text-shadow: 0 0 2px #000, 1px 1px 2px #000, -1px -1px 2px #000;
  will-change: transform; user-select: none; contain: layout style;
}
.danmaku-item.dark { text-shadow: 0 0 2px #fff, 1px 1px 2px #fff, -1px -1px 2px #fff; }
.danmaku-top, .danmaku-bottom { overflow: hidden; text-overflow: ellipsis; }
.danmaku-item.mine { outline: 1px solid rgba(255, 255, 255, 0.8); outline-offset: -1px; border-radius: 3px; padding: 0 4px; }
`;
const MINE_PAD_PX = 8; // the .mine padding, both sides

const clamp = (value, lo, hi) => Math.min(hi, Math.max(lo, value));

function installStyle() {
  if (document.getElementById('danmaku-overlay-style')) return;
  const style = document.createElement('style');
  style.id = 'danmaku-overlay-style';
  style.textContent = STYLE;
  document.head.prepend(style); // first, so a page's own stylesheet can override it
}

/** 0xRRGGBB; 0 or missing means white, as in the protocol. */
function rgb(color) {
  return ((Number(color) >>> 0) & 0xffffff) || 0xffffff;
}

function cssColor(color) {
  return `#${rgb(color).toString(16).padStart(6, '0')}`;
}

/** Very dark colours would vanish behind a black outline: they get a light one. */
function isDark(color) {
  const c = rgb(color);
  return 0.299 * (c >> 16) + 0.587 * ((c >> 8) & 0xff) + 0.114 * (c & 0xff) < 60;
}

function modeOf(danmaku) {
  return danmaku.mode === 'TOP' || danmaku.mode === 'BOTTOM' ? danmaku.mode : 'SCROLL';
}

const fold = (text) => String(text ?? '').normalize('NFKC').toLowerCase();

/** '/re/flags' is a regular expression, anything else a substring; a broken expression matches nothing. */
function wordMatcher(entry) {
  const regex = /^\/(.+)\/([a-z]*)$/s.exec(entry);
  if (regex) {
    try {
      const re = new RegExp(regex[1], regex[2].includes('i') ? regex[2] : `${regex[2]}i`);
      return (text) => re.test(text);
    } catch {
      return () => false;
    }
  }
  const needle = fold(entry);
  return needle ? (text) => fold(text).includes(needle) : () => false;
}

export function createOverlay(root, options = {}) {
  installStyle();
  root.classList.add('danmaku-overlay');
  const maxOnScreen = options.maxOnScreen || 300;
  const maxLanes = options.maxLanes > 0 ? Math.floor(options.maxLanes) : Infinity;
  const onRender = typeof options.onRender === 'function' ? options.onRender : null;

  const cfg = { ...DEFAULTS };
  const live = new Set(); // items on screen
  const captions = new Set(); // the TOP / BOTTOM ones among them
  const known = new Map(); // msgId → item, on screen or waiting
  const waiting = []; // items without a lane yet, in arrival order (own ones first)
  const recalled = new Set();
  const rendered = [];
  const counts = { shown: 0, blocked: 0, dropped: 0 };
  const pool = []; // detached elements for reuse
  let lanes = { SCROLL: [], TOP: [], BOTTOM: [] }; // lane index → the item that last took it
  let wordTests = [];
  let users = new Set();
  let types = new Set();
  let stage = { width: root.clientWidth, height: root.clientHeight };
  let raf = 0;
  let lastFrame = 0;
  let paused = false;

  const measure = document.createElement('canvas').getContext('2d');
  const resize = new ResizeObserver(([entry]) => {
    stage = { width: entry.contentRect.width, height: entry.contentRect.height };
    relane();
  });
  resize.observe(root);

  const scale = () => clamp(stage.width / 900, 0.6, 1.25) * cfg.fontScale;
  // Rounded the same way as an item's size, so a default-size item fits one lane exactly.
  const laneHeight = () => Math.round(Math.max(10, Math.round(BASE_FONT_PX * scale())) * LINE_HEIGHT);
  // TOP and BOTTOM get half the area each, so they never cover one another.
  const laneCount = (mode) => Math.max(1, Math.min(maxLanes,
    Math.floor((stage.height * cfg.density * (mode === 'SCROLL' ? 1 : 0.5)) / laneHeight())));
  const pxPerMs = () => (Math.max(stage.width, 480) / CROSS_MS) * cfg.speed;

  function fontPx(danmaku) {
    const size = Number(danmaku.fontSize) > 0 ? clamp(Number(danmaku.fontSize), 12, 64) : BASE_FONT_PX;
    return Math.max(10, Math.round(size * scale()));
  }

  function blocked(danmaku) {
    if (types.size && (types.has(modeOf(danmaku)) || (types.has('COLOR') && rgb(danmaku.color) !== 0xffffff))) return true;
    if (users.size && (users.has(fold(danmaku.userId)) || users.has(fold(danmaku.userName)))) return true;
    return wordTests.some((test) => test(danmaku.text));
  }

  // ------------------------------------------------------------ public API

  function add(danmaku, { own = false } = {}) {
    if (!danmaku || !danmaku.msgId || typeof danmaku.text !== 'string') return 'invalid';
    if (recalled.has(danmaku.msgId)) return 'recalled';
    if (known.has(danmaku.msgId)) return 'duplicate';
    if (cfg.hidden) return 'hidden';
    if (!own && blocked(danmaku)) {
      counts.blocked++;
      return 'blocked';
    }
    const item = { danmaku, own, mode: modeOf(danmaku), since: performance.now(), el: null };
    known.set(danmaku.msgId, item);
    if (own) waiting.unshift(item);
    else waiting.push(item);
    if (waiting.length > MAX_WAITING) forget(waiting.find((w) => !w.own) || item, true); // the oldest would expire first
    schedule();
    return 'queued';
  }

  /** A moderator's recall: off the screen now, and never shown later. */
  function recall(msgId) {
    recalled.add(msgId);
    if (recalled.size > RECALLED_KEPT) recalled.delete(recalled.values().next().value);
    const item = known.get(msgId);
    if (item) forget(item, false);
  }

  function clear() {
    for (const item of [...known.values()]) forget(item, false);
    lanes = { SCROLL: [], TOP: [], BOTTOM: [] };
  }

  function settings(partial = {}) {
    const before = { ...cfg };
    for (const [key, [lo, hi]] of Object.entries(LIMITS)) {
      const value = Number(partial[key]);
      if (key in partial && Number.isFinite(value)) cfg[key] = clamp(value, lo, hi);
    }
    if ('hidden' in partial) cfg.hidden = Boolean(partial.hidden);
    root.style.opacity = cfg.opacity === 1 ? '' : String(cfg.opacity);
    root.classList.toggle('danmaku-hidden', cfg.hidden);
    if (cfg.hidden && !before.hidden) clear();
    if (cfg.fontScale !== before.fontScale || cfg.density !== before.density) relane();
    return { ...cfg };
  }

  function blockWords(list) {
    wordTests = (list || []).map(String).filter((w) => w.trim()).map((w) => wordMatcher(w.trim()));
    sweep();
  }

  function blockTypes(list) {
    types = new Set((list || []).map((type) => String(type).toUpperCase()));
    sweep();
  }

  function blockUsers(list) {
    users = new Set((list || []).map(fold).filter(Boolean));
    sweep();
  }

  function pause() {
    paused = true;
  }

  function resume() {
    if (!paused) return;
    paused = false;
    const now = performance.now();
    waiting.forEach((item) => { item.since = now; }); // the pause is not their fault
    lastFrame = 0;
    schedule();
  }

  function stats() {
    return { onScreen: live.size, waiting: waiting.length, ...counts };
  }

  function destroy() {
    cancelAnimationFrame(raf);
    raf = 0;
    resize.disconnect();
    clear();
    pool.length = 0;
  }

  // ------------------------------------------------------------ placing

  /** Takes matching items off, after the block lists changed. */
  function sweep() {
    for (const item of [...known.values()]) {
      if (!item.own && blocked(item.danmaku)) {
        counts.blocked++;
        forget(item, false);
      }
    }
  }

  /** Sizes an item from a canvas measurement, so adding never forces a layout. */
  function size(item) {
    const px = fontPx(item.danmaku);
    if (item.px === px) return; // measured before, at this scale
    measure.font = `700 ${px}px ${FONT_FAMILY}`;
    item.px = px;
    item.h = Math.round(px * LINE_HEIGHT);
    item.w = Math.ceil(measure.measureText(item.danmaku.text).width) + 2 + (item.own ? MINE_PAD_PX : 0);
    if (item.mode !== 'SCROLL') item.w = Math.min(item.w, Math.floor(stage.width * 0.96));
  }

  /** A scroll lane is free once the tail of its last item is a gap inside the stage: at one common speed nothing catches up. */
  function laneFree(mode, lane, gap) {
    const last = lanes[mode][lane];
    if (!last || !live.has(last)) return true;
    return mode === 'SCROLL' ? last.x + last.w + gap <= stage.width : false;
  }

  /** Room left in a lane (bigger is better), for an own item that must go somewhere now. */
  function laneRoom(mode, lane) {
    const last = lanes[mode][lane];
    if (!last || !live.has(last)) return Infinity;
    return mode === 'SCROLL' ? stage.width - (last.x + last.w) : last.age;
  }

  function underCaption(top, bottom) {
    for (const item of captions) if (item.y < bottom && item.y + item.h > top) return true;
    return false;
  }

  /** Whether scroll text on screen passes through this box while a caption would stand there. */
  function overScroll(left, width, top, bottom) {
    const travel = pxPerMs() * FIXED_MS;
    for (const item of live) {
      if (item.mode === 'SCROLL' && item.y < bottom && item.y + item.h > top
          && item.x - travel < left + width && item.x + item.w > left) return true;
    }
    return false;
  }

  function place(item, force) {
    size(item);
    const height = laneHeight();
    const needed = Math.max(1, Math.ceil((item.h - 1) / height)); // a pixel of rounding is no reason for a second lane
    const count = Math.max(needed, laneCount(item.mode));
    const fits = (k) => {
      for (let j = k; j < k + needed; j++) if (!laneFree(item.mode, j, height)) return false;
      return true;
    };
    // Scroll text and captions rather stay apart: a scroll item takes a lane no caption covers, a caption
    // a lane no scroll text will cross while it stands, as long as there is such a lane.
    const top = (k) => (item.mode === 'BOTTOM' ? stage.height - (k * height + item.h) : k * height);
    const apart = item.mode === 'SCROLL'
      ? (k) => !underCaption(top(k), top(k) + needed * height)
      : (k) => !overScroll((stage.width - item.w) / 2, item.w, top(k), top(k) + item.h);
    let lane = -1;
    for (let k = 0; k + needed <= count && lane < 0; k++) if (fits(k) && apart(k)) lane = k;
    for (let k = 0; k + needed <= count && lane < 0; k++) if (fits(k)) lane = k;
    if (lane < 0 && force) {
      let best = -Infinity;
      for (let k = 0; k + needed <= count; k++) {
        const room = laneRoom(item.mode, k);
        if (room > best) [best, lane] = [room, k];
      }
    }
    if (lane < 0) return false;
    for (let j = lane; j < lane + needed; j++) lanes[item.mode][j] = item;
    item.lane = lane;
    item.y = top(lane);
    item.x = item.mode === 'SCROLL' ? stage.width : (stage.width - item.w) / 2;
    item.age = 0;
    show(item);
    return true;
  }

  function show(item) {
    const { danmaku } = item;
    const el = pool.pop() || document.createElement('div');
    el.className = `danmaku-item danmaku-${item.mode.toLowerCase()}${isDark(danmaku.color) ? ' dark' : ''}${item.own ? ' mine' : ''}`;
    el.dataset.msgId = danmaku.msgId;
    el.textContent = danmaku.text; // never innerHTML: the text is whatever a viewer typed
    el.style.color = cssColor(danmaku.color);
    el.style.fontSize = `${item.px}px`;
    el.style.lineHeight = `${item.h}px`;
    el.style.maxWidth = item.mode === 'SCROLL' ? '' : `${item.w}px`;
    el.style.opacity = item.mode === 'SCROLL' ? '' : '0';
    el.style.transform = `translate3d(${item.x}px, ${item.y}px, 0)`;
    item.el = el;
    root.append(el);
    live.add(item);
    if (item.mode !== 'SCROLL') captions.add(item);
    counts.shown++;
    rendered.push({ msgId: danmaku.msgId, text: danmaku.text });
    if (rendered.length > RENDERED_KEPT) rendered.splice(0, rendered.length - RENDERED_KEPT);
    if (onRender) onRender(danmaku, { own: item.own });
  }

  /** Removes an item wherever it is; `dropped` counts those that never made it on screen in time. */
  function forget(item, dropped) {
    if (known.get(item.danmaku.msgId) === item) known.delete(item.danmaku.msgId);
    if (item.el) {
      live.delete(item);
      captions.delete(item);
      item.el.remove();
      if (pool.length < 200) pool.push(item.el);
      item.el = null;
    } else {
      const at = waiting.indexOf(item);
      if (at >= 0) waiting.splice(at, 1);
      if (dropped) counts.dropped++;
    }
  }

  /** After a resize or a new lane height: lanes are rebuilt from where the items are now. */
  function relane() {
    lanes = { SCROLL: [], TOP: [], BOTTOM: [] };
    const height = laneHeight();
    for (const item of live) {
      if (item.mode !== 'SCROLL') { // fixed items keep their lane, at the new lane height and centre
        item.x = (stage.width - item.w) / 2;
        item.y = item.mode === 'BOTTOM' ? stage.height - (item.lane * height + item.h) : item.lane * height;
        item.el.style.transform = `translate3d(${item.x}px, ${item.y}px, 0)`;
      }
      const top = item.mode === 'BOTTOM' ? stage.height - item.y - item.h : item.y;
      const first = Math.max(0, Math.floor(top / height));
      const last = Math.max(first, Math.ceil((top + item.h) / height) - 1);
      for (let k = first; k <= last; k++) {
        const held = lanes[item.mode][k];
        if (!held || item.x + item.w > held.x + held.w) lanes[item.mode][k] = item;
      }
    }
  }

  // ------------------------------------------------------------ motion

  function schedule() {
    if (!raf && !paused) raf = requestAnimationFrame(frame);
  }

  /** One frame: move, expire, then place what waits. Writes only; nothing here reads layout. */
  function frame(now) {
    raf = 0;
    if (paused) return;
    const dt = lastFrame ? Math.min(MAX_FRAME_MS, now - lastFrame) : 0;
    lastFrame = now;
    const step = pxPerMs() * dt;
    for (const item of live) {
      if (item.mode === 'SCROLL') {
        item.x -= step;
        if (item.x + item.w < 0) forget(item, false);
        else item.el.style.transform = `translate3d(${item.x.toFixed(1)}px, ${item.y}px, 0)`;
        continue;
      }
      item.age += dt;
      if (item.age >= FIXED_MS) forget(item, false);
      else if (item.age < FADE_MS || item.age > FIXED_MS - FADE_MS) {
        item.el.style.opacity = String(Math.min(item.age, FIXED_MS - item.age) / FADE_MS);
      } else if (item.el.style.opacity !== '') item.el.style.opacity = '';
    }
    drain(now);
    if (live.size || waiting.length) schedule();
    else lastFrame = 0;
  }

  /**
   * Places waiting items as lanes free up, first come first served per mode: once one item of a mode
   * finds no lane, later ones of that mode wait behind it (which also keeps a long queue cheap).
   * Own items are placed even where it overlaps.
   */
  function drain(now) {
    const full = new Set();
    for (let i = 0; i < waiting.length;) {
      const item = waiting[i];
      if (now - item.since > MAX_WAIT_MS && !item.own) {
        forget(item, true);
      } else if (item.own || (live.size < maxOnScreen && !full.has(item.mode))) {
        if (place(item, item.own)) waiting.splice(i, 1);
        else {
          full.add(item.mode);
          i++;
        }
      } else {
        i++;
      }
    }
  }

  return {
    add, recall, clear, settings, blockWords, blockUsers, blockTypes, pause, resume, stats, destroy,
    rendered,
    get paused() { return paused; },
  };
}
