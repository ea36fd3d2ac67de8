import { CLIP_PATH_PREFIX } from "../../core/index.js";

/**
 * The player page at the edge root: pick an episode and a range, play the clip, see which layer served
 * it and how long it took, copy its URL. Plain HTML and a few lines of script, no build step.
 */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>edgeclip player</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; }
  form { display: grid; grid-template-columns: max-content 1fr; gap: .5rem 1rem; align-items: center; }
  input { font: inherit; padding: .3rem .4rem; }
  button { font: inherit; padding: .4rem 1rem; cursor: pointer; }
  .actions { grid-column: 1 / -1; display: flex; gap: .5rem; }
  audio { width: 100%; margin: 1rem 0; }
  output, code { font-family: ui-monospace, monospace; font-size: .9rem; word-break: break-all; }
  [role=alert] { color: #a00000; }
</style>
</head>
<body>
<main>
<h1>edgeclip</h1>
<form id="clip-form">
  <label for="episode">Episode id</label>
  <input id="episode" name="episode" required pattern="[A-Za-z0-9][A-Za-z0-9_-]{0,127}" value="demo">
  <label for="start">Start (seconds)</label>
  <input id="start" name="start" type="number" min="0" step="0.001" required value="5">
  <label for="duration">Duration (seconds)</label>
  <input id="duration" name="duration" type="number" min="1" max="300" step="0.001" required value="10">
  <div class="actions">
    <button type="submit">Play clip</button>
    <button type="button" id="copy" disabled>Copy clip URL</button>
  </div>
</form>
<audio id="player" controls preload="none" aria-label="Clip player"></audio>
<p>Served by: <output id="layer">–</output>, in <output id="elapsed">–</output></p>
<p>Clip URL: <code id="url">–</code></p>
<p id="error" role="alert"></p>
</main>
<script type="module">
const $ = (id) => document.getElementById(id);
let objectUrl;
async function play(event) {
  event.preventDefault();
  $("error").textContent = "";
  const episode = $("episode").value.trim();
  const startMs = Math.round(Number($("start").value) * 1000);
  const durationMs = Math.round(Number($("duration").value) * 1000);
  const url = new URL(${JSON.stringify(CLIP_PATH_PREFIX)} + encodeURIComponent(episode), location.href);
  url.searchParams.set("start_time_ms", String(startMs));
  url.searchParams.set("duration_ms", String(durationMs));
  $("url").textContent = url.href;
  $("copy").disabled = false;
  $("layer").textContent = "…";
  const began = performance.now();
  try {
    // "no-cache": revalidate with the edge (a 304 when unchanged) so the page shows which edge layer
    // answered, instead of the browser's own cache silently replaying the first answer.
    const res = await fetch(url, { cache: "no-cache" });
    if (!res.ok) {
      const body = await res.json().catch(() => ({}));
      throw new Error((body.error && body.error.message) || "HTTP " + res.status);
    }
    const blob = await res.blob();
    $("elapsed").textContent = Math.round(performance.now() - began) + " ms";
    $("layer").textContent = res.headers.get("x-edgeclip-layer") || "unknown";
    if (objectUrl) URL.revokeObjectURL(objectUrl);
    objectUrl = URL.createObjectURL(blob);
    $("player").src = objectUrl;
    await $("player").play().catch(() => {});
  } catch (err) {
    $("layer").textContent = "–";
    $("error").textContent = "Could not play the clip: " + err.message;
  }
}
$("clip-form").addEventListener("submit", play);
$("copy").addEventListener("click", () => navigator.clipboard.writeText($("url").textContent));
</script>
</body>
</html>
`;

export function playerPage(): Response {
  return new Response(PAGE, {
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "public, max-age=300" },
  });
}
