/**
 * Renders a laid-out timeline as a self-contained SVG chart (no scripts, no external fonts or styles).
 * Not exported from the package; `ReleaseTimeline.toSvg()` calls it.
 */
import { TimelineActivity } from './timeline-activity';
import { Exposure, LaidSegment } from './timeline-model';

/** `90` gives `1m30s`, `0` gives `0s`, `3600` gives `1h`. */
export function formatSeconds(seconds: number): string {
  if (seconds === 0) return '0s';
  let rest = Math.round(seconds);
  let out = '';
  for (const [unit, size] of [['h', 3600], ['m', 60], ['s', 1]] as const) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) out += `${n}${unit}`;
  }
  return out || '0s';
}

/** What the chart needs. */
export interface SvgInput {
  readonly title: string;
  readonly segments: LaidSegment[];
  readonly modelEnd: number;
  readonly brokenFromStart: Exposure;
  readonly fullTrafficAtSeconds: number;
  readonly engine: string;
}

const WIDTH = 860;
const LEFT = 56;
const RIGHT = 24;
const TOP = 48;
const PLOT_HEIGHT = 220;
const COLORS = {
  weight: '#1f4e9c',
  mirror: '#7b3fa0',
  bake: '#dbe8f7',
  analysis: '#fde7b0',
  pause: '#e4e4e4',
  background: '#b9dfc0',
  abort: '#c62828',
  grid: '#d0d0d0',
  text: '#222222',
};

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function round(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}

