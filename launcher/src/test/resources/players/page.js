// What both test pages share: the gateway and room from the URL, the client, and a video to play
// (recorded from a canvas: the players need a real media URL).
const params = new URLSearchParams(location.search);
export const gateway = params.get('gw');
export const room = params.get('room');
export const token = params.get('token') || '';
window.notices = [];

export async function client() {
  const { DanmakuClient } = await import(`${gateway}/danmaku-client.js`);
  const made = new DanmakuClient({ room, token, url: `${gateway.replace('http', 'ws')}/ws` });
  made.on('state', ({ state }) => { window.clientState = state; });
  return made;
}

export async function players() {
  return import(`${gateway}/danmaku-players.js`);
}

/** A few seconds of moving colour, as a webm blob URL. */
export async function testVideo(seconds = 8) {
  const canvas = document.createElement('canvas');
  canvas.width = 320;
  canvas.height = 180;
  const ctx = canvas.getContext('2d');
  const recorder = new MediaRecorder(canvas.captureStream(15), { mimeType: 'video/webm' });
  const chunks = [];
  recorder.ondataavailable = (event) => chunks.push(event.data);
  const done = new Promise((resolve) => { recorder.onstop = resolve; });
  recorder.start(250);
  const start = performance.now();
  await new Promise((resolve) => {
    const draw = () => {
      const t = (performance.now() - start) / 1000;
      ctx.fillStyle = `hsl(${(t * 60) % 360}, 60%, 40%)`;
      ctx.fillRect(0, 0, 320, 180);
      if (t < seconds) requestAnimationFrame(draw); else resolve();
    };
    draw();
  });
  recorder.stop();
  await done;
  return URL.createObjectURL(new Blob(chunks, { type: 'video/webm' }));
}
