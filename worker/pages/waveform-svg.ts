import type { WaveformJson } from "../../core/index.js";

/**
 * A waveform as an inline SVG: one bar per pixel from its min to its max (8-bit values, so the view box is
 * 256 high), filled rather than stroked so stretching the view box to any width keeps the bars' shape.
 * Drawn at the edge, so a share page shows its clip's shape without any script.
 */
export function waveformSvg(wave: WaveformJson, label: string, className = "wave"): string {
  const strokes: string[] = [];
  for (let i = 0; i < wave.length; i++) {
    const min = wave.data[2 * i] as number;
    const max = wave.data[2 * i + 1] as number;
    // At least one unit tall, so silence still draws a line.
    const top = 128 - Math.max(max, min + 1);
    strokes.push(`M${i + 0.1} ${top}h0.8V${128 - min}h-0.8Z`);
  }
  const width = Math.max(1, wave.length);
  return (
    `<svg class="${className}" role="img" aria-label="${label}" viewBox="0 0 ${width} 256" preserveAspectRatio="none">` +
    `<path d="${strokes.join("")}" fill="currentColor"/></svg>`
  );
}
