/**
 * What a browser hears after seeking a clip: a page that plays an <audio> element through Web Audio
 * (MediaElementSource → ScriptProcessor, muted by a zero gain so nothing needs a sound card) and
 * records the samples it renders after each seek. The same page runs in Chromium and Firefox; the
 * caller finds where the recorded audio sits in the clip by cross-correlation (seek-measure.ts).
 * ScriptProcessor is deprecated but runs in both browsers without a module file. Nothing here waits a
 * fixed time: on a busy machine playback is slow to start, so the page waits for the samples it needs.
 */
export interface Heard {
  /** Rendered samples from the first non-silent one on. */
  samples: number[];
  duration: number;
}

export interface PlayedToEnd {
  duration: number;
  ended: boolean;
}

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
    for (let i = 0; i < d.length; i++) {
      if (rec.first < 0 && Math.abs(d[i]) > 1e-4) rec.first = rec.samples.length;
      if (rec.first >= 0) rec.samples.push(d[i]);
    }
  };
}
const once = (el, ev) => new Promise((r) => el.addEventListener(ev, r, { once: true }));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function seek(t) {
  a.pause();
  const seeked = once(a, "seeked");
  a.currentTime = t;
  await seeked;
}
window.load = async (url) => {
  setup();
  await ctx.resume();
  a.src = url;
  await once(a, "loadedmetadata");
  return { duration: a.duration, rate: ctx.sampleRate };
};
/** Seeks to t, plays until \`seconds\` of audio were rendered after the first non-silent sample. */
window.listen = async (t, seconds) => {
  await seek(t);
  rec = { first: -1, samples: [] };
  const want = Math.round(ctx.sampleRate * seconds);
  await a.play();
  while (rec.samples.length < want && !a.ended) await sleep(50);
  a.pause();
  const samples = rec.samples.slice(0, want);
  rec = null;
  return { samples, duration: a.duration };
};
/** Seeks to t, plays to the end, returns the duration the element reports then. */
window.playToEnd = async (t) => {
  await seek(t);
  const ended = once(a, "ended");
  await a.play();
  await Promise.race([ended, sleep(60000)]);
  return { duration: a.duration, ended: a.ended };
};
</script>`;