/** Renders the chart. */
export function renderSvg(input: SvgInput): string {
  const timed = input.segments.filter((s) => s.durationSeconds !== 0);
  const knownTotal = input.segments.reduce((sum, s) => sum + (s.durationSeconds ?? 0), 0);
  const unknownCount = input.segments.filter((s) => s.durationSeconds === undefined).length;
  // Steps of unknown length get a fixed width, about a tenth of the known time each.
  const unknownWidth = Math.max(knownTotal, 60) / 10;
  const span = Math.max(knownTotal + unknownCount * unknownWidth, 60) * 1.04; // room for the promotion
  const plotWidth = WIDTH - LEFT - RIGHT;
  const xOfDisplay = (d: number) => LEFT + (d / span) * plotWidth;
  const yOf = (w: number) => TOP + PLOT_HEIGHT - (w / 100) * PLOT_HEIGHT;

  // Display position of every segment: known time, plus a fixed width per step of unknown length.
  const display = new Map<LaidSegment, { x0: number; x1: number }>();
  let d = 0;
  for (const s of input.segments) {
    const length = s.durationSeconds ?? unknownWidth;
    display.set(s, { x0: xOfDisplay(d), x1: xOfDisplay(d + length) });
    d += length;
  }
  const endX = xOfDisplay(d);
  // Model time to x, for markers such as the abort.
  const xOfModel = (t: number): number => {
    for (const s of input.segments) {
      const p = display.get(s)!;
      if (t >= s.modelStart && t < s.modelEnd) return p.x0 + ((t - s.modelStart) / (s.modelEnd - s.modelStart)) * (p.x1 - p.x0);
    }
    return endX;
  };

  const backgroundRows = [...new Set(input.segments.flatMap((s) => s.backgroundGates))];
  const barsTop = TOP + PLOT_HEIGHT + 34;
  const legendTop = barsTop + (backgroundRows.length > 0 ? 22 : 0) + 16;
  const height = legendTop + 34;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11" role="img">`);
  out.push(`<title>${esc(input.title)}</title>`);
  out.push('<defs><pattern id="manual" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
    + `<rect width="8" height="8" fill="${COLORS.pause}"/><line x1="0" y1="0" x2="0" y2="8" stroke="#bdbdbd" stroke-width="3"/></pattern></defs>`);
  out.push(`<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${LEFT}" y="20" font-size="13" font-weight="bold" fill="${COLORS.text}">${esc(truncate(input.title, 110))}</text>`);
  out.push(`<text x="${LEFT}" y="36" fill="${COLORS.text}">Traffic to the new version over time (full rollout at ${esc(formatSeconds(input.fullTrafficAtSeconds))}${unknownCount > 0 ? ' + manual waits' : ''}; aborts as ${esc(input.engine)})</text>`);

  // Step backgrounds.
  for (const s of timed) {
    const p = display.get(s)!;
    const fill = s.durationSeconds === undefined ? 'url(#manual)'
      : s.activity === TimelineActivity.ANALYSIS ? COLORS.analysis : COLORS.bake;
    out.push(`<rect x="${round(p.x0)}" y="${TOP}" width="${round(Math.max(p.x1 - p.x0, 0.5))}" height="${PLOT_HEIGHT}" fill="${fill}"><title>${esc(`${s.label}: ${s.durationSeconds === undefined ? 'unknown length' : formatSeconds(s.durationSeconds)}`)}</title></rect>`);
    const label = s.durationSeconds === undefined ? (s.activity === TimelineActivity.PAUSE ? 'manual ∞' : `${s.label} ∞`)
      : s.activity === TimelineActivity.ANALYSIS ? s.stepGates.join(', ') : formatSeconds(s.durationSeconds);
    if (p.x1 - p.x0 >= label.length * 5.5) {
      out.push(`<text x="${round((p.x0 + p.x1) / 2)}" y="${TOP + 14}" text-anchor="middle" fill="${COLORS.text}">${esc(label)}</text>`);
    }
  }

  // Grid and axes.
  for (const w of [0, 25, 50, 75, 100]) {
    out.push(`<line x1="${LEFT}" y1="${round(yOf(w))}" x2="${WIDTH - RIGHT}" y2="${round(yOf(w))}" stroke="${COLORS.grid}" stroke-width="${w === 0 ? 1.2 : 0.6}"/>`);
    out.push(`<text x="${LEFT - 6}" y="${round(yOf(w) + 4)}" text-anchor="end" fill="${COLORS.text}">${w}%</text>`);
  }
  const tick = tickStep(knownTotal);
  const knownToX = (k: number): number => {
    // The display x of known time k: before the first segment that ends after k.
    for (const s of input.segments) {
      const p = display.get(s)!;
      if (s.durationSeconds === undefined) continue;
      if (k >= s.startSeconds && k <= s.startSeconds + s.durationSeconds && s.durationSeconds > 0) {
        return p.x0 + ((k - s.startSeconds) / s.durationSeconds) * (p.x1 - p.x0);
      }
    }
    return k === 0 ? LEFT : endX;
  };
  for (let k = 0; k <= knownTotal; k += tick) {
    const x = knownToX(k);
    out.push(`<line x1="${round(x)}" y1="${TOP + PLOT_HEIGHT}" x2="${round(x)}" y2="${TOP + PLOT_HEIGHT + 4}" stroke="${COLORS.text}"/>`);
    out.push(`<text x="${round(x)}" y="${TOP + PLOT_HEIGHT + 16}" text-anchor="middle" fill="${COLORS.text}">${formatSeconds(k)}</text>`);
  }

  // Weight line (a step function) and mirror line.
  const points: string[] = [];
  const mirror: string[] = [];
  let last = 0;
  let lastMirror = 0;
  points.push(`${LEFT},${round(yOf(0))}`);
  mirror.push(`${LEFT},${round(yOf(0))}`);
  for (const s of input.segments) {
    const p = display.get(s)!;
    if (s.weight !== last) points.push(`${round(p.x0)},${round(yOf(last))}`, `${round(p.x0)},${round(yOf(s.weight))}`);
    if (s.mirrorPercent !== lastMirror) mirror.push(`${round(p.x0)},${round(yOf(lastMirror))}`, `${round(p.x0)},${round(yOf(s.mirrorPercent))}`);
    last = s.weight;
    lastMirror = s.mirrorPercent;
  }
  points.push(`${round(WIDTH - RIGHT)},${round(yOf(last))}`);
  mirror.push(`${round(WIDTH - RIGHT)},${round(yOf(lastMirror))}`);
  if (input.segments.some((s) => s.mirrorPercent > 0)) {
    out.push(`<polyline points="${mirror.join(' ')}" fill="none" stroke="${COLORS.mirror}" stroke-width="2" stroke-dasharray="5 3"/>`);
  }
  out.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${COLORS.weight}" stroke-width="2.5"/>`);
  for (const s of input.segments.filter((x) => x.headerRouted && x.activity === TimelineActivity.HEADER_ROUTE)) {
    const p = display.get(s)!;
    out.push(`<text x="${round(p.x0 + 3)}" y="${round(yOf(s.weight) - 6)}" fill="${COLORS.weight}">header-matched requests</text>`);
  }

  // Earliest abort if broken from the start.
  const e = input.brokenFromStart;
  if (e.caught && e.bounded && e.abortAfterSeconds !== undefined) {
    const x = xOfModel(e.abortAtModel!);
    out.push(`<line x1="${round(x)}" y1="${TOP}" x2="${round(x)}" y2="${TOP + PLOT_HEIGHT}" stroke="${COLORS.abort}" stroke-width="1.5" stroke-dasharray="4 3"/>`);
    out.push(`<text x="${round(x + 4)}" y="${TOP + 28}" fill="${COLORS.abort}">abort at ${esc(formatSeconds(e.abortAfterSeconds))} if broken from the start (${esc(e.detectedBy ?? '')})</text>`);
  }

  // Background gates: one bar under the axis over the steps they measure in.
  const covered = input.segments.filter((s) => s.backgroundGates.length > 0 && s.modelEnd > s.modelStart);
  if (covered.length > 0) {
    const x0 = display.get(covered[0])!.x0;
    const x1 = display.get(covered[covered.length - 1])!.x1;
    out.push(`<rect x="${round(x0)}" y="${barsTop}" width="${round(x1 - x0)}" height="14" fill="${COLORS.background}"/>`);
    out.push(`<text x="${round(x0 + 4)}" y="${barsTop + 11}" fill="${COLORS.text}">background: ${esc(backgroundRows.join(', '))}</text>`);
  }

  // Legend.
  const legend: Array<[string, string]> = [[COLORS.bake, 'bake'], [COLORS.analysis, 'analysis'], ['url(#manual)', 'manual pause (unbounded)']];
  if (backgroundRows.length > 0) legend.push([COLORS.background, 'background gates']);
  let lx = LEFT;
  out.push(`<line x1="${lx}" y1="${legendTop + 6}" x2="${lx + 18}" y2="${legendTop + 6}" stroke="${COLORS.weight}" stroke-width="2.5"/><text x="${lx + 22}" y="${legendTop + 10}" fill="${COLORS.text}">traffic weight</text>`);
  lx += 110;
  for (const [fill, text] of legend) {
    out.push(`<rect x="${lx}" y="${legendTop}" width="14" height="12" fill="${fill}" stroke="#9e9e9e" stroke-width="0.5"/><text x="${lx + 18}" y="${legendTop + 10}" fill="${COLORS.text}">${esc(text)}</text>`);
    lx += 34 + text.length * 6.2;
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function tickStep(total: number): number {
  for (const step of [15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400]) {
    if (total / step <= 10) return step;
  }
  // Whole days, doubling: at most ten ticks however long the release (the chart stays the same size).
  let step = 172800;
  while (total / step > 10) step *= 2;
  return step;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** What the fleet chart needs (a `FleetTimeline`). */
export interface FleetSvgInput {
  readonly title: string;
  readonly engine: string;
  readonly waves: Array<{
    readonly wave: string;
    readonly targets: string[];
    readonly targetsAtOnce: number;
    readonly batches: number;
    readonly startSeconds: number;
    readonly targetSeconds: number;
    readonly bakeSeconds: number;
    readonly durationSeconds?: number;
    readonly gates: string[];
  }>;
  readonly fullFleetAtSeconds: number;
  readonly totalSeconds: number;
  readonly abort: {
    readonly caught: boolean; readonly abortAtSeconds?: number; readonly exposedPercent: number; readonly wave?: string; readonly gate?: string;
  };
  readonly fleetSize: number;
}

/**
 * Renders a fleet timeline: the share of the fleet on the new version over time (a step at the start of
 * every batch), each wave's update and bake as bands, and where a version broken from the start is first
 * stopped. Manual waits take no width; the subtitle says how many there are.
 */
export function renderFleetSvg(input: FleetSvgInput): string {
  const span = Math.max(input.totalSeconds, 60) * 1.04;
  const plotWidth = WIDTH - LEFT - RIGHT;
  const xOf = (t: number) => LEFT + (t / span) * plotWidth;
  const yOf = (p: number) => TOP + PLOT_HEIGHT - (p / 100) * PLOT_HEIGHT;
  const legendTop = TOP + PLOT_HEIGHT + 34;
  const height = legendTop + 34;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11" role="img">`);
  out.push(`<title>${esc(input.title)}</title>`);
  out.push(`<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${LEFT}" y="20" font-size="13" font-weight="bold" fill="${COLORS.text}">${esc(truncate(input.title, 110))}</text>`);
  out.push(`<text x="${LEFT}" y="36" fill="${COLORS.text}">Share of ${input.fleetSize} targets on the new version over time (${esc(input.engine)}; full fleet at ${esc(formatSeconds(input.fullFleetAtSeconds))})</text>`);

  // Wave bands: the update (batches), then the bake when it follows the update (CodePipeline).
  const points: string[] = [`${LEFT},${round(yOf(0))}`];
  let updated = 0;
  let last = 0;
  for (const w of input.waves) {
    const deploy = w.batches * w.targetSeconds;
    const bakeAfter = (w.durationSeconds ?? deploy) - deploy > 0 ? w.bakeSeconds : 0;
    const x0 = xOf(w.startSeconds);
    const x1 = xOf(w.startSeconds + deploy);
    out.push(`<rect x="${round(x0)}" y="${TOP}" width="${round(Math.max(x1 - x0, 0.5))}" height="${PLOT_HEIGHT}" fill="${COLORS.bake}"><title>${esc(`${w.wave}: ${w.targets.length} target${w.targets.length === 1 ? '' : 's'}, ${w.batches} batch${w.batches === 1 ? '' : 'es'} of ${formatSeconds(w.targetSeconds)}`)}</title></rect>`);
    if (bakeAfter > 0) {
      out.push(`<rect x="${round(x1)}" y="${TOP}" width="${round(xOf(w.startSeconds + deploy + bakeAfter) - x1)}" height="${PLOT_HEIGHT}" fill="${COLORS.analysis}"><title>${esc(`${w.wave}: bake ${formatSeconds(bakeAfter)}${w.gates.length > 0 ? `, watching ${w.gates.join(', ')}` : ''}`)}</title></rect>`);
    }
    const label = w.gates.length > 0 ? `${w.wave} (${w.gates.join(', ')})` : w.wave;
    if (xOf(w.startSeconds + deploy + bakeAfter) - x0 >= label.length * 5.5) {
      out.push(`<text x="${round((x0 + xOf(w.startSeconds + deploy + bakeAfter)) / 2)}" y="${TOP + 14}" text-anchor="middle" fill="${COLORS.text}">${esc(label)}</text>`);
    }
    // The share steps up when each batch starts.
    const perBatch = w.targetsAtOnce === 0 ? 1 : w.targetsAtOnce;
    for (let b = 0; b < w.batches; b++) {
      const x = xOf(w.startSeconds + b * w.targetSeconds);
      const share = ((updated + Math.min(w.targets.length, (b + 1) * perBatch)) / input.fleetSize) * 100;
      points.push(`${round(x)},${round(yOf(last))}`, `${round(x)},${round(yOf(share))}`);
      last = share;
    }
    updated += w.targets.length;
  }
  points.push(`${round(WIDTH - RIGHT)},${round(yOf(last))}`);

  for (const p of [0, 25, 50, 75, 100]) {
    out.push(`<line x1="${LEFT}" y1="${round(yOf(p))}" x2="${WIDTH - RIGHT}" y2="${round(yOf(p))}" stroke="${COLORS.grid}" stroke-width="${p === 0 ? 1.2 : 0.6}"/>`);
    out.push(`<text x="${LEFT - 6}" y="${round(yOf(p) + 4)}" text-anchor="end" fill="${COLORS.text}">${p}%</text>`);
  }
  const tick = tickStep(input.totalSeconds);
  for (let t = 0; t <= input.totalSeconds; t += tick) {
    out.push(`<line x1="${round(xOf(t))}" y1="${TOP + PLOT_HEIGHT}" x2="${round(xOf(t))}" y2="${TOP + PLOT_HEIGHT + 4}" stroke="${COLORS.text}"/>`);
    out.push(`<text x="${round(xOf(t))}" y="${TOP + PLOT_HEIGHT + 16}" text-anchor="middle" fill="${COLORS.text}">${formatSeconds(t)}</text>`);
  }
  out.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${COLORS.weight}" stroke-width="2.5"/>`);

  const a = input.abort;
  if (a.caught && a.abortAtSeconds !== undefined) {
    const x = xOf(a.abortAtSeconds);
    out.push(`<line x1="${round(x)}" y1="${TOP}" x2="${round(x)}" y2="${TOP + PLOT_HEIGHT}" stroke="${COLORS.abort}" stroke-width="1.5" stroke-dasharray="4 3"/>`);
    out.push(`<text x="${round(x + 4)}" y="${TOP + 28}" fill="${COLORS.abort}">first abort if broken from the start (${esc(a.gate ?? '')}, wave ${esc(a.wave ?? '')}): ${esc(formatPercent(a.exposedPercent))}% of the fleet exposed</text>`);
  }

  let lx = LEFT;
  out.push(`<line x1="${lx}" y1="${legendTop + 6}" x2="${lx + 18}" y2="${legendTop + 6}" stroke="${COLORS.weight}" stroke-width="2.5"/><text x="${lx + 22}" y="${legendTop + 10}" fill="${COLORS.text}">share of the fleet updated</text>`);
  lx += 170;
  for (const [fill, text] of [[COLORS.bake, 'update (batches)'], [COLORS.analysis, 'bake watching gates']]) {
    out.push(`<rect x="${lx}" y="${legendTop}" width="14" height="12" fill="${fill}" stroke="#9e9e9e" stroke-width="0.5"/><text x="${lx + 18}" y="${legendTop + 10}" fill="${COLORS.text}">${esc(text)}</text>`);
    lx += 34 + text.length * 6.2;
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function formatPercent(p: number): string {
  return Number.isInteger(p) ? String(p) : p.toFixed(1);
}
