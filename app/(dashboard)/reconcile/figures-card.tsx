import { LiveRefresh } from "@/components/live-refresh";
import { LocalTime } from "@/components/local-time";
import { Badge, Card } from "@/components/ui/card";
import type { PlatformLogRead, PlatformRefresh } from "@/lib/generated/prisma/client";
import { ImportPanel, RefreshButton } from "./reconcile-forms";

const tone = { requested: "indigo", running: "indigo", finished: "green", failed: "red" } as const;

/** Where the platform's figures come from and how fresh they are; "Refresh now" with its progress. */
export function FiguresCard({
  connection,
  refresh,
  log,
  operator,
}: {
  connection: { id: string; sandbox: boolean; partnerApi: boolean };
  refresh: PlatformRefresh | null;
  log: { rows: number; lastRead: PlatformLogRead | null };
  operator: boolean;
}) {
  const read = log.lastRead;
  const active = refresh?.status === "requested" || refresh?.status === "running";
  return (
    <Card title="The platform's figures" action={operator && <RefreshButton connectionId={connection.id} disabled={active} />}>
      <div className="space-y-1 text-sm text-zinc-700 dark:text-zinc-300" data-testid="figures-status">
        <p>
          Partner API usage per shop and meter:{" "}
          {!connection.partnerApi ? (
            <span className="text-amber-800 dark:text-amber-300">no Partner API credentials on this connection, so no usage figures.</span>
          ) : !refresh ? (
            "never pulled yet."
          ) : (
            <>
              <Badge tone={tone[refresh.status]}>{refresh.status}</Badge> {refresh.status === "requested" && "waiting for the worker. "}
              {refresh.total > 0 && (
                <>
                  {refresh.done.toLocaleString("en")} of {refresh.total.toLocaleString("en")} shops read{refresh.failed ? `, ${refresh.failed} failed` : ""}
                  {refresh.rateLimited ? `, ${refresh.rateLimited} rate-limited answers waited out` : ""}.{" "}
                </>
              )}
              {refresh.finishedAt && (
                <>
                  Finished <LocalTime iso={refresh.finishedAt.toISOString()} />
                  {refresh.requestedBy !== "schedule" ? ` (asked by ${refresh.requestedBy})` : " (scheduled)"}.
                </>
              )}
              {refresh.lastError && <span className="block text-red-700 dark:text-red-300">Last error: {refresh.lastError}</span>}
            </>
          )}
        </p>
        <p>
          Dev Dashboard log:{" "}
          {read ? (
            <>
              {log.rows.toLocaleString("en")} rows stored. Last read <LocalTime iso={read.readAt.toISOString()} /> from{" "}
              {read.source === "imported_file" ? "an imported file" : "the sandbox's log"}:{" "}
              {read.rowCount ? `${read.rowCount.toLocaleString("en")} rows` : "no rows"}
              {read.rowsTo && (
                <>
                  , log rows up to <LocalTime iso={read.rowsTo.toISOString()} />
                </>
              )}
              . Compared as of <LocalTime iso={read.asOf.toISOString()} />: what was sent after that is in flight.
            </>
          ) : (
            "never read yet: events cannot be matched one by one."
          )}{" "}
          Shopify shows verdicts only there{connection.sandbox ? "; the worker reads the sandbox's with every refresh" : "; import its file below"}.
        </p>
        <LiveRefresh
          active={active}
          label={refresh?.status === "running" ? `Refreshing: ${refresh.done} of ${refresh.total} shops…` : "Waiting for the worker…"}
        />
      </div>
      {operator && (
        <div className="mt-3">
          <ImportPanel connectionId={connection.id} sandbox={connection.sandbox} />
        </div>
      )}
    </Card>
  );
}

/** Wix: its figures come to us (List Charges, Invoice Created, the rejections, invoice statuses); a refresh reconciles them now. */
export function WixFiguresCard({ connectionId, refresh, operator }: { connectionId: string; refresh: PlatformRefresh | null; operator: boolean }) {
  const active = refresh?.status === "requested" || refresh?.status === "running";
  return (
    <Card title="Wix's figures" action={operator && <RefreshButton connectionId={connectionId} disabled={active} />}>
      <div className="space-y-1 text-sm text-zinc-700 dark:text-zinc-300" data-testid="figures-status">
        <p>
          Wix calls us: our List Charges answers, Invoice Created lines, Charges Rejected / Usages Rejected with their reasons and each invoice&apos;s status
          are stored as they arrive and reconciled on the worker&apos;s schedule or with &ldquo;Refresh now&rdquo;.{" "}
          {refresh ? (
            <>
              Last run: <Badge tone={tone[refresh.status]}>{refresh.status}</Badge>
              {refresh.finishedAt && (
                <>
                  {" "}
                  <LocalTime iso={refresh.finishedAt.toISOString()} />
                </>
              )}
              .
            </>
          ) : (
            "Not reconciled yet."
          )}
        </p>
        <LiveRefresh active={active} label="Reconciling…" />
      </div>
    </Card>
  );
}
