/**
 * Warnings before value is lost: plain rules over plain figures. Each warning carries a dedupe
 * key, so the same condition in the same period warns once.
 */
export type Warning = {
  kind: string;
  severity: "info" | "warning" | "critical";
  connectionId: string;
  subjectType: "shop" | "connection" | "meter";
  subjectId: string;
  title: string;
  message: string;
  details: Record<string, string | number | null>;
  dedupeKey: string;
};

import { uninstallWindow } from "./uninstall-window";

const HOUR = 3_600_000;
const iso = (d: Date) => d.toISOString();

/** Events not yet delivered when the cycle ends within `horizonHours`: after the end they bill into a closed period. */
export function pendingNearCycleEnd(
  shops: readonly { id: string; domain: string; connectionId: string; cycleEnd: Date; pending: number }[],
  now: Date,
  horizonHours = 24,
): Warning[] {
  return shops
    .filter((s) => s.pending > 0 && s.cycleEnd.getTime() > now.getTime() && s.cycleEnd.getTime() - now.getTime() <= horizonHours * HOUR)
    .map((s) => ({
      kind: "pending_near_cycle_end",
      severity: "warning",
      connectionId: s.connectionId,
      subjectType: "shop",
      subjectId: s.id,
      title: `${s.pending} events pending for ${s.domain} before its cycle ends`,
      message: `${s.domain}'s billing cycle ends at ${iso(s.cycleEnd)}; ${s.pending} events of this cycle are not delivered yet. After the end Shopify answers PERIOD_CLOSED.`,
      details: { pending: s.pending, cycleEnd: iso(s.cycleEnd) },
      dedupeKey: `pending_near_cycle_end:${s.id}:${iso(s.cycleEnd)}`,
    }));
}

/** A shop uninstalled less than 24 hours ago with usage still undelivered: the window closes at uninstall + 24 h. */
export function uninstalledWithUndelivered(
  shops: readonly { id: string; domain: string; connectionId: string; uninstalledAt: Date; pending: number }[],
  now: Date,
): Warning[] {
  return shops.flatMap((s) => {
    const window = uninstallWindow({ installState: "uninstalled", uninstalledAt: s.uninstalledAt }, now);
    if (s.pending <= 0 || window.state !== "open" || !window.deadline) return [];
    const deadline = window.deadline;
    return [
      {
        kind: "uninstalled_undelivered",
        severity: "critical" as const,
        connectionId: s.connectionId,
        subjectType: "shop" as const,
        subjectId: s.id,
        title: `${s.domain} uninstalled: deliver ${s.pending} events by ${iso(deadline)}`,
        message: `${s.domain} uninstalled the app at ${iso(s.uninstalledAt)}. ${s.pending} events are not delivered; after ${iso(deadline)} Shopify answers PERIOD_CLOSED and the usage is lost.`,
        details: { pending: s.pending, uninstalledAt: iso(s.uninstalledAt), deadline: iso(deadline) },
        dedupeKey: `uninstalled_undelivered:${s.id}:${iso(s.uninstalledAt)}`,
      },
    ];
  });
}

/** The last send of a connection was refused for its credentials. */
export function authFailures(
  connections: readonly { id: string; name: string; lastAuthErrorAt: Date | null; lastSendAt: Date | null; lastSendError: string | null }[],
): Warning[] {
  return connections
    .filter((c) => c.lastAuthErrorAt && c.lastSendAt && c.lastAuthErrorAt.getTime() >= c.lastSendAt.getTime())
    .map((c) => ({
      kind: "connection_auth_failed",
      severity: "critical",
      connectionId: c.id,
      subjectType: "connection",
      subjectId: c.id,
      title: `${c.name}: the platform refused the credentials`,
      message: `The last send on ${c.name} was refused for authentication (${c.lastSendError ?? "401"}). Events will keep failing until the client id and secret are fixed in Settings.`,
      details: { at: iso(c.lastAuthErrorAt!), error: c.lastSendError },
      dedupeKey: `connection_auth_failed:${c.id}:${iso(c.lastAuthErrorAt!).slice(0, 13)}`,
    }));
}

/** The last hour's error rate well above the day before it (and not a handful of events). */
export function errorSpikes(
  rows: readonly { connectionId: string; name: string; hourTotal: number; hourFailed: number; dayTotal: number; dayFailed: number }[],
  now: Date,
  { minEvents = 20, minRate = 0.1, factor = 2 } = {},
): Warning[] {
  return rows.flatMap((r) => {
    if (r.hourTotal < minEvents) return [];
    const rate = r.hourFailed / r.hourTotal;
    const baseline = r.dayTotal ? r.dayFailed / r.dayTotal : 0;
    if (rate < minRate || rate < baseline * factor) return [];
    const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
    return [
      {
        kind: "error_spike",
        severity: "warning" as const,
        connectionId: r.connectionId,
        subjectType: "connection" as const,
        subjectId: r.connectionId,
        title: `${r.name}: ${pct(rate)} of the last hour's events failed`,
        message: `${r.hourFailed} of ${r.hourTotal} events in the last hour failed (${pct(rate)}), against ${pct(baseline)} over the 24 hours before.`,
        details: { hourTotal: r.hourTotal, hourFailed: r.hourFailed, baselineRate: baseline.toFixed(4) },
        dedupeKey: `error_spike:${r.connectionId}:${iso(now).slice(0, 13)}`,
      },
    ];
  });
}

/** A meter that reported every day of the last week has gone quiet for a day. */
export function quietMeters(
  rows: readonly { connectionId: string; name: string; handle: string; activeDays: number; last24h: number; lastAt: Date | null }[],
  now: Date,
  { days = 7 } = {},
): Warning[] {
  return rows
    .filter((r) => r.activeDays >= days && r.last24h === 0)
    .map((r) => ({
      kind: "meter_quiet",
      severity: "warning",
      connectionId: r.connectionId,
      subjectType: "meter",
      subjectId: `${r.connectionId}:${r.handle}`,
      title: `${r.handle} on ${r.name} has gone quiet`,
      message: `${r.handle} reported on each of the previous ${days} days but nothing in the last 24 hours (last event ${r.lastAt ? iso(r.lastAt) : "unknown"}). Check that the app still reports usage.`,
      details: { handle: r.handle, lastAt: r.lastAt ? iso(r.lastAt) : null },
      dedupeKey: `meter_quiet:${r.connectionId}:${r.handle}:${iso(now).slice(0, 10)}`,
    }));
}
