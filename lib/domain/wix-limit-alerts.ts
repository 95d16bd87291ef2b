import { formatMoney } from "./money";
import type { Period } from "./periods";
import { projectionIsMeaningful } from "./wix-cycles";
import type { LimitStatus } from "./wix-limits";

/**
 * The alerts an instance's usage calls for (80 % and 100 % of its charge limit). Wix does not warn
 * the site owner when the limit is reached (docs/platforms/wix.md §5.1), and usage over it is never billed, so the
 * partner hears it from us.
 *
 * Each alert fires once per threshold, cycle and limit (the dedupe key): a new cycle, or a raise
 * by the site owner, re-arms it, so a site that passes 80 % of its raised limit is warned again.
 */
export type AlertDraft = {
  kind: string;
  severity: "info" | "warning" | "critical";
  dedupeKey: string;
  title: string;
  message: string;
  details: Record<string, string | number | null>;
};

export type LimitAlertInput = {
  instance: { id: string; siteName: string; currency: string };
  status: LimitStatus;
  cycle: Period;
  /** When the status was computed: early in a cycle the projection is left out (too noisy). */
  now: Date;
};

export function limitAlerts({ instance, status, cycle, now }: LimitAlertInput, locale = "en-US"): AlertDraft[] {
  const money = (amount: LimitStatus["used"]) => formatMoney({ amount, currency: instance.currency }, locale);
  const projects = projectionIsMeaningful(cycle, now);
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const details = {
    instanceId: instance.id,
    siteName: instance.siteName,
    currency: instance.currency,
    used: status.used.toFixed(),
    limit: status.limit.toFixed(),
    percentUsed: status.percentUsed.toNumber(),
    projected: projects ? status.projected.toFixed() : null,
    cycleStart: cycle.start.toISOString(),
    cycleEnd: cycle.end.toISOString(),
    reachesLimitAt: projects ? (status.reachesLimitAt?.toISOString() ?? null) : null,
  };
  const usedText = `${money(status.used)} of ${money(status.limit)}`;
  const raise = "Wix does not tell the site owner; ask them to raise it (Premium Subscriptions → More Options → Manage Charge Limit).";
  return status.reached.map((threshold): AlertDraft => {
    const key = `wix_limit_${threshold}:${instance.id}:${cycle.start.toISOString()}:${status.limit.toFixed()}`;
    if (threshold >= 100) {
      return {
        kind: `wix_limit_${threshold}`,
        severity: "critical",
        dedupeKey: key,
        details: { ...details, threshold },
        title: `${instance.siteName} reached its Wix charge limit`,
        message:
          `${instance.siteName} has used ${usedText} (${status.percentUsed.toFixed(1)} %) in the cycle ${day(cycle.start)} to ${day(cycle.end)}. ` +
          `Usage over the limit is not billed this cycle. ${raise}`,
      };
    }
    const pace = !projects
      ? ""
      : ` At this pace: ${money(status.projected)} by the cycle's end${status.reachesLimitAt ? `, reaching the limit on ${day(status.reachesLimitAt)}` : ""}.`;
    return {
      kind: `wix_limit_${threshold}`,
      severity: "warning",
      dedupeKey: key,
      details: { ...details, threshold },
      title: `${instance.siteName} passed ${threshold} % of its Wix charge limit`,
      message: `${instance.siteName} has used ${usedText} (${status.percentUsed.toFixed(1)} %) in the cycle ${day(cycle.start)} to ${day(cycle.end)}.${pace} ${raise}`,
    };
  });
}
