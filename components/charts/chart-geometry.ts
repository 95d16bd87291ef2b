/**
 * The geometry Recharts gives the dashboard's bar charts, as plain functions, so the static SVG
 * drawn at first load (static-charts.tsx) and the Recharts chart that replaces it on the first
 * interaction put every bar, tick and grid line in the same place. The ticks chosen here are also
 * passed to Recharts, so both draw the same ones.
 */

/** Recharts' "nice" ticks for a [0, max] axis of integers (getNiceTickValues, tickCount 5, allowDecimals false). */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return Array.from({ length: count }, (_, i) => i);
  for (let correction = 0; ; correction++) {
    const rough = max / (count - 1);
    const digits = Math.floor(Math.log10(rough)) + 1;
    const unit = 10 ** digits;
    const scale = digits !== 1 ? 0.05 : 0.1;
    const step = Math.ceil(Number(((Math.ceil(rough / unit / scale) + correction) * scale * unit).toPrecision(12)));
    if (Math.ceil(max / step) + 1 <= count) return Array.from({ length: count }, (_, i) => i * step);
  }
}

/** A band axis: `n` equal bands over `size` px from `start`; each bar is 80 % of its band (barCategoryGap 10 %), whole pixels wide. */
export function bands(n: number, start: number, size: number) {
  const band = n > 0 ? size / n : size;
  const raw = band * 0.8;
  const bar = raw > 1 ? Math.trunc(raw) : raw;
  return { band, bar, at: (i: number) => start + band * i + band * 0.1, center: (i: number) => start + band * (i + 0.5) };
}

/**
 * Which category labels to show along an axis of [start, end] px, as Recharts' default does
 * (interval "preserveEnd", minTickGap): from the last one backwards (pulled inside `end` if it
 * would overflow), each that fits within the axis and stays `gap` px before the one shown after it.
 */
export function ticksFromEnd(centers: number[], widths: number[], gap: number, start: number, end: number): number[] {
  const shown: number[] = [];
  let limit = end;
  for (let i = centers.length - 1; i >= 0; i--) {
    const half = widths[i]! / 2;
    const at = i === centers.length - 1 ? Math.min(centers[i]!, end - half) : centers[i]!;
    if (at - half >= start && at + half <= limit) {
      shown.unshift(i);
      limit = at - half - gap;
    }
  }
  return shown;
}
