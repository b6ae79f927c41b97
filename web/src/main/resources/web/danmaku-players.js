/**
 * danmaku-players.js: a room's live danmaku in the web players people already use, through
 * danmaku-client.js. A plain ES module without dependencies; every gateway serves it at
 * /danmaku-players.js. The players themselves come from the page (npm: dplayer, artplayer and
 * artplayer-plugin-danmuku).
 *
 * DPlayer (1.26+):
 *   const client = new DanmakuClient({ room, token });
 *   const dp = new DPlayer({ container, live: true, video: {...},
 *     danmaku: { id: room, api: '/unused/' }, apiBackend: dplayerBackend(client) });
 *   feedDPlayer(dp, client);
 *   client.connect();
 * What the viewer types in DPlayer's comment box is sent through the client (moderated and acked);
 * a refusal shows in DPlayer's notice. DPlayer draws a send at once, before its answer, as it always does.
 *
 * ArtPlayer with artplayer-plugin-danmuku (5.x):
 *   const art = new Artplayer({ container, url, plugins: [artplayerPluginDanmuku(artplayerDanmukuOptions(client,
 *     { refused: (text) => { art.notice.show = text; } }))] });
 *   feedArtPlayer(art, client);
 * The plugin shows a send only when beforeEmit says true, so a refused one is never drawn; the
 * refusal shows in ArtPlayer's notice. ArtPlayer draws danmaku only while the video plays.
 *
 * Both: the room's live danmaku are drawn as they come, except the viewer's own (the player drew
 * those when they were sent). A recall takes a danmaku off the screen, the viewer's own too, and a
 * recalled one still waiting in ArtPlayer's queue never shows.
 */

import { REFUSAL_TEXT } from './danmaku-client.js';

const MODES = ['SCROLL', 'TOP', 'BOTTOM']; // the index is DPlayer's type and the plugin's mode
const RECALLS_KEPT = 1000; // recalls remembered for danmaku still waiting in ArtPlayer's queue

/** What a refused send or a failed one tells the viewer. */
export function refusal(ackOrError) {
  if (ackOrError instanceof Error) {
    return ackOrError.code === 'unavailable' ? 'Not sent: the server is not answering; try again in a moment.'
      : `Not sent: ${ackOrError.message}`;
  }
  return `Not sent: ${REFUSAL_TEXT[ackOrError.reason] || ackOrError.reason || 'refused'}`;
}

/** For players that write a danmaku's text as HTML (DPlayer). */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

const rgb = (color) => (Number(color) & 0xffffff) || 0xffffff; // 0 is white in the protocol
const hex = (color) => `#${rgb(color).toString(16).padStart(6, '0')}`;
const mode = (index) => MODES[index] || 'SCROLL';

/**
 * Sends what a player's viewer typed; resolves its msgId when it was let through, else tells why
 * and resolves null.
 */
async function sendFor(client, text, options, tell) {
  try {
    const ack = await client.send(text, options);
    if (ack.verdict === 'REJECTED') {
      tell(refusal(ack));
      return null;
    }
    return ack.msgId;
  } catch (error) {
    tell(refusal(error));
    return null;
  }
}

/** Each live danmaku of the room but the viewer's own to `draw`, each recall to `recall`. Returns what stops both. */
function feed(client, draw, recall) {
  const stops = [
    client.on('danmaku', (danmaku) => {
      if (client.user && danmaku.userId === client.user) return;
      draw(danmaku);
    }),
    client.on('recall', recall),
  ];
  return () => stops.forEach((stop) => stop());
}

/** DPlayer draws synchronously into its danmaku layer: the item it just added, if it found room for one. */
function drawnBy(dp, draw) {
  const layer = dp.template.danmaku;
  const before = layer.lastElementChild;
  draw();
  return layer.lastElementChild !== before ? layer.lastElementChild : null;
}

/**
 * DPlayer's apiBackend: its comment box sends through the client. Reading gives what `history`
 * resolves to (DPlayer's items: {time, type, color, author, text}), or nothing for a live stream.
 */
export function dplayerBackend(client, { history } = {}) {
  return {
    read(options) {
      Promise.resolve(history ? history() : []).then(
        (items) => options.success(items.map((item) => ({ ...item, text: escapeHtml(item.text) }))),
        () => options.error('Could not load the danmaku.'),
      );
    },
    send(options) {
      const data = options.data;
      const tell = (text) => options.error(escapeHtml(text));
      sendFor(client, data.text, { color: rgb(data.color), mode: mode(data.type) }, tell).then((msgId) => {
        if (!msgId) return;
        // DPlayer drew it as it was sent: mark the newest unmarked item with its text, so a recall finds it
        const drawn = [...document.querySelectorAll('.dplayer-danmaku-item:not([data-msg-id])')]
          .reverse().find((item) => item.textContent === data.text);
        if (drawn) drawn.dataset.msgId = msgId;
        options.success();
      });
    },
  };
}

/** The room's live danmaku into a DPlayer, and recalls off it. */
export function feedDPlayer(dp, client) {
  return feed(client, (danmaku) => {
    const item = drawnBy(dp, () => dp.danmaku.draw({
      text: escapeHtml(danmaku.text),
      color: rgb(danmaku.color),
      type: Math.max(0, MODES.indexOf(danmaku.mode || 'SCROLL')),
    }));
    if (item) item.dataset.msgId = danmaku.msgId;
  }, (msgId) => {
    // hidden, not removed: DPlayer removes its items itself when they have crossed
    dp.template.danmaku.querySelectorAll('.dplayer-danmaku-item').forEach((item) => {
      if (item.dataset.msgId === msgId) item.style.visibility = 'hidden';
    });
  });
}

/**
 * Options for artplayer-plugin-danmuku (it checks their types: nothing else goes in): its emitter
 * sends through the client; `danmuku` as given (none by default); `refused(text)` shows why a send
 * was not let through, e.g. (text) => { art.notice.show = text; }.
 */
export function artplayerDanmukuOptions(client, { danmuku = [], refused = (text) => console.warn(text) } = {}) {
  return {
    danmuku,
    beforeEmit: async (danmu) => {
      const msgId = await sendFor(client, danmu.text,
        { color: parseInt(String(danmu.color || '#ffffff').slice(1), 16) || 0xffffff, mode: mode(danmu.mode) }, refused);
      if (msgId) danmu.id = msgId; // the plugin emits this very object: a recall finds it by its id
      return Boolean(msgId);
    },
  };
}

/** The room's live danmaku into an ArtPlayer with artplayer-plugin-danmuku, and recalls off it. */
export function feedArtPlayer(art, client) {
  const plugin = art.plugins.artplayerPluginDanmuku;
  const recalled = new Set();
  const shows = plugin.option.beforeVisible;
  plugin.config({ beforeVisible: async (danmu) => !recalled.has(danmu.id) && shows(danmu) });
  return feed(client, (danmaku) => plugin.emit({
    id: danmaku.msgId,
    text: danmaku.text, // the plugin writes textContent
    color: hex(danmaku.color),
    mode: Math.max(0, MODES.indexOf(danmaku.mode || 'SCROLL')),
  }), (msgId) => {
    recalled.add(msgId);
    if (recalled.size > RECALLS_KEPT) recalled.delete(recalled.values().next().value);
    // on screen: hidden until the plugin takes the element back for another danmaku
    art.template.$player.querySelectorAll('[data-id]').forEach((shown) => {
      if (shown.dataset.id === msgId) shown.style.visibility = 'hidden';
    });
  });
}
