/**
 * Labels and colours shared by the chart components and their table fallbacks. Times are formatted
 * in the viewer's zone passed in (the same on the server render and in the browser).
 */
export type ChartBucket = "5m" | "hour" | "day";

const cache = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string, bucket: ChartBucket, long: boolean) {
  const key = `${tz}|${bucket}|${long}`;
  let f = cache.get(key);
  if (!f) {
    const options: Intl.DateTimeFormatOptions =
      bucket === "day"
        ? { timeZone: tz, weekday: long ? "short" : undefined, day: "numeric", month: "short" }
        : { timeZone: tz, hour: "2-digit", minute: "2-digit", hourCycle: "h23", ...(long ? { day: "numeric", month: "short" } : {}) };
    f = new Intl.DateTimeFormat("en-GB", options);
    cache.set(key, f);
  }
  return f;
}

export const bucketLabel = (t: number, bucket: ChartBucket, tz: string, long = false) => formatter(tz, bucket, long).format(new Date(t));

export const compactNumber = (n: number) => new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 }).format(n);
export const fullNumber = (n: number) => n.toLocaleString("en");

export const OUTCOMES = [
  { key: "billable", label: "Billable", color: "#10b981" },
  { key: "non_billable", label: "Non-billable", color: "#f59e0b" },
  { key: "failed", label: "Failed", color: "#ef4444" },
  { key: "pending", label: "Awaiting verdict", color: "#a1a1aa" },
] as const;

const CODE_COLORS = ["#ef4444", "#f97316", "#a855f7", "#ec4899", "#06b6d4", "#6366f1", "#84cc16", "#78716c"];
export const codeColor = (index: number, code: string) => (code === "OTHER" ? "#a1a1aa" : CODE_COLORS[index % CODE_COLORS.length]!);

/** The explorer URL for a slice of the chart: the overview's filters plus the slice's own. */
export function explorerHref(base: string, extra: Record<string, string | undefined>): string {
  const q = new URLSearchParams(base);
  for (const [k, v] of Object.entries(extra)) if (v) q.set(k, v);
  return `/events?${q.toString()}`;
}
