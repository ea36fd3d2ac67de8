import { clipLabel, formatClock, type EpisodeFacts, type WaveformJson } from "../../core/index.js";
import { esc } from "./html.js";
import { waveformSvg } from "./waveform-svg.js";

/** Everything a share page shows, worked out before rendering (absolute URLs: unfurlers need them). */
export interface SharePageData {
  facts: EpisodeFacts;
  startMs: number;
  endMs: number;
  clamped: boolean;
  clipUrl: string;
  downloadUrl: string;
  shareUrl: string;
  embedUrl: string;
  oembedUrl: string;
  /** The clip's own pixels of the episode's waveform. */
  peaks: WaveformJson;
  embed: boolean;
}

export const PLAYER_SIZE = { width: 480, height: 160 };

const STYLE = `
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; }
  body.embed { margin: 0; padding: .5rem; max-width: none; }
  h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
  .embed h1 { font-size: 1rem; }
  .show, .times { color: #555; margin: 0; }
  .wave { display: block; width: 100%; height: 4rem; color: #2457a6; margin: .75rem 0; }
  .embed .wave { height: 2.5rem; margin: .25rem 0; }
  audio { width: 100%; }
  img.cover { width: 6rem; height: 6rem; object-fit: cover; float: right; margin: 0 0 .5rem 1rem; border-radius: .25rem; }
  a { color: #2457a6; }
`;

function describe(d: SharePageData): string {
  const seconds = Math.round((d.endMs - d.startMs) / 1000);
  const from = d.facts.show ? ` of ${d.facts.show}` : "";
  return `A ${seconds} s clip${from}, from ${formatClock(d.startMs)} to ${formatClock(d.endMs)}.`;
}

/** Open Graph and Twitter player tags, so Slack, Discord, iMessage and X show a player or a card. */
function metaTags(d: SharePageData, title: string): string {
  const image = d.facts.image_url;
  const tags: [string, string, string][] = [
    ["property", "og:type", "website"],
    ["property", "og:site_name", "edgeclip"],
    ["property", "og:title", title],
    ["property", "og:description", describe(d)],
    ["property", "og:url", d.shareUrl],
    ["property", "og:audio", d.clipUrl],
    ["property", "og:audio:secure_url", d.clipUrl],
    ["property", "og:audio:type", "audio/mpeg"],
    ...(image ? ([["property", "og:image", image]] as [string, string, string][]) : []),
    ["name", "twitter:card", image ? "player" : "summary"],
    ["name", "twitter:title", title],
    ["name", "twitter:description", describe(d)],
    ["name", "twitter:player", d.embedUrl],
    ["name", "twitter:player:width", String(PLAYER_SIZE.width)],
    ["name", "twitter:player:height", String(PLAYER_SIZE.height)],
    ["name", "twitter:player:stream", d.clipUrl],
    ["name", "twitter:player:stream:content_type", "audio/mpeg"],
    ...(image ? ([["name", "twitter:image", image]] as [string, string, string][]) : []),
  ];
  return tags.map(([attr, key, value]) => `<meta ${attr}="${key}" content="${esc(value)}">`).join("\n");
}

/** The share page, or with `embed` the compact player an iframe shows. No script: the audio element plays it. */
export function sharePage(d: SharePageData): string {
  const title = clipLabel(d.facts.title ?? d.facts.episode_id, d.startMs, d.endMs);
  const times = `${formatClock(d.startMs)}–${formatClock(d.endMs)}${d.clamped ? " (to the episode's end)" : ""}`;
  const cover = d.facts.image_url && !d.embed ? `<img class="cover" src="${esc(d.facts.image_url)}" alt="">` : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<link rel="canonical" href="${esc(d.shareUrl)}">
<link rel="alternate" type="application/json+oembed" href="${esc(d.oembedUrl)}" title="${esc(title)}">
${metaTags(d, title)}
<style>${STYLE}</style>
</head>
<body${d.embed ? ' class="embed"' : ""}>
<main>
${cover}<h1>${esc(d.facts.title ?? d.facts.episode_id)}</h1>
${d.facts.show ? `<p class="show">${esc(d.facts.show)}</p>` : ""}
<p class="times">Clip <time>${esc(times)}</time></p>
${waveformSvg(d.peaks, esc(`Waveform of the clip ${times}`))}
<audio controls preload="metadata" src="${esc(d.clipUrl)}" aria-label="${esc(`Play ${title}`)}"></audio>
${d.embed ? `<p><a href="${esc(d.shareUrl)}" target="_blank" rel="noopener">Open on edgeclip</a></p>` : `<p><a href="${esc(d.downloadUrl)}">Download the clip</a></p>`}
</main>
</body>
</html>
`;
}
