"use client";

import { useLayoutEffect, useRef, useState, type ReactNode } from "react";
import { bands, niceTicks, ticksFromEnd } from "./chart-geometry";
import { compactNumber as compact } from "./chart-format";

/**
 * The Overview's bar charts as plain SVG, drawn at first load without Recharts (~105 KB gzip):
 * the same layout Recharts gives them (margins, legend, bands, nice ticks; chart-geometry.ts), so
 * when the Recharts chart takes over on the first pointer or focus (chart-on-demand.tsx) nothing
 * moves. A bar or legend entry click opens the same explorer slice as Recharts' would.
 */

export type Series = { key: string; label: string; color: string };
const AXIS = "#666";

/** The element's width in whole px as Recharts rounds it, kept current (0 until mounted: the server renders no chart). */
export function useWidth() {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  const [font, setFont] = useState("");
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setWidth(Math.round(el.getBoundingClientRect().width));
    setFont(getComputedStyle(el).fontFamily);
    const observer = new ResizeObserver(([entry]) => entry && setWidth(Math.round(entry.contentRect.width)));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return { ref, width, font };
}

let canvas: CanvasRenderingContext2D | null = null;
/**
 * The indexes of a time axis' points that get a label at this chart width (plot from 56 px to
 * width - 8, labels 12 px, 16 px apart): the static chart draws them and Recharts is given them.
 */
function labelWidth(font: string, text: string): number {
  canvas ??= document.createElement("canvas").getContext("2d");
  if (!canvas) return 0;
  canvas.font = `12px ${font}`;
  return canvas.measureText(text).width;
}

export function columnTicks(font: string, width: number, points: { t: number }[], tickLabel: (t: number) => string): number[] {
  if (!font || width <= 0 || points.length === 0) return [];
  const x = bands(points.length, 56, width - 64);
  const centers = points.map((_, i) => x.center(i));
  const widths = points.map((p) => labelWidth(font, tickLabel(p.t)));
  return ticksFromEnd(centers, widths, 16, 56, width - 8);
}

/** A time axis label, pulled left when it would overflow the plot's right edge (`end`), as Recharts' preserveEnd does. */
export function TimeTick({ x, y, label, font, end }: { x: number; y: number; label: string; font: string; end: number }) {
  const at = Math.min(x, end - labelWidth(font, label) / 2);
  return (
    <text x={at} y={y} textAnchor="middle" fill="currentColor" stroke="none" className="recharts-cartesian-axis-tick-value">
      <tspan x={at} dy="0.71em">
        {label}
      </tspan>
    </text>
  );
}

