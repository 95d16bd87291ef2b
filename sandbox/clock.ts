// The sandbox clock. Platform rules (token lifetimes, billing cycles, the 5-minute future
// limit, the 24-hour uninstall grace, rate-limit windows, Wix invoice runs) read this clock,
// never Date.now(). It runs with real time plus an offset, or stands still when frozen.

export type ClockState = {
  /** Sandbox time minus real time, in ms (used while running). */
  offsetMs: number;
  /** Sandbox time in ms while frozen; null while running. */
  frozenAtMs: number | null;
};

export function nowMs(clock: ClockState): number {
  return clock.frozenAtMs ?? Date.now() + clock.offsetMs;
}

export function nowIso(clock: ClockState): string {
  return new Date(nowMs(clock)).toISOString();
}

export function setClock(clock: ClockState, ms: number): void {
  if (clock.frozenAtMs !== null) clock.frozenAtMs = ms;
  else clock.offsetMs = ms - Date.now();
}

export function freezeClock(clock: ClockState, frozen: boolean): void {
  const current = nowMs(clock);
  clock.frozenAtMs = frozen ? current : null;
  if (!frozen) clock.offsetMs = current - Date.now();
}

/** A clock reading `startMs` when real time was `realMs` (read once by the caller, so "now" means an offset of 0). */
export function newClock(startMs: number, frozen: boolean, realMs = Date.now()): ClockState {
  return frozen ? { offsetMs: 0, frozenAtMs: startMs } : { offsetMs: startMs - realMs, frozenAtMs: null };
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Resolves a fixture time: an ISO 8601 string, "now", or an offset from `baseMs`
 * such as "-10d", "+2h", "-90m", "-30s".
 */
export function resolveTime(value: string, baseMs: number): number {
  if (value === "now") return baseMs;
  const rel = /^([+-])(\d+(?:\.\d+)?)([smhd])$/.exec(value);
  const unit = rel ? UNIT_MS[rel[3] ?? ""] : undefined;
  if (rel && unit !== undefined) return baseMs + (rel[1] === "-" ? -1 : 1) * Number(rel[2]) * unit;
  const ms = parseIsoTime(value);
  if (ms === null) throw new Error(`"${value}" is neither an ISO 8601 time nor an offset like -10d`);
  return ms;
}

const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Strict ISO 8601 date-time with a zone; null when malformed. */
export function parseIsoTime(value: string): number | null {
  if (!ISO_RE.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** Adds calendar months in UTC (Wix monthly cycles). */
export function addMonthsUtc(ms: number, months: number): number {
  const d = new Date(ms);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return d.getTime();
}
