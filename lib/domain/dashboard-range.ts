/**
 * Time ranges and buckets of the dashboard, in the viewer's IANA time zone. Instants are UTC
 * Dates; ranges are half-open [from, to). Day buckets start at local midnight (23 or 25 hours
 * long across a DST change). Hour buckets are UTC hours, read from the hourly rollup: in zones with
 * a whole-hour offset they are local hours too; in half-hour zones (India, Newfoundland, parts of
 * Australia) an hour bucket starts at :30 local, and a day bucket holds the UTC hours that start
 * on that local day, so up to 30 minutes at each end of a day land in the neighbouring day.
 */
export const RANGE_KEYS = ["1h", "24h", "7d", "30d", "custom"] as const;
export type RangeKey = (typeof RANGE_KEYS)[number];
export type Bucket = "5m" | "hour" | "day";
export type DashboardRange = { key: RangeKey; from: Date; to: Date; bucket: Bucket; tz: string };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
export const BUCKET_MS: Record<Bucket, number> = { "5m": 5 * MINUTE, hour: HOUR, day: DAY };

/** A time zone both Intl and Postgres know; anything else falls back to UTC. */
export function safeTimeZone(tz: string | undefined | null): string {
  if (!tz || tz.length > 64 || !/^[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*$/.test(tz)) return "UTC";
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    return "UTC";
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function wallClock(at: Date, tz: string) {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  return { y: Number(p.year), m: Number(p.month), d: Number(p.day), h: Number(p.hour), min: Number(p.minute), s: Number(p.second) };
}

/** Minutes the zone is ahead of UTC at `at` (India +330, New York -300 or -240). */
export function offsetMinutes(at: Date, tz: string): number {
  const w = wallClock(at, tz);
  return Math.round((Date.UTC(w.y, w.m - 1, w.d, w.h, w.min, w.s) - Math.floor(at.getTime() / 1000) * 1000) / MINUTE);
}

/** The instant of local midnight on local date y-m-d (1-based month), or of a later wall-clock time that day. */
export function zonedMidnight(y: number, m: number, d: number, tz: string, h = 0, min = 0): Date {
  const wall = Date.UTC(y, m - 1, d, h, min);
  let guess = wall - offsetMinutes(new Date(wall), tz) * MINUTE;
  guess = wall - offsetMinutes(new Date(guess), tz) * MINUTE;
  return new Date(guess);
}

export function startOfZonedDay(at: Date, tz: string): Date {
  const w = wallClock(at, tz);
  return zonedMidnight(w.y, w.m, w.d, tz);
}

/** Local calendar date "YYYY-MM-DD" of an instant. */
export function zonedDate(at: Date, tz: string): string {
  const w = wallClock(at, tz);
  return `${w.y}-${String(w.m).padStart(2, "0")}-${String(w.d).padStart(2, "0")}`;
}

const floorTo = (at: Date, ms: number) => new Date(Math.floor(at.getTime() / ms) * ms);

/** Bucket starts covering [from, to), for drawing empty buckets as zero. */
export function bucketStarts(range: Pick<DashboardRange, "from" | "to" | "bucket" | "tz">): Date[] {
  const out: Date[] = [];
  if (range.bucket === "day") {
    for (let d = startOfZonedDay(range.from, range.tz); d < range.to && out.length < 400; d = startOfZonedDay(new Date(d.getTime() + 26 * HOUR), range.tz))
      out.push(d);
    return out;
  }
  const step = BUCKET_MS[range.bucket];
  for (let t = floorTo(range.from, step).getTime(); t < range.to.getTime() && out.length < 2000; t += step) out.push(new Date(t));
  return out;
}

export type RangeInput = { range?: RangeKey; from?: string; to?: string; bucket?: "hour" | "day" };

/**
 * The range a request asks for. Presets end now; 1 h uses 5-minute buckets, 24 h hours, 7 and 30
 * days local days (hours on request). Custom ranges take local dates (to inclusive), at most 366 days.
 */
export function resolveRange(input: RangeInput, now: Date, tzInput: string): DashboardRange {
  const tz = safeTimeZone(tzInput);
  const key = input.range ?? "30d";
  if (key === "1h") return { key, from: floorTo(new Date(now.getTime() - HOUR + 5 * MINUTE), 5 * MINUTE), to: now, bucket: "5m", tz };
  if (key === "24h") return { key, from: floorTo(new Date(now.getTime() - 23 * HOUR), HOUR), to: now, bucket: "hour", tz };
  if (key === "custom") {
    const from = parseLocalDate(input.from, tz);
    const toDay = parseLocalDate(input.to, tz);
    if (from && toDay && toDay >= from && toDay.getTime() - from.getTime() <= 366 * DAY) {
      const to = startOfZonedDay(new Date(toDay.getTime() + 26 * HOUR), tz);
      const bucket = input.bucket ?? (to.getTime() - from.getTime() <= 3 * DAY ? "hour" : "day");
      return { key, from, to: to < now ? to : now, bucket: bucket === "hour" && to.getTime() - from.getTime() > 31 * DAY ? "day" : bucket, tz };
    }
    return resolveRange({ range: "30d", bucket: input.bucket }, now, tz);
  }
  const days = key === "7d" ? 7 : 30;
  // Step back whole local days (not 24-hour blocks): a daylight-saving change in the range has a
  // 23- or 25-hour day, and 29 × 24 h would then land on the wrong midnight.
  let from = startOfZonedDay(now, tz);
  for (let i = 1; i < days; i++) from = startOfZonedDay(new Date(from.getTime() - 12 * HOUR), tz);
  return { key, from, to: now, bucket: input.bucket ?? "day", tz };
}

/** "2026-11-03" read as local midnight in tz; null when it is not a real date. */
export function parseLocalDate(text: string | undefined, tz: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text ?? "");
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  return zonedMidnight(y, mo, d, tz);
}

/** Local wall-clock text for a datetime-local input ("2026-11-03T14:05"). */
export function zonedInputValue(at: Date, tz: string): string {
  const w = wallClock(at, tz);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${w.y}-${p(w.m)}-${p(w.d)}T${p(w.h)}:${p(w.min)}`;
}

/**
 * A filter bound: an ISO instant ("…Z"), a local wall time ("2026-11-03T14:05") or a local date
 * ("2026-11-03"; as an end bound it means the end of that day). Null when unreadable.
 */
export function parseBound(text: string | undefined, tz: string, end = false): Date | null {
  if (!text) return null;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) {
    const d = new Date(text);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$/.exec(text);
  if (!m) return null;
  const day = parseLocalDate(`${m[1]}-${m[2]}-${m[3]}`, tz);
  if (!day) return null;
  if (m[4] !== undefined) {
    const [h, min] = [Number(m[4]), Number(m[5])];
    return h > 23 || min > 59 ? null : zonedMidnight(Number(m[1]), Number(m[2]), Number(m[3]), tz, h, min);
  }
  return end ? startOfZonedDay(new Date(day.getTime() + 26 * HOUR), tz) : day;
}
