/**
 * A small SVG writer for the benchmark plots: line/scatter charts, histograms and horizontal bars, written as text.
 * Hand-written because no plotting library is installed and the suite may not add one (writing our own needs
 * a reason; here the reason is availability): these ~200 lines cover the four figures the
 * benchmarks draw, and a static SVG renders on GitHub and in any browser with nothing to run.
 */

export type Point = readonly [number, number];
export type Series = { name: string; points: readonly Point[]; mode?: 'line' | 'dots' };
/** Title, the lines under it (what was measured, on which machine), and the axes. */
export type ChartText = { title: string; subtitle: readonly string[]; xLabel: string; yLabel: string };

const WIDTH = 860;
const PLOT_HEIGHT = 360;
const LEFT = 78;
const RIGHT = 24;
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];
const MAX_POINTS = 2500;

const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (value: number) => (Math.abs(value) >= 1000 || Number.isInteger(value) ? String(Math.round(value)) : String(Number(value.toPrecision(3))));

/** A round step (1, 2 or 5 × 10^k) giving about `count` ticks over `span`. */
function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / power;
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * power;
}

function ticks(min: number, max: number, count = 6): number[] {
  if (!(max > min)) return [min];
  const step = niceStep(max - min, count);
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Evenly thins a series so a file stays small; the first and last points always stay. */
function thin(points: readonly Point[]): readonly Point[] {
  if (points.length <= MAX_POINTS) return points;
  const step = points.length / MAX_POINTS;
  const out: Point[] = [];
  for (let i = 0; i < MAX_POINTS; i++) out.push(points[Math.floor(i * step)] as Point);
  out.push(points[points.length - 1] as Point);
  return out;
}

type Frame = { top: number; height: number; x: (v: number) => number; y: (v: number) => number; parts: string[] };
type FrameOptions = { axes?: { x: boolean; y: boolean }; legend?: readonly string[] };

/** Breaks a subtitle into lines that fit the width (about 6.4 px a character at 12 px). */
function wrap(line: string, max = 118): string[] {
  const out: string[] = [];
  let current = '';
  for (const word of line.split(' ')) {
    if (current && current.length + 1 + word.length > max) {
      out.push(current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  if (current) out.push(current);
  return out;
}

/** The title block, the axes, ticks and grid, and the legend under the plot; returns scales into the plot area. */
function frame(text: ChartText, xRange: [number, number], yRange: [number, number], options: FrameOptions = {}): Frame {
  const axes = options.axes ?? { x: true, y: true };
  const legendNames = options.legend ?? [];
  const subtitle = text.subtitle.flatMap((line) => wrap(line));
  const top = 44 + subtitle.length * 17;
  const height = top + PLOT_HEIGHT + 56 + (legendNames.length ? 10 + legendNames.length * 17 : 0);
  const plotWidth = WIDTH - LEFT - RIGHT;
  const [x0, x1] = xRange[1] > xRange[0] ? xRange : [xRange[0], xRange[0] + 1];
  const [y0, y1] = yRange[1] > yRange[0] ? yRange : [yRange[0], yRange[0] + 1];
  const x = (v: number) => LEFT + ((v - x0) / (x1 - x0)) * plotWidth;
  const y = (v: number) => top + PLOT_HEIGHT - ((v - y0) / (y1 - y0)) * PLOT_HEIGHT;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${LEFT}" y="22" font-size="16" font-weight="bold">${esc(text.title)}</text>`,
    ...subtitle.map((line, i) => `<text x="${LEFT}" y="${40 + i * 17}" fill="#444">${esc(line)}</text>`),
  ];
  for (const t of axes.y ? ticks(y0, y1) : []) {
    parts.push(`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y(t)}" y2="${y(t)}" stroke="#e4e4e4"/>`);
    parts.push(`<text x="${LEFT - 6}" y="${y(t) + 4}" text-anchor="end">${fmt(t)}</text>`);
  }
  if (axes.x) {
    for (const t of ticks(x0, x1, 8)) {
      parts.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${top + PLOT_HEIGHT}" y2="${top + PLOT_HEIGHT + 5}" stroke="#333"/>`);
      parts.push(`<text x="${x(t)}" y="${top + PLOT_HEIGHT + 18}" text-anchor="middle">${fmt(t)}</text>`);
    }
  }
  parts.push(
    `<rect x="${LEFT}" y="${top}" width="${plotWidth}" height="${PLOT_HEIGHT}" fill="none" stroke="#333"/>`,
    `<text x="${LEFT + plotWidth / 2}" y="${top + PLOT_HEIGHT + 40}" text-anchor="middle">${esc(text.xLabel)}</text>`,
    `<text transform="translate(18 ${top + PLOT_HEIGHT / 2}) rotate(-90)" text-anchor="middle">${esc(text.yLabel)}</text>`,
  );
  // Under the plot, so it never hides data.
  legendNames.forEach((name, i) => {
    const yy = top + PLOT_HEIGHT + 72 + i * 17;
    parts.push(`<rect x="${LEFT}" y="${yy - 9}" width="12" height="10" fill="${COLORS[i % COLORS.length]}"/>`);
    parts.push(`<text x="${LEFT + 18}" y="${yy}">${esc(name)}</text>`);
  });
  return { top, height, x, y, parts };
}

/** Lines or dots for each series on shared linear axes (starting at 0 unless a series goes below). */
export function lineChart(text: ChartText, series: readonly Series[], options: { yMax?: number } = {}): string {
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const xMax = xs.length ? Math.max(...xs) : 1;
  const yMax = options.yMax ?? (ys.length ? Math.max(...ys) * 1.05 : 1);
  const f = frame(text, [Math.min(0, ...xs), xMax], [Math.min(0, ...ys), yMax], { legend: series.map((s) => s.name) });
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length] as string;
    const points = thin(s.points).filter((p) => p[1] <= yMax);
    if (s.mode === 'dots') {
      for (const [px, py] of points) f.parts.push(`<circle cx="${f.x(px).toFixed(1)}" cy="${f.y(py).toFixed(1)}" r="1.6" fill="${color}" fill-opacity="0.6"/>`);
    } else if (points.length > 0) {
      const d = points.map(([px, py], j) => `${j ? 'L' : 'M'}${f.x(px).toFixed(1)} ${f.y(py).toFixed(1)}`).join('');
      f.parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.8"/>`);
    }
  });
  return `${f.parts.join('\n')}\n</svg>\n`;
}

