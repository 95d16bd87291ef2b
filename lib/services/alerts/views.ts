import { db } from "../../db/client";

/**
 * The alerts list: newest first, open or acknowledged, a page at a time (keyset on created_at, id),
 * each with a link to what it is about.
 */
export type AlertFilter = { status: "open" | "acknowledged" | "all"; before?: string | null; connectionId?: string | null };

const PAGE = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function parseAlertCursor(cursor: string | null | undefined): { at: Date; id: string } | null {
  const m = /^(\d{4}-\d{2}-\d{2}T[\d:.]+Z)_([0-9a-f-]{36})$/i.exec(cursor ?? "");
  if (!m || Number.isNaN(Date.parse(m[1]!))) return null;
  return { at: new Date(m[1]!), id: m[2]! };
}

export async function listAlerts(filter: AlertFilter) {
  const cursor = parseAlertCursor(filter.before);
  const rows = await db().alert.findMany({
    where: {
      ...(filter.status === "open" && { acknowledgedAt: null }),
      ...(filter.status === "acknowledged" && { acknowledgedAt: { not: null } }),
      ...(filter.connectionId && { connectionId: filter.connectionId }),
      ...(cursor && { OR: [{ createdAt: { lt: cursor.at } }, { createdAt: cursor.at, id: { lt: cursor.id } }] }),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: PAGE + 1,
    include: { acknowledgedBy: { select: { name: true } }, connection: { select: { name: true } } },
  });
  const page = rows.slice(0, PAGE);
  const last = page.at(-1);
  const next = rows.length > PAGE && last ? `${last.createdAt.toISOString()}_${last.id}` : null;

  // Names and links of what the alerts are about.
  const ids = (type: string) => [...new Set(page.filter((a) => a.subjectType === type && UUID.test(a.subjectId)).map((a) => a.subjectId))];
  const [instances, shops] = await Promise.all([
    db().wixInstance.findMany({ where: { id: { in: ids("wix_instance") } }, select: { id: true, siteName: true } }),
    db().shop.findMany({ where: { id: { in: ids("shop") } }, select: { id: true, domain: true } }),
  ]);
  const subjects = new Map<string, { label: string; href: string | null }>([
    ...instances.map((i) => [`wix_instance:${i.id}`, { label: i.siteName, href: `/shops/wix/${i.id}` }] as const),
    ...shops.map((s) => [`shop:${s.id}`, { label: s.domain, href: "/shops" }] as const),
  ]);
  const [open, acknowledged] = await Promise.all([
    db().alert.count({ where: { acknowledgedAt: null } }),
    db().alert.count({ where: { acknowledgedAt: { not: null } } }),
  ]);
  return {
    alerts: page.map((a) => ({
      ...a,
      subject: subjects.get(`${a.subjectType}:${a.subjectId}`) ?? {
        label: a.subjectType === "connection" ? (a.connection?.name ?? "connection") : `${a.subjectType} ${a.subjectId}`,
        href: null,
      },
    })),
    next,
    counts: { open, acknowledged },
  };
}
