/**
 * The studio's behaviour, as the text of a module script (no template literals inside, so it can live in
 * this string as it is). PATHS is defined by the page before it.
 */
export const STUDIO_SCRIPT = String.raw`
const $ = (id) => document.getElementById(id);
const MAX_CLIP_MS = 300000;
const MIN_CLIP_MS = 1000;
const state = { id: "", title: "", durationMs: 0, startMs: 0, endMs: 0, wave: null, drag: null };

function clock(ms, tenths) {
  const total = Math.max(0, ms) / 1000;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const sec = tenths ? s.toFixed(1).padStart(4, "0") : String(Math.floor(s)).padStart(2, "0");
  return h > 0 ? h + ":" + String(m).padStart(2, "0") + ":" + sec : m + ":" + sec;
}

/** "1:02:03.5", "12:34", "75.5" (seconds): milliseconds, or NaN. */
function parseClock(text) {
  const parts = text.trim().split(":");
  if (parts.length > 3 || parts.some((p) => !/^\d+(\.\d+)?$/.test(p))) return NaN;
  return Math.round(parts.reduce((acc, p) => acc * 60 + Number(p), 0) * 1000);
}

function setRange(startMs, endMs, source) {
  const d = state.durationMs;
  startMs = Math.max(0, Math.min(startMs, d - MIN_CLIP_MS));
  endMs = Math.max(startMs + MIN_CLIP_MS, Math.min(endMs, d, startMs + MAX_CLIP_MS));
  state.startMs = Math.round(startMs);
  state.endMs = Math.round(endMs);
  if (source !== "text") {
    $("start-text").value = clock(state.startMs, true);
    $("end-text").value = clock(state.endMs, true);
  }
  $("start-range").value = String(state.startMs);
  $("end-range").value = String(state.endMs);
  $("start-range").setAttribute("aria-valuetext", clock(state.startMs, true));
  $("end-range").setAttribute("aria-valuetext", clock(state.endMs, true));
  $("selection-label").textContent =
    "Clip " + clock(state.startMs, true) + "–" + clock(state.endMs, true) +
    " (" + ((state.endMs - state.startMs) / 1000).toFixed(1) + " s)";
  updateLinks();
  draw();
}

function query() {
  return "?start_time_ms=" + state.startMs + "&duration_ms=" + (state.endMs - state.startMs);
}

function updateLinks() {
  const id = encodeURIComponent(state.id);
  const clip = new URL(PATHS.clip + id + query(), location.href).href;
  const share = new URL(PATHS.share + id + query(), location.href).href;
  const embed = share + "&embed=1";
  $("clip-url").value = clip;
  $("share-url").value = share;
  $("download").href = clip + "&download=1";
  const title = (state.title || state.id) + ", " + clock(state.startMs) + "–" + clock(state.endMs);
  $("embed-code").value = '<iframe src="' + embed + '" width="' + PATHS.player.width + '" height="' +
    PATHS.player.height + '" style="border:0" title="' + title.replace(/[&"<>]/g, (c) => "&#" + c.charCodeAt(0) + ";") +
    '" loading="lazy"></iframe>';
}

function draw() {
  const canvas = $("wave");
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
  const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
  if (canvas.width !== width || canvas.height !== height) [canvas.width, canvas.height] = [width, height];
  const g = canvas.getContext("2d");
  g.clearRect(0, 0, width, height);
  const d = state.durationMs;
  if (!d) return;
  const x0 = (state.startMs / d) * width;
  const x1 = (state.endMs / d) * width;
  g.fillStyle = "rgba(36, 87, 166, 0.15)";
  g.fillRect(x0, 0, Math.max(1, x1 - x0), height);
  const w = state.wave;
  if (w && w.length > 0) {
    const perColumn = w.length / width;
    for (let x = 0; x < width; x++) {
      const from = Math.floor(x * perColumn);
      const to = Math.max(from + 1, Math.floor((x + 1) * perColumn));
      let min = 127;
      let max = -128;
      for (let i = from; i < to && i < w.length; i++) {
        min = Math.min(min, w.data[2 * i]);
        max = Math.max(max, w.data[2 * i + 1]);
      }
      if (max < min) continue;
      g.fillStyle = x >= x0 && x <= x1 ? "#2457a6" : "#9aa7bb";
      const top = ((128 - max) / 256) * height;
      g.fillRect(x, top, 1, Math.max(1, ((max - min) / 256) * height));
    }
  }
  g.fillStyle = "#2457a6";
  g.fillRect(x0, 0, 2 * ratio, height);
  g.fillRect(x1 - 2 * ratio, 0, 2 * ratio, height);
}

function timeAt(event) {
  const box = $("wave").getBoundingClientRect();
  const f = Math.max(0, Math.min(1, (event.clientX - box.left) / box.width));
  return Math.round((f * state.durationMs) / 100) * 100;
}

function wireWave() {
  const canvas = $("wave");
  canvas.addEventListener("pointerdown", (e) => {
    canvas.setPointerCapture(e.pointerId);
    state.drag = { anchor: timeAt(e), moved: false };
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!state.drag) return;
    const t = timeAt(e);
    if (Math.abs(t - state.drag.anchor) < 200 && !state.drag.moved) return;
    state.drag.moved = true;
    setRange(Math.min(state.drag.anchor, t), Math.max(state.drag.anchor, t), "drag");
  });
  canvas.addEventListener("pointerup", () => {
    const drag = state.drag;
    state.drag = null;
    // A click moves the clip, keeping its length.
    if (drag && !drag.moved) setRange(drag.anchor, drag.anchor + (state.endMs - state.startMs), "drag");
  });
  // Arrow keys move the whole clip by a second (ten with Shift), for keyboard users on the waveform itself.
  canvas.addEventListener("keydown", (e) => {
    const step = e.shiftKey ? 10000 : 1000;
    const delta = e.key === "ArrowRight" ? step : e.key === "ArrowLeft" ? -step : 0;
    if (!delta) return;
    e.preventDefault();
    const length = state.endMs - state.startMs;
    const start = Math.max(0, Math.min(state.startMs + delta, state.durationMs - length));
    setRange(start, start + length, "key");
  });
  new ResizeObserver(draw).observe(canvas);
}

function wireControls() {
  $("start-range").addEventListener("input", (e) => setRange(Number(e.target.value), state.endMs, "range"));
  $("end-range").addEventListener("input", (e) => setRange(state.startMs, Number(e.target.value), "range"));
  for (const [id, which] of [["start-text", "start"], ["end-text", "end"]]) {
    $(id).addEventListener("change", (e) => {
      const ms = parseClock(e.target.value);
      if (Number.isNaN(ms)) {
        $("error").textContent = "Times are m:ss, h:mm:ss or seconds, e.g. 1:05.5";
        return;
      }
      $("error").textContent = "";
      if (which === "start") setRange(ms, Math.max(ms + MIN_CLIP_MS, state.endMs), "text");
      else setRange(state.startMs, ms, "text");
      $("start-text").value = clock(state.startMs, true);
      $("end-text").value = clock(state.endMs, true);
    });
  }
  $("preview").addEventListener("click", () => {
    const player = $("player");
    player.src = $("clip-url").value;
    player.play().catch((err) => ($("error").textContent = "The clip could not be played: " + err.message));
  });
  $("player").addEventListener("error", async () => {
    const res = await fetch($("clip-url").value, { headers: { accept: "application/json" } }).catch(() => null);
    const body = res ? await res.json().catch(() => null) : null;
    $("error").textContent = (body && body.error && body.error.message) || "The clip could not be loaded";
  });
  for (const button of document.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", () => copy($(button.dataset.copy), button.textContent.replace("Copy ", "")));
  }
}

async function copy(input, what) {
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    input.select();
    document.execCommand("copy");
  }
  $("status").textContent = "Copied the " + what + ".";
}

async function load(event) {
  if (event) event.preventDefault();
  const id = $("episode").value.trim();
  $("error").textContent = "";
  $("status").textContent = "Loading…";
  try {
    const base = PATHS.episode + encodeURIComponent(id);
    const facts = await (await check(fetch(base))).json();
    state.id = facts.episode_id;
    state.title = facts.title || "";
    state.durationMs = facts.duration_ms;
    state.wave = null;
    $("episode-title").textContent = facts.title || facts.episode_id;
    $("episode-facts").textContent = (facts.show ? facts.show + " · " : "") + clock(facts.duration_ms) + " long";
    $("episode-end").textContent = clock(facts.duration_ms);
    for (const r of [$("start-range"), $("end-range")]) r.max = String(facts.duration_ms);
    $("editor").hidden = false;
    history.replaceState(null, "", "?episode=" + encodeURIComponent(state.id));
    setRange(0, Math.min(30000, facts.duration_ms), "load");
    state.wave = await (await check(fetch(base + "/waveform"))).json();
    draw();
    $("status").textContent = "";
  } catch (err) {
    $("status").textContent = "";
    $("error").textContent = err.message;
  }
}

async function check(pending) {
  const res = await pending;
  if (res.ok) return res;
  const body = await res.json().catch(() => null);
  throw new Error((body && body.error && body.error.message) || "The edge answered " + res.status);
}

$("load-form").addEventListener("submit", load);
wireWave();
wireControls();
const wanted = new URLSearchParams(location.search).get("episode");
if (wanted) $("episode").value = wanted;
load();
`;
