import { LocalTime } from "@/components/local-time";
import { Badge } from "@/components/ui/card";
import type { WixInstance, WixWebhookDelivery } from "@/lib/generated/prisma/client";

/** The instance's plan as Wix's webhooks tell it, and every webhook recorded for it. */
const outcomeTone = { applied: "green", stale: "amber", ignored: "zinc" } as const;
const dl = "grid grid-cols-[minmax(8rem,auto)_1fr] gap-x-4 gap-y-2 text-sm";

export function PlanFacts({ instance }: { instance: WixInstance }) {
  return (
    <dl className={dl} data-testid="instance-plan">
      <dt className="text-zinc-500 dark:text-zinc-400">Paid plan</dt>
      <dd>
        {instance.planPackage ? (
          <>
            <span className="font-mono">{instance.planPackage}</span>
            {instance.planCycle && ` · ${instance.planCycle.toLowerCase().replace("_", " ")}`}
          </>
        ) : (
          <span className="text-zinc-500 dark:text-zinc-400">none reported</span>
        )}
      </dd>
      <dt className="text-zinc-500 dark:text-zinc-400">Auto-renewal</dt>
      <dd>
        {instance.planAutoRenewing === null ? (
          <span className="text-zinc-500 dark:text-zinc-400">—</span>
        ) : instance.planAutoRenewing ? (
          "on"
        ) : (
          <span className="text-amber-700 dark:text-amber-400">cancelled: the plan ends at the end of its cycle</span>
        )}
      </dd>
      {instance.planExpiresAt && (
        <>
          <dt className="text-zinc-500 dark:text-zinc-400">Expires</dt>
          <dd>
            <LocalTime iso={instance.planExpiresAt.toISOString()} />
          </dd>
        </>
      )}
      <dt className="text-zinc-500 dark:text-zinc-400">Site details</dt>
      <dd>
        {instance.lookupState === "pending" && (
          <span className="block text-amber-700 dark:text-amber-400">
            Instance not yet known: its events wait while Wix&apos;s App Instance API is asked about it.
          </span>
        )}
        {instance.lookupState === "not_found" ? (
          <span className="text-red-600 dark:text-red-400">
            Unknown to Wix (<LocalTime iso={instance.lookedUpAt?.toISOString()} />
            ): {instance.lookupError}. Its events end with Wix&apos;s answer as their verdict.
          </span>
        ) : instance.lookupError ? (
          <span className="text-red-600 dark:text-red-400">
            App Instance API read failed <LocalTime iso={instance.lookedUpAt?.toISOString()} />: {instance.lookupError}
          </span>
        ) : instance.lookedUpAt ? (
          <>
            read from the App Instance API <LocalTime iso={instance.lookedUpAt.toISOString()} />
          </>
        ) : (
          <span className="text-zinc-500 dark:text-zinc-400">from the sandbox import or the first event</span>
        )}
      </dd>
    </dl>
  );
}

export function WebhookHistory({ webhooks }: { webhooks: WixWebhookDelivery[] }) {
  if (!webhooks.length)
    return (
      <p className="text-sm text-zinc-500 dark:text-zinc-400">
        No webhook from Wix yet. Installs, uninstalls, plan changes and invoice payments appear here as Wix sends them.
      </p>
    );
  return (
    <ul className="divide-y divide-zinc-200 text-sm dark:divide-zinc-800" data-testid="instance-webhooks">
      {webhooks.map((w) => (
        <li key={w.id.toString()} className="flex flex-wrap items-center gap-2 py-2">
          <span className="font-mono text-xs">{w.eventType}</span>
          <Badge tone={outcomeTone[w.outcome]}>{w.outcome}</Badge>
          <span className="ml-auto text-xs text-zinc-500 dark:text-zinc-400">
            <LocalTime iso={w.occurredAt.toISOString()} />
          </span>
          <span className="basis-full break-words">{w.summary}</span>
        </li>
      ))}
    </ul>
  );
}
