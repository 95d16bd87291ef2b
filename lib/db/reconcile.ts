import type { CycleState, DifferenceKind, DifferenceState } from "../generated/prisma/enums";
import { db, Prisma } from "./client";

/**
 * What the reconcile page reads, from the database only: a summary of differences (count and
 * money per kind and currency), one page of differences (keyset on id), one page of cycles
 * (keyset on cycle end, id) and the latest pull of platform figures.
 */
export type DifferenceFilter = { connectionId: string; subjectId?: string; handle?: string; kind?: DifferenceKind; state: DifferenceState; cycleId?: string };

function where(f: DifferenceFilter, cycle: { subjectId: string; cycleStart: Date } | null) {
  const parts = [Prisma.sql`d.connection_id = ${f.connectionId}::uuid`, Prisma.sql`d.state = ${f.state}::"DifferenceState"`];
  if (f.subjectId) parts.push(Prisma.sql`d.subject_id = ${f.subjectId}::uuid`);
  if (f.handle) parts.push(Prisma.sql`d.handle = ${f.handle}`);
  if (f.kind) parts.push(Prisma.sql`d.kind = ${f.kind}::"DifferenceKind"`);
  if (cycle) parts.push(Prisma.sql`d.subject_id = ${cycle.subjectId}::uuid AND d.cycle_start = ${cycle.cycleStart}`);
  return Prisma.join(parts, " AND ");
}

async function cycleOf(f: DifferenceFilter) {
  if (!f.cycleId) return null;
  return db().reconcileCycle.findFirst({ where: { id: f.cycleId, connectionId: f.connectionId }, select: { subjectId: true, cycleStart: true } });
}

export async function differenceSummary(f: DifferenceFilter) {
  const rows = await db().$queryRaw<{ kind: DifferenceKind; currency: string; count: bigint; amount: string }[]>`
    SELECT d.kind::text AS kind, d.currency, count(*) AS count, trim_scale(sum(d.amount))::text AS amount
    FROM reconcile_differences d WHERE ${where(f, await cycleOf(f))} GROUP BY 1, 2 ORDER BY 1, 2`;
  return rows.map((r) => ({ kind: r.kind, currency: r.currency, count: Number(r.count), amount: r.amount }));
}

export type DifferenceRow = Awaited<ReturnType<typeof differencesPage>>["rows"][number];

export async function differencesPage(f: DifferenceFilter, after: bigint | null, limit = 50) {
  const rows = await db().$queryRaw<
    {
      id: bigint;
      kind: DifferenceKind;
      key: string;
      event_id: bigint | null;
      handle: string;
      occurred_at: Date | null;
      our_units: string | null;
      platform_units: string | null;
      amount: string;
      currency: string;
      our_verdict: string | null;
      platform_verdict: string | null;
      subject_id: string;
      subject: string | null;
      cycle_start: Date;
      resolution: string | null;
      resolved_by: string | null;
      resolved_at: Date | null;
      note: string | null;
      attempts: bigint;
    }[]
  >`
    SELECT d.id, d.kind::text AS kind, d.key, d.event_id, d.handle, d.occurred_at, trim_scale(d.our_units)::text AS our_units, trim_scale(d.platform_units)::text AS platform_units,
      trim_scale(d.amount)::text AS amount, d.currency, d.our_verdict, d.platform_verdict, d.subject_id::text, COALESCE(s.domain, w.site_name) AS subject, d.cycle_start,
      d.resolution, d.resolved_by, d.resolved_at, d.note,
      (SELECT count(*) FROM delivery_attempts a WHERE a.event_id = d.event_id) AS attempts
    FROM reconcile_differences d LEFT JOIN shops s ON s.id = d.subject_id LEFT JOIN wix_instances w ON s.id IS NULL AND w.id = d.subject_id
    WHERE ${where(f, await cycleOf(f))} ${after ? Prisma.sql`AND d.id > ${after}` : Prisma.empty}
    ORDER BY d.id LIMIT ${limit + 1}`;
  const more = rows.length > limit;
  const page = rows.slice(0, limit).map((r) => ({ ...r, id: r.id.toString(), eventId: r.event_id?.toString() ?? null, attempts: Number(r.attempts) }));
  return { rows: page, next: more ? page.at(-1)!.id : null };
}

export async function cyclesPage(connectionId: string, state: CycleState | undefined, after: string | null, limit = 25) {
  const cursor = after ? await db().reconcileCycle.findUnique({ where: { id: after }, select: { cycleEnd: true, id: true } }) : null;
  const rows = await db().reconcileCycle.findMany({
    where: {
      connectionId,
      ...(state ? { state } : {}),
      ...(cursor ? { OR: [{ cycleEnd: { lt: cursor.cycleEnd } }, { cycleEnd: cursor.cycleEnd, id: { gt: cursor.id } }] } : {}),
    },
    orderBy: [{ cycleEnd: "desc" }, { id: "asc" }],
    take: limit + 1,
  });
  return { rows: rows.slice(0, limit), next: rows.length > limit ? rows[limit - 1]!.id : null };
}

export async function cycleCounts(connectionId: string) {
  const rows = await db().reconcileCycle.groupBy({ by: ["state"], where: { connectionId }, _count: true });
  return Object.fromEntries(rows.map((r) => [r.state, r._count])) as Partial<Record<CycleState, number>>;
}

export async function latestRefresh(connectionId: string) {
  return db().platformRefresh.findFirst({ where: { connectionId }, orderBy: { requestedAt: "desc" } });
}

/**
 * The connection's last read of the Dev Dashboard log (with rows or none) and what it covered;
 * asOf: the latest moment any read reflects, which the comparison uses.
 */
export async function latestLogRead(connectionId: string) {
  const [last, latest] = await Promise.all([
    db().platformLogRead.findFirst({ where: { connectionId }, orderBy: [{ readAt: "desc" }, { id: "desc" }] }),
    db().platformLogRead.aggregate({ where: { connectionId }, _max: { asOf: true } }),
  ]);
  return last ? { ...last, asOf: latest._max.asOf ?? last.asOf } : null;
}

/** Filter choices: the shops and meters that have differences on this connection. */
export async function differenceFacets(connectionId: string) {
  const [shops, meters] = await Promise.all([
    db().$queryRaw<{ id: string; domain: string }[]>`
      SELECT id, domain FROM (
        SELECT s.id::text, s.domain FROM shops s WHERE s.id IN (SELECT DISTINCT subject_id FROM reconcile_differences WHERE connection_id = ${connectionId}::uuid)
        UNION ALL
        SELECT w.id::text, w.site_name FROM wix_instances w WHERE w.id IN (SELECT DISTINCT subject_id FROM reconcile_differences WHERE connection_id = ${connectionId}::uuid)
      ) x ORDER BY domain LIMIT 500`,
    db().$queryRaw<{ handle: string }[]>`SELECT DISTINCT handle FROM reconcile_differences WHERE connection_id = ${connectionId}::uuid ORDER BY 1 LIMIT 200`,
  ]);
  return { shops, meters: meters.map((m) => m.handle) };
}
