/**
 * What a browser hears after seeking a clip: a page that plays an <audio> element through Web Audio
 * (MediaElementSource → ScriptProcessor, muted by a zero gain so nothing needs a sound card) and
 * records the samples it renders after each seek. The same page runs in Chromium and Firefox; the
 * caller finds where the recorded audio sits in the clip by cross-correlation (seek-measure.ts).
 * ScriptProcessor is deprecated but runs in both browsers without a module file.
 */
export const SEEK_PAGE = `<!doctype html><meta charset="utf-8"><title>seek</title>
<audio id="a" preload="auto" crossorigin="anonymous"></audio>
<script>
const a = document.getElementById("a");
let ctx, rec = null;
function setup() {
  if (ctx) return;
  ctx = new AudioContext();
  const src = ctx.createMediaElementSource(a);
  const proc = ctx.createScriptProcessor(4096, 1, 1);
  const mute = ctx.createGain();
  mute.gain.value = 0;
  src.connect(proc);
  proc.connect(mute);
  mute.connect(ctx.destination);
  proc.onaudioprocess = (e) => {
    if (!rec) return;
    const d = e.inputBuffer.getChannelData(0);
    rec.chunks.push(Array.from(d));
    rec.n += d.length;
  };
}
const once = (el, ev) => new Promise((r) => el.addEventListener(ev, r, { once: true }));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
window.load = async (url) => {
  setup();
  await ctx.resume();
  a.src = url;
  await once(a, "loadedmetadata");
  return { duration: a.duration, rate: ctx.sampleRate };
};
/** Seeks to t, plays ms of audio, returns what was rendered from the first non-silent sample on. */
window.listen = async (t, ms) => {
  a.pause();
  const seeked = once(a, "seeked");
  a.currentTime = t;
  await seeked;
  rec = { chunks: [], n: 0 };
  await a.play();
  await sleep(ms);
  a.pause();
  const all = rec.chunks.flat();
  rec = null;
  let first = all.findIndex((x) => Math.abs(x) > 1e-4);
  if (first < 0) first = all.length;
  return { samples: all.slice(first, first + Math.round(ctx.sampleRate * 0.4)), duration: a.duration, lead: first };
};
/** Seeks to t, plays to the end, returns the duration the element reports then. */
window.playToEnd = async (t) => {
  a.pause();
  const seeked = once(a, "seeked");
  a.currentTime = t;
  await seeked;
  const ended = once(a, "ended");
  await a.play();
  await Promise.race([ended, sleep((a.duration - t) * 1000 + 5000)]);
  return { duration: a.duration, currentTime: a.currentTime, ended: a.ended };
};
</script>`;
