import { EmptyState, PageHeader } from "@/components/ui/card";
import { requirePageUser } from "@/lib/auth/auth";
import { hasRole } from "@/lib/auth/roles";
import { db } from "@/lib/db/client";
import {
  cycleCounts,
  cyclesPage,
  differenceFacets,
  differencesPage,
  differenceSummary,
  latestLogRead,
  latestRefresh,
  type DifferenceFilter,
} from "@/lib/db/reconcile";
import { DIFFERENCE_KINDS } from "@/lib/domain/reconcile";
import type { CycleState, DifferenceState } from "@/lib/generated/prisma/enums";
import { CyclesCard } from "./cycles-card";
import { DifferencesCard } from "./differences-card";
import { FiguresCard, WixFiguresCard } from "./figures-card";

export const metadata = { title: "Reconcile · Billing control room" };

type Params = {
  connection?: string;
  shop?: string;
  meter?: string;
  kind?: string;
  state?: string;
  cycle?: string;
  after?: string;
  cycles?: string;
  cyclesAfter?: string;
};
const CYCLE_STATES = ["open", "balanced", "closed", "closed_with_gap"] as const;
const pick = <T extends string>(value: string | undefined, allowed: readonly T[]) =>
  (allowed as readonly string[]).includes(value ?? "") ? (value as T) : undefined;
const uuid = (v: string | undefined) => (v && /^[0-9a-f-]{36}$/i.test(v) ? v : undefined);

export default async function ReconcilePage({ searchParams }: { searchParams: Promise<Params> }) {
  const user = await requirePageUser();
  const params = await searchParams;
  const connections = await db().connection.findMany({ orderBy: [{ platform: "asc" }, { name: "asc" }] });
  if (!connections.length) {
    return (
      <>
        <PageHeader title="Reconcile" />
        <EmptyState title="No connection">An admin adds one in Settings.</EmptyState>
      </>
    );
  }
  const connection = connections.find((c) => c.id === params.connection) ?? connections[0]!;
  const picker = (
    <form className="flex max-w-full flex-wrap items-center gap-2 text-sm" method="get">
      <label htmlFor="connection" className="text-zinc-600 dark:text-zinc-400">
        Connection
      </label>
      <select
        id="connection"
        name="connection"
        defaultValue={connection.id}
        className="max-w-full min-w-0 rounded-md border border-zinc-300 bg-white px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900"
      >
        {connections.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </select>
      <button className="rounded-md border border-zinc-300 px-2 py-1 dark:border-zinc-700" type="submit">
        Show
      </button>
    </form>
  );
  const wix = connection.platform === "wix";
  const filter: DifferenceFilter = {
    connectionId: connection.id,
    subjectId: uuid(params.shop),
    handle: params.meter || undefined,
    kind: pick(params.kind, DIFFERENCE_KINDS),
    state: pick<DifferenceState>(params.state, ["open", "resolved", "cleared"]) ?? "open",
    cycleId: uuid(params.cycle),
  };
  const after = params.after && /^\d{1,19}$/.test(params.after) ? BigInt(params.after) : null;
  const cycleState = pick<CycleState>(params.cycles, CYCLE_STATES);
  const [refresh, logRows, lastRead, summary, page, facets, cycles, counts] = await Promise.all([
    latestRefresh(connection.id),
    db().platformLogEntry.count({ where: { connectionId: connection.id } }),
    latestLogRead(connection.id),
    differenceSummary(filter),
    differencesPage(filter, after),
    differenceFacets(connection.id),
    cyclesPage(connection.id, cycleState, uuid(params.cyclesAfter) ?? null),
    cycleCounts(connection.id),
  ]);
  const query = (extra: Record<string, string | undefined>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...params, connection: connection.id, ...extra })) if (v) q.set(k, v);
    return `/reconcile?${q}`;
  };
  return (
    <>
      <PageHeader
        title="Reconcile"
        description={
          wix
            ? "Wix invoices the site owner from our List Charges answers: per instance and billing period, our ledger beside what we proposed and what Wix invoiced, rejected or reports about the invoice. Nothing here calls Wix."
            : "Our ledger beside the platform's stored figures, per shop, meter and billing cycle, and event by event. Nothing here calls the platform: the worker pulls its figures."
        }
        actions={picker}
      />
      {!wix && (
        <FiguresCard
          connection={{
            id: connection.id,
            sandbox: connection.environment === "sandbox",
            partnerApi: !!(connection.partnerApiUrl && connection.partnerApiTokenEnc && connection.appGid),
          }}
          refresh={refresh}
          log={{ rows: logRows, lastRead }}
          operator={hasRole(user.role, "operator")}
        />
      )}
      {wix && <WixFiguresCard connectionId={connection.id} refresh={refresh} operator={hasRole(user.role, "operator")} />}
      <CyclesCard
        platform={connection.platform}
        connectionId={connection.id}
        refreshing={refresh?.status === "requested" || refresh?.status === "running"}
        cycles={cycles}
        counts={counts}
        state={cycleState}
        query={query}
        operator={hasRole(user.role, "operator")}
        admin={hasRole(user.role, "admin")}
      />
      <DifferencesCard filter={filter} summary={summary} page={page} facets={facets} query={query} operator={hasRole(user.role, "operator")} />
    </>
  );
}