/** Counts of `values` in `bins` equal bins from 0 to `xMax` (values above land in the last, which says so). */
export function histogramChart(text: ChartText, values: readonly number[], options: { bins: number; xMax: number }): string {
  const { bins, xMax } = options;
  const counts: number[] = new Array<number>(bins).fill(0);
  let over = 0;
  for (const v of values) {
    if (v > xMax) over++;
    const i = Math.min(bins - 1, Math.max(0, Math.floor((v / xMax) * bins)));
    counts[i] = (counts[i] as number) + 1;
  }
  const f = frame(text, [0, xMax], [0, Math.max(1, ...counts) * 1.05], { legend: over > 0 ? [`${over} value(s) above ${fmt(xMax)}, counted in the last bin`] : [] });
  const w = (f.x(xMax) - f.x(0)) / bins;
  counts.forEach((c, i) => {
    const x = f.x((i * xMax) / bins);
    f.parts.push(`<rect x="${x.toFixed(1)}" y="${f.y(c).toFixed(1)}" width="${Math.max(0.5, w - 1).toFixed(1)}" height="${(f.y(0) - f.y(c)).toFixed(1)}" fill="${COLORS[0]}"/>`);
  });
  return `${f.parts.join('\n')}\n</svg>\n`;
}

/** Horizontal bars, one per row, each labelled with its value (a ratio chart reads best this way). */
export function barChart(text: Omit<ChartText, 'yLabel'>, bars: readonly { label: string; value: number }[], unit: string): string {
  const max = Math.max(1e-9, ...bars.map((b) => b.value)) * 1.15;
  const f = frame({ ...text, yLabel: '' }, [0, max], [0, 1], { axes: { x: true, y: false } });
  const slot = PLOT_HEIGHT / Math.max(1, bars.length);
  bars.forEach((b, i) => {
    const yTop = f.top + i * slot + slot * 0.3;
    const h = slot * 0.55;
    f.parts.push(`<rect x="${LEFT}" y="${yTop.toFixed(1)}" width="${(f.x(b.value) - LEFT).toFixed(1)}" height="${h.toFixed(1)}" fill="${COLORS[i % COLORS.length]}"/>`);
    f.parts.push(`<text x="${LEFT + 2}" y="${(yTop - 4).toFixed(1)}" fill="#222">${esc(b.label)}</text>`);
    f.parts.push(`<text x="${(f.x(b.value) + 6).toFixed(1)}" y="${(yTop + h / 2 + 4).toFixed(1)}">${esc(`${fmt(b.value)} ${unit}`)}</text>`);
  });
  return `${f.parts.join('\n')}\n</svg>\n`;
}
