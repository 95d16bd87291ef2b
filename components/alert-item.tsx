import type { ReactNode } from "react";
import { LocalTime } from "./local-time";
import { Badge } from "./ui/card";

export type AlertView = {
  id: string;
  kind: string;
  severity: "info" | "warning" | "critical";
  title: string;
  message: string;
  createdAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy?: { name: string } | null;
  webhookStatus: string;
  webhookAttempts: number;
  webhookLastError: string | null;
};

const severityTone = { critical: "red", warning: "amber", info: "indigo" } as const;
const webhookText: Record<string, string> = {
  not_configured: "no webhook configured",
  pending: "webhook queued",
  sending: "webhook sending",
  delivered: "webhook delivered",
  failed: "webhook failed",
};

/** One alert: severity, title, message, when, webhook outcome; `action` holds the acknowledge button. */
export function AlertItem({ alert, subject, action }: { alert: AlertView; subject?: ReactNode; action?: ReactNode }) {
  const border = alert.acknowledgedAt
    ? "border-zinc-200 dark:border-zinc-800"
    : alert.severity === "critical"
      ? "border-red-300 dark:border-red-900"
      : "border-amber-300 dark:border-amber-900";
  return (
    <li className={`rounded-lg border ${border} p-3 text-sm`} data-testid="alert" data-kind={alert.kind}>
      <p className="flex flex-wrap items-center gap-2 font-medium">
        <Badge tone={severityTone[alert.severity]}>{alert.severity}</Badge>
        <span>{alert.title}</span>
      </p>
      <p className="mt-1 text-zinc-600 dark:text-zinc-300">{alert.message}</p>
      <div className="mt-2 flex flex-wrap items-end justify-between gap-2">
        <p className="flex flex-wrap gap-x-3 gap-y-1 text-xs text-zinc-500 dark:text-zinc-400">
          <LocalTime iso={alert.createdAt.toISOString()} />
          {subject}
          <span className={alert.webhookStatus === "failed" ? "text-red-600 dark:text-red-400" : undefined} title={alert.webhookLastError ?? undefined}>
            {webhookText[alert.webhookStatus] ?? alert.webhookStatus}
            {alert.webhookAttempts > 1 && ` (${alert.webhookAttempts} attempts)`}
            {alert.webhookStatus === "failed" && alert.webhookLastError && `: ${alert.webhookLastError}`}
          </span>
          {alert.acknowledgedAt && (
            <span>
              acknowledged <LocalTime iso={alert.acknowledgedAt.toISOString()} />
              {alert.acknowledgedBy && ` by ${alert.acknowledgedBy.name}`}
            </span>
          )}
        </p>
        {action}
      </div>
    </li>
  );
}
