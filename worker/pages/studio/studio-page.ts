import { CLIP_PATH_PREFIX, EPISODE_PATH_PREFIX, SHARE_PATH_PREFIX } from "../../../core/index.js";
import { HTML_TYPE, scriptJson } from "../html.js";
import { PLAYER_SIZE } from "../share-page.js";
import { STUDIO_SCRIPT } from "./studio-script.js";

/**
 * The clip studio at the edge root: load an episode, see its waveform, choose a range by dragging on it or
 * with the sliders and time fields (keyboard only works: every control is a native one), preview the clip
 * from the edge, and copy its URL, share link and embed snippet. One HTML file, no build step, no framework.
 */
const STYLE = `
  :root { --accent: #2457a6; }
  * { box-sizing: border-box; }
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 48rem; margin: 1.5rem auto; padding: 0 1rem; color: #1a1a1a; }
  h1 { margin: 0 0 1rem; font-size: 1.6rem; }
  form.load { display: flex; gap: .5rem; flex-wrap: wrap; align-items: end; }
  label { display: block; font-size: .9rem; color: #444; }
  input, button { font: inherit; }
  input[type=text] { padding: .35rem .5rem; width: 100%; }
  button { padding: .4rem .9rem; cursor: pointer; border: 1px solid #888; border-radius: .25rem; background: #f4f4f4; }
  button:focus-visible, input:focus-visible, canvas:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
  .episode-field { flex: 1 1 12rem; }
  #wave { display: block; width: 100%; height: 8rem; margin: 1rem 0 .25rem; touch-action: none; cursor: crosshair; background: #f7f8fa; }
  .ruler { display: flex; justify-content: space-between; font-size: .85rem; color: #555; }
  .range { display: grid; grid-template-columns: repeat(auto-fit, minmax(13rem, 1fr)); gap: .75rem 1.5rem; margin: 1rem 0; }
  .range input[type=range] { width: 100%; }
  .actions { display: flex; flex-wrap: wrap; gap: .5rem; margin: 1rem 0; }
  audio { width: 100%; }
  .out { display: grid; grid-template-columns: 1fr auto; gap: .25rem .5rem; align-items: center; margin: .5rem 0; }
  .out label { grid-column: 1 / -1; }
  .out input { font-family: ui-monospace, monospace; font-size: .85rem; }
  [role=alert] { color: #a00000; min-height: 1.5em; }
  #status { color: #1b5e20; min-height: 1.5em; }
  [hidden] { display: none !important; }
`;

const BODY = `
<main>
<h1>edgeclip studio</h1>
<form class="load" id="load-form">
  <div class="episode-field">
    <label for="episode">Episode id</label>
    <input type="text" id="episode" name="episode" required pattern="[A-Za-z0-9][A-Za-z0-9_\\-]{0,127}" value="demo" autocomplete="off">
  </div>
  <button type="submit">Load episode</button>
</form>
<p id="error" role="alert"></p>
<section id="editor" hidden aria-labelledby="episode-title">
  <h2 id="episode-title"></h2>
  <p id="episode-facts"></p>
  <canvas id="wave" tabindex="0" role="img" aria-label="Episode waveform: drag across it to choose the clip; arrow keys move the clip"></canvas>
  <div class="ruler"><span>0:00</span><span id="selection-label" aria-live="polite"></span><span id="episode-end"></span></div>
  <div class="range">
    <div>
      <label for="start-text">Start (m:ss)</label>
      <input type="text" id="start-text" inputmode="decimal" autocomplete="off">
      <input type="range" id="start-range" aria-label="Start" step="100" min="0">
    </div>
    <div>
      <label for="end-text">End (m:ss)</label>
      <input type="text" id="end-text" inputmode="decimal" autocomplete="off">
      <input type="range" id="end-range" aria-label="End" step="100" min="0">
    </div>
  </div>
  <div class="actions">
    <button type="button" id="preview">Preview clip</button>
    <a id="download" href="#">Download</a>
  </div>
  <audio id="player" controls preload="none" aria-label="Clip preview"></audio>
  <div class="out"><label for="clip-url">Clip URL</label><input type="text" id="clip-url" readonly><button type="button" data-copy="clip-url">Copy clip URL</button></div>
  <div class="out"><label for="share-url">Share link</label><input type="text" id="share-url" readonly><button type="button" data-copy="share-url">Copy share link</button></div>
  <div class="out"><label for="embed-code">Embed snippet</label><input type="text" id="embed-code" readonly><button type="button" data-copy="embed-code">Copy embed snippet</button></div>
  <p id="status" role="status"></p>
</section>
</main>`;

const PATHS = { clip: CLIP_PATH_PREFIX, episode: EPISODE_PATH_PREFIX, share: SHARE_PATH_PREFIX, player: PLAYER_SIZE };

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>edgeclip studio</title>
<style>${STYLE}</style>
</head>
<body>${BODY}
<script type="module">
const PATHS = ${scriptJson(PATHS)};
${STUDIO_SCRIPT}
</script>
</body>
</html>
`;

export function studioPage(): Response {
  return new Response(PAGE, { headers: { "content-type": HTML_TYPE, "cache-control": "public, max-age=300" } });
}
