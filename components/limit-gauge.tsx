/**
 * A charge-limit gauge: the share of the limit used this cycle (green, amber from 80 %, red at
 * 100 %) and a tick where the cycle's pace leads by its end. Props are numbers and text, formatted
 * on the server.
 */
export type LimitGaugeProps = {
  label: string;
  percentUsed: number;
  /** Null early in a cycle: no projection is shown then. */
  projectedPercent: number | null;
  usedText: string;
  limitText: string;
  projectedText: string | null;
  size?: "sm" | "lg";
};

export function LimitGauge({ label, percentUsed, projectedPercent, usedText, limitText, projectedText, size = "sm" }: LimitGaugeProps) {
  const fill = percentUsed >= 100 ? "bg-red-500" : percentUsed >= 80 ? "bg-amber-500" : "bg-emerald-500";
  const projectedTone =
    projectedPercent === null
      ? "text-zinc-500 dark:text-zinc-400"
      : projectedPercent > 100
        ? "text-red-600 dark:text-red-400"
        : projectedPercent >= 80
          ? "text-amber-700 dark:text-amber-400"
          : "text-zinc-500 dark:text-zinc-400";
  const height = size === "lg" ? "h-3" : "h-2";
  const tick = Math.min(projectedPercent ?? 0, 100);
  return (
    <div className={size === "lg" ? "w-full" : "min-w-44"}>
      <div
        className={`relative ${height} rounded-full bg-zinc-200 dark:bg-zinc-800`}
        role="meter"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.min(percentUsed, 100)}
        aria-valuetext={`${usedText} of ${limitText} used (${percentUsed.toFixed(1)} %)`}
        aria-label={label}
        data-testid="limit-gauge"
        data-percent={percentUsed.toFixed(1)}
      >
        <div className={`${height} rounded-full ${fill} transition-[width] duration-500`} style={{ width: `${Math.min(percentUsed, 100)}%` }} />
        {projectedPercent !== null && projectedPercent > percentUsed && (
          <div
            className="absolute -top-1 -bottom-1 w-0.5 rounded bg-zinc-700 dark:bg-zinc-300"
            style={{ left: `calc(${tick}% - 1px)` }}
            title={`Projected by the cycle's end: ${projectedText}`}
            aria-hidden
          />
        )}
      </div>
      <p className={`mt-1 flex flex-wrap justify-between gap-x-3 ${size === "lg" ? "text-sm" : "text-xs"} tabular-nums`}>
        <span>
          <span className="font-medium" data-testid="gauge-used">
            {usedText}
          </span>{" "}
          <span className="text-zinc-500 dark:text-zinc-400">
            of {limitText} · {percentUsed.toFixed(1)} %
          </span>
        </span>
        <span className={projectedTone}>{projectedText === null ? "projection after the first day" : `projected ${projectedText}`}</span>
      </p>
    </div>
  );
}
