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
 * those when they were sent); a recalled danmaku cannot be taken off these players' screens.
 */

import { REFUSAL_TEXT } from './danmaku-client.js';

const MODES = ['SCROLL', 'TOP', 'BOTTOM']; // the index is DPlayer's type and the plugin's mode

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

/** Sends what a player's viewer typed; resolves true when it was let through, else tells why and resolves false. */
async function sendFor(client, text, options, tell) {
  try {
    const ack = await client.send(text, options);
    if (ack.verdict === 'REJECTED') {
      tell(refusal(ack));
      return false;
    }
    return true;
  } catch (error) {
    tell(refusal(error));
    return false;
  }
}

/** Each live danmaku of the room but the viewer's own, to `draw`. Returns what stops it. */
function feed(client, draw) {
  return client.on('danmaku', (danmaku) => {
    if (client.user && danmaku.userId === client.user) return;
    draw(danmaku);
  });
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
      sendFor(client, data.text, { color: rgb(data.color), mode: mode(data.type) }, tell)
        .then((sent) => { if (sent) options.success(); });
    },
  };
}

/** The room's live danmaku into a DPlayer. */
export function feedDPlayer(dp, client) {
  return feed(client, (danmaku) => dp.danmaku.draw({
    text: escapeHtml(danmaku.text),
    color: rgb(danmaku.color),
    type: Math.max(0, MODES.indexOf(danmaku.mode || 'SCROLL')),
  }));
}

/**
 * Options for artplayer-plugin-danmuku (it checks their types: nothing else goes in): its emitter
 * sends through the client; `danmuku` as given (none by default); `refused(text)` shows why a send
 * was not let through, e.g. (text) => { art.notice.show = text; }.
 */
export function artplayerDanmukuOptions(client, { danmuku = [], refused = (text) => console.warn(text) } = {}) {
  return {
    danmuku,
    beforeEmit: (danmu) => sendFor(client, danmu.text,
      { color: parseInt(String(danmu.color || '#ffffff').slice(1), 16) || 0xffffff, mode: mode(danmu.mode) }, refused),
  };
}

/** The room's live danmaku into an ArtPlayer with artplayer-plugin-danmuku. */
export function feedArtPlayer(art, client) {
  return feed(client, (danmaku) => art.plugins.artplayerPluginDanmuku.emit({
    text: danmaku.text, // the plugin writes textContent
    color: hex(danmaku.color),
    mode: Math.max(0, MODES.indexOf(danmaku.mode || 'SCROLL')),
  }));
}
