import { auditRefs, refKey, type Named, type Ref, type RefKind } from "../domain/audit-history";
import { db } from "./client";

export const AUDIT_PAGE_SIZE = 50;

export type AuditCursor = { before?: bigint; after?: bigint };
export type AuditFilter = { entityType?: string; entityId?: string };

/**
 * One page of the audit log, newest first, by keyset on id (`before`: older than; `after`: newer
 * than), and the names of everything its rows mention, resolved in one query per kind of thing
 * (at most a dozen queries for a page, however many rows name however many ids).
 */
export async function auditPage(cursor: AuditCursor, filter: AuditFilter = {}) {
  const where = {
    ...(filter.entityType ? { entityType: filter.entityType } : {}),
    ...(filter.entityId ? { entityId: filter.entityId } : {}),
  };
  const newer = cursor.after !== undefined && cursor.before === undefined;
  const fetched = await db().auditLog.findMany({
    where: { ...where, ...(cursor.before !== undefined ? { id: { lt: cursor.before } } : newer ? { id: { gt: cursor.after } } : {}) },
    orderBy: { id: newer ? "asc" : "desc" },
    take: AUDIT_PAGE_SIZE + 1,
    include: { actor: { select: { name: true } } },
  });
  const more = fetched.length > AUDIT_PAGE_SIZE;
  const rows = fetched.slice(0, AUDIT_PAGE_SIZE);
  if (newer) rows.reverse();
  const names = await resolveNames(rows.flatMap(auditRefs));
  return {
    rows,
    names,
    /** An older page exists (when paging back toward newer rows, the page we came from does). */
    older: newer ? true : more,
    newer: newer ? more : cursor.before !== undefined,
  };
}

async function resolveNames(refs: Ref[]): Promise<Map<string, Named>> {
  const ids = new Map<RefKind, Set<string>>();
  for (const r of refs) (ids.get(r.kind) ?? ids.set(r.kind, new Set()).get(r.kind)!).add(r.id);
  const list = (k: RefKind) => [...(ids.get(k) ?? [])];
  const names = new Map<string, Named>();
  const put = (kind: RefKind, id: string, named: Named) => names.set(refKey({ kind, id }), named);
  const q = db();
  const has = (k: RefKind) => (ids.get(k)?.size ?? 0) > 0;

  await Promise.all([
    has("event") &&
      q.billingEvent
        .findMany({
          where: { id: { in: list("event").map(BigInt) } },
          select: { id: true, handle: true, kind: true, shop: { select: { domain: true } }, wixInstance: { select: { siteName: true } } },
        })
        .then((rows) =>
          rows.forEach((e) =>
            put("event", e.id.toString(), {
              label: `event #${e.id} (${e.handle}${e.shop ? ` on ${e.shop.domain}` : e.wixInstance ? ` on ${e.wixInstance.siteName}` : ""})`,
              href: `/events/${e.id}`,
            }),
          ),
        ),
    has("connection") &&
      q.connection
        .findMany({ where: { id: { in: list("connection") } }, select: { id: true, name: true } })
        .then((rows) => rows.forEach((c) => put("connection", c.id, { label: c.name, href: `/settings/connections/${c.id}` }))),
    has("shop") &&
      q.shop
        .findMany({ where: { id: { in: list("shop") } }, select: { id: true, domain: true } })
        .then((rows) => rows.forEach((s) => put("shop", s.id, { label: s.domain, href: `/events?shop=${s.id}` }))),
    has("wix_instance") &&
      q.wixInstance
        .findMany({ where: { id: { in: list("wix_instance") } }, select: { id: true, siteName: true } })
        .then((rows) => rows.forEach((i) => put("wix_instance", i.id, { label: i.siteName, href: `/shops/wix/${i.id}` }))),
    has("user") &&
      q.user
        .findMany({ where: { id: { in: list("user") } }, select: { id: true, name: true, email: true } })
        .then((rows) => rows.forEach((u) => put("user", u.id, { label: `${u.name} (${u.email})`, href: "/settings/users" }))),
    has("api_key") &&
      q.ingestApiKey
        .findMany({ where: { id: { in: list("api_key") } }, select: { id: true, name: true, prefix: true } })
        .then((rows) => rows.forEach((k) => put("api_key", k.id, { label: `API key “${k.name}” (${k.prefix}…)`, href: "/settings" }))),
    has("plan") &&
      q.plan
        .findMany({ where: { id: { in: list("plan") } }, select: { id: true, handle: true, connectionId: true, connection: { select: { name: true } } } })
        .then((rows) =>
          rows.forEach((p) => put("plan", p.id, { label: `plan ${p.handle} of ${p.connection.name}`, href: `/settings/connections/${p.connectionId}` })),
        ),
    has("meter") &&
      q.meter
        .findMany({ where: { id: { in: list("meter") } }, select: { id: true, handle: true, plan: { select: { handle: true, connectionId: true } } } })
        .then((rows) =>
          rows.forEach((m) =>
            put("meter", m.id, { label: `meter ${m.handle} of plan ${m.plan.handle}`, href: `/settings/connections/${m.plan.connectionId}` }),
          ),
        ),
    has("price_item") &&
      q.wixPriceItem
        .findMany({ where: { id: { in: list("price_item") } }, select: { id: true, kind: true, currency: true, connectionId: true } })
        .then((rows) =>
          rows.forEach((p) => put("price_item", p.id, { label: `Wix price ${p.kind} (${p.currency})`, href: `/settings/connections/${p.connectionId}` })),
        ),
    has("alert") &&
      q.alert
        .findMany({ where: { id: { in: list("alert") } }, select: { id: true, title: true } })
        .then((rows) => rows.forEach((a) => put("alert", a.id, { label: `alert “${a.title}”`, href: "/alerts" }))),
    has("reconcile_cycle") &&
      q.reconcileCycle
        .findMany({ where: { id: { in: list("reconcile_cycle") } }, select: { id: true, subjectLabel: true, cycleStart: true, cycleEnd: true } })
        .then((rows) =>
          rows.forEach((c) =>
            put("reconcile_cycle", c.id, {
              label: `cycle of ${c.subjectLabel}, ${c.cycleStart.toISOString().slice(0, 10)} to ${c.cycleEnd.toISOString().slice(0, 10)}`,
              href: "/reconcile",
            }),
          ),
        ),
    has("reconcile_difference") &&
      q.reconcileDifference
        .findMany({ where: { id: { in: list("reconcile_difference").map(BigInt) } }, select: { id: true, kind: true, key: true } })
        .then((rows) =>
          rows.forEach((d) =>
            put("reconcile_difference", d.id.toString(), { label: `difference (${d.kind.replace(/_/g, " ")}) for ${d.key}`, href: "/reconcile" }),
          ),
        ),
  ]);
  return names;
}
