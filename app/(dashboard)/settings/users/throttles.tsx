import { Badge, Card } from "@/components/ui/card";
import { THROTTLE } from "@/lib/auth/throttle";
import { db } from "@/lib/db/client";
import { ClearThrottleButton } from "./user-forms";

const SHOWN = 50;

/** Sign-in counters with recent failures, waiting ones first; an admin clears one to let it try again. */
export async function SignInThrottles() {
  const since = new Date(Date.now() - THROTTLE.windowMs);
  const now = new Date();
  const where = { OR: [{ lastFailureAt: { gte: since } }, { lockedUntil: { gt: now } }] };
  const [rows, total] = await Promise.all([
    db().signInThrottle.findMany({ where, orderBy: [{ lockedUntil: { sort: "desc", nulls: "last" } }, { lastFailureAt: "desc" }], take: SHOWN }),
    db().signInThrottle.count({ where }),
  ]);
  return (
    <Card title="Sign-in throttling" className="mt-4">
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        After {THROTTLE.threshold} failed sign-ins within {THROTTLE.windowMs / 60_000} minutes of each other, an account or a client address waits{" "}
        {THROTTLE.firstWaitMs / 1000} s before the next try, twice as long after each further failure, at most {THROTTLE.maxWaitMs / 60_000} minutes. An
        account&apos;s wait does not apply where it signed in lately.
      </p>
      {rows.length === 0 ? (
        <p className="mt-3 text-sm text-zinc-500 dark:text-zinc-400" data-testid="throttles-empty">
          No failed sign-ins in the last {THROTTLE.windowMs / 60_000} minutes.
        </p>
      ) : (
        <div className="mt-3 overflow-x-auto">
          <table className="w-full text-left text-sm" data-testid="throttles">
            <caption className="sr-only">Accounts and addresses with recent failed sign-ins</caption>
            <thead className="text-xs text-zinc-500 dark:text-zinc-400">
              <tr>
                <th scope="col" className="py-1 pr-3">
                  Account or address
                </th>
                <th scope="col" className="pr-3">
                  Failures
                </th>
                <th scope="col" className="pr-3">
                  Refused while waiting
                </th>
                <th scope="col" className="pr-3">
                  Last failure
                </th>
                <th scope="col" className="pr-3">
                  Waits until
                </th>
                <th scope="col">
                  <span className="sr-only">Clear</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
              {rows.map((r) => {
                const waiting = r.lockedUntil && r.lockedUntil > now;
                return (
                  <tr key={`${r.scope}:${r.subject}`} data-subject={r.subject}>
                    <td className="py-2 pr-3">
                      <Badge tone={r.scope === "account" ? "indigo" : "zinc"}>{r.scope}</Badge> <span className="break-all">{r.subject}</span>
                      {r.lastOther && <span className="block text-xs text-zinc-500 dark:text-zinc-400">last from {r.lastOther}</span>}
                    </td>
                    <td className="pr-3 tabular-nums">{r.failures}</td>
                    <td className="pr-3 tabular-nums">{r.refused}</td>
                    <td className="pr-3 whitespace-nowrap">{r.lastFailureAt.toISOString().slice(0, 19).replace("T", " ")} UTC</td>
                    <td className="pr-3 whitespace-nowrap">{waiting ? <Badge tone="red">{r.lockedUntil!.toISOString().slice(11, 19)} UTC</Badge> : "—"}</td>
                    <td>
                      <ClearThrottleButton scope={r.scope} subject={r.subject} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {total > SHOWN && (
            <p className="mt-2 text-xs text-zinc-500 dark:text-zinc-400">
              Showing the {SHOWN} most recent of {total}.
            </p>
          )}
        </div>
      )}
    </Card>
  );
}
