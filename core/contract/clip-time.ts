/** Episode time as people read it: m:ss below an hour (12:34), h:mm:ss from there (1:02:03); whole seconds, rounded down. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** "Episode title, 12:34–13:04": the label of a clip in its tag, its file name and its share page. */
export function clipLabel(title: string, startMs: number, endMs: number): string {
  return `${title}, ${formatClock(startMs)}–${formatClock(endMs)}`;
}

/**
 * Text made fit for a file name: what file systems refuse dropped, ':' (which macOS shows as '/') and dashes
 * made plain, e.g. "Episode title, 12.34-13.04".
 */
export function fileNameBase(text: string): string {
  return text
    .replace(/[–—]/g, "-")
    .replace(/:/g, ".")
    .replace(/[\\/<>"|?*\u0000-\u001f\u007f]/g, "")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 150);
}