/** Recharts' default legend (same markup and styles), measured so the plot starts below it. */
function Legend({ series, width, onHeight, onClick }: { series: Series[]; width: number; onHeight: (h: number) => void; onClick?: (key: string) => void }) {
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    if (ref.current) onHeight(ref.current.getBoundingClientRect().height);
  });
  return (
    <div ref={ref} style={{ position: "absolute", width, left: 8, top: 8, paddingBottom: 8, cursor: onClick ? "pointer" : undefined }}>
      <ul style={{ padding: 0, margin: 0, textAlign: "center" }}>
        {series.map((s) => (
          <li key={s.key} style={{ display: "inline-block", marginRight: 10, whiteSpace: "nowrap" }} onClick={onClick && (() => onClick(s.key))}>
            <svg width={14} height={14} viewBox="0 0 32 32" style={{ display: "inline-block", verticalAlign: "middle", marginRight: 4 }} aria-hidden>
              <path fill={s.color} d="M0,0h32v32h-32Z" />
            </svg>
            <span style={{ color: s.color, whiteSpace: "normal", overflowWrap: "break-word" }}>{s.label}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

const Skeleton = () => <div className="h-full w-full animate-pulse rounded-md bg-zinc-100 dark:bg-zinc-800" aria-hidden />;

const tickText = (x: number, y: number, anchor: "middle" | "end", dy: string, label: string | number, fontSize?: number) => (
  <text key={`${x}|${y}`} x={x} y={y} textAnchor={anchor} fill="currentColor" stroke="none" fontSize={fontSize}>
    <tspan x={x} dy={dy}>
      {label}
    </tspan>
  </text>
);

/**
 * Bars over time, stacked by series, as the Overview's Recharts BarChart draws them (height 288,
 * margin 8/8/16/8, Y axis 48 px, X axis 30 px, legend on top).
 */
export function StaticColumnChart({
  points,
  series,
  xLabel,
  yLabel,
  tickLabel,
  label,
  onBar,
  onLegend,
}: {
  points: ({ t: number } & Record<string, number>)[];
  series: Series[];
  xLabel: string;
  yLabel: string;
  tickLabel: (t: number) => string;
  label: string;
  onBar: (index: number, key: string) => void;
  onLegend?: (key: string) => void;
}) {
  const { ref, width, font } = useWidth();
  const [legend, setLegend] = useState(0);
  const height = 288;
  const left = 56,
    right = width - 8,
    top = 8 + legend,
    bottom = height - 46;
  const max = Math.max(0, ...points.map((p) => series.reduce((sum, s) => sum + (p[s.key] ?? 0), 0)));
  const yTicks = niceTicks(max);
  const yMax = yTicks[yTicks.length - 1]!;
  const y = (v: number) => bottom - ((bottom - top) * v) / yMax;
  const x = bands(points.length, left, right - left);
  let content: ReactNode = null;
  if (width > 0 && legend > 0) {
    content = (
      <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} style={{ display: "block" }} role="img" aria-label={label} tabIndex={0}>
        <g>
          {yTicks.map((v) => (
            <line key={v} stroke="currentColor" strokeOpacity={0.15} x1={left} y1={y(v)} x2={right} y2={y(v)} fill="none" />
          ))}
        </g>
        <g>
          {points.map((p, i) => {
            let sum = 0;
            return series.map((s) => {
              const v = p[s.key] ?? 0;
              if (v <= 0) return null;
              const y0 = y(sum);
              sum += v;
              return (
                <rect
                  key={`${i}|${s.key}`}
                  data-bar=""
                  className="cursor-pointer"
                  fill={s.color}
                  x={x.at(i)}
                  y={y(sum)}
                  width={x.bar}
                  height={y0 - y(sum)}
                  onClick={() => onBar(i, s.key)}
                />
              );
            });
          })}
        </g>
        <line stroke={AXIS} fill="none" x1={left} y1={bottom} x2={right} y2={bottom} />
        {columnTicks(font, width, points, tickLabel).map((i) => (
          <TimeTick key={i} x={x.center(i)} y={bottom + 8} label={tickLabel(points[i]!.t)} font={font} end={right} />
        ))}
        <text x={(left + right) / 2} y={bottom + 42} textAnchor="middle" fill="currentColor">
          <tspan x={(left + right) / 2} dy="0em">
            {xLabel}
          </tspan>
        </text>
        {yTicks.map((v) => tickText(48, y(v), "end", "0.355em", compact(v)))}
        <text transform={`rotate(-90, 12, ${(top + bottom) / 2})`} x={12} y={(top + bottom) / 2} textAnchor="start" fill="currentColor">
          <tspan x={12} dy="0.355em">
            {yLabel}
          </tspan>
        </text>
      </svg>
    );
  }
  return (
    <div ref={ref} className="relative h-72 w-full text-xs text-zinc-500 dark:text-zinc-400" data-drawn={content ? "" : undefined}>
      {width > 0 && <Legend series={series} width={width - 16} onHeight={setLegend} onClick={onLegend} />}
      {content ?? <Skeleton />}
    </div>
  );
}

/** Failed events per code as horizontal bars (Recharts layout "vertical": margin 4/16/16/0, Y axis 180 px). */
export function StaticRowChart({
  rows,
  label,
  onBar,
}: {
  rows: { code: string; count: number; color: string }[];
  label: string;
  onBar: (code: string) => void;
}) {
  const { ref, width } = useWidth();
  const height = 40 + rows.length * 30;
  const left = 180,
    right = width - 16,
    top = 4,
    bottom = height - 46;
  const xTicks = niceTicks(Math.max(0, ...rows.map((r) => r.count)));
  const xMax = xTicks[xTicks.length - 1]!;
  const x = (v: number) => left + ((right - left) * v) / xMax;
  const y = bands(rows.length, top, bottom - top);
  return (
    <div ref={ref} className="w-full text-xs text-zinc-500 dark:text-zinc-400" style={{ height }} data-drawn={width > 0 ? "" : undefined}>
      {width === 0 ? (
        <Skeleton />
      ) : (
        <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} style={{ display: "block" }} role="img" aria-label={label} tabIndex={0}>
          <g>
            {xTicks.map((v) => (
              <line key={v} stroke="currentColor" strokeOpacity={0.15} x1={x(v)} y1={top} x2={x(v)} y2={bottom} fill="none" />
            ))}
          </g>
          <g>
            {rows.map(
              (r, i) =>
                r.count > 0 && (
                  <rect
                    key={r.code}
                    data-bar=""
                    className="cursor-pointer"
                    fill={r.color}
                    x={left}
                    y={y.at(i)}
                    width={x(r.count) - left}
                    height={y.bar}
                    onClick={() => onBar(r.code)}
                  />
                ),
            )}
          </g>
          <line stroke={AXIS} fill="none" x1={left} y1={bottom} x2={right} y2={bottom} />
          {xTicks.map((v) => tickText(x(v), bottom + 8, "middle", "0.71em", compact(v)))}
          <text x={(left + right) / 2} y={bottom + 40} textAnchor="middle" fill="currentColor">
            <tspan x={(left + right) / 2} dy="0em">
              failed events
            </tspan>
          </text>
          {rows.map((r, i) => tickText(172, y.center(i), "end", "0.355em", r.code, 11))}
        </svg>
      )}
    </div>
  );
}
