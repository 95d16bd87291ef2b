import { db } from "../../db/client";
import type { Shop } from "../../generated/prisma/client";
import type { EventInput } from "./schema";

/** What pre-validation needs, loaded once per batch (a few queries, whatever the batch size). */
export type IngestLookups = Awaited<ReturnType<typeof loadIngestContext>>;

export async function loadIngestContext(inputs: EventInput[]) {
  const connectionIds = [...new Set(inputs.map((i) => i.connection_id))];
  const shopIds = [
    ...new Set(inputs.flatMap((i) => (i.platform === "shopify" && typeof i.shop_id === "string" ? [i.shop_id.replace(/^gid:\/\/shopify\/Shop\//, "")] : []))),
  ];
  const instanceIds = [...new Set(inputs.flatMap((i) => (i.platform === "wix" ? [i.instance_id] : [])))];
  const [connections, shops, instances, plans, priceItems] = await Promise.all([
    connectionIds.length ? db().connection.findMany({ where: { id: { in: connectionIds } } }) : [],
    shopIds.length ? db().shop.findMany({ where: { connectionId: { in: connectionIds }, shopId: { in: shopIds } } }) : [],
    instanceIds.length ? db().wixInstance.findMany({ where: { connectionId: { in: connectionIds }, instanceId: { in: instanceIds } } }) : [],
    connectionIds.length ? db().plan.findMany({ where: { connectionId: { in: connectionIds } }, include: { meters: true } }) : [],
    instanceIds.length ? db().wixPriceItem.findMany({ where: { connectionId: { in: connectionIds } } }) : [],
  ]);
  return {
    connections: new Map(connections.map((c) => [c.id, c])),
    shops: new Map(shops.map((s) => [`${s.connectionId}|${s.shopId}`, s])),
    instances: new Map(instances.map((i) => [`${i.connectionId}|${i.instanceId}`, i])),
    plans: new Map(plans.map((p) => [`${p.connectionId}|${p.handle}`, p])),
    meterHandlesByConnection: plans.reduce((m, p) => {
      const set = m.get(p.connectionId) ?? new Set<string>();
      for (const meter of p.meters) set.add(meter.handle);
      return m.set(p.connectionId, set);
    }, new Map<string, Set<string>>()),
    priceItems,
  };
}

export type PendingShop = { connectionId: string; shopId: string };

/**
 * Shops first seen in an event: added pending a lookup (the Partner API is asked right after),
 * so no event of a new merchant is ever refused. Adds them to `lookups` too.
 */
export async function addPendingShops(shops: PendingShop[], lookups: IngestLookups): Promise<void> {
  const unique = [...new Map(shops.map((s) => [`${s.connectionId}|${s.shopId}`, { connection_id: s.connectionId, shop_id: s.shopId }])).values()];
  // One statement: the new shops, and those another batch added meanwhile.
  const rows = await db().$queryRaw<Shop[]>`
    WITH x AS (SELECT * FROM jsonb_to_recordset(${JSON.stringify(unique)}::jsonb) AS x(connection_id text, shop_id text)),
    added AS (
      INSERT INTO shops (id, connection_id, shop_id, domain, name, lookup_state)
      SELECT gen_random_uuid(), x.connection_id::uuid, x.shop_id, '', 'Shop ' || x.shop_id, 'pending' FROM x
      ON CONFLICT (connection_id, shop_id) DO NOTHING
      RETURNING id, connection_id, shop_id, lookup_state
    )
    SELECT id, connection_id AS "connectionId", shop_id AS "shopId", lookup_state::text AS "lookupState" FROM added
    UNION ALL
    SELECT s.id, s.connection_id, s.shop_id, s.lookup_state::text FROM shops s JOIN x ON s.connection_id = x.connection_id::uuid AND s.shop_id = x.shop_id`;
  // A shop another batch inserted at the same moment is neither added nor visible to that statement's
  // snapshot (ON CONFLICT waited for it to commit): read it again, now that it is committed.
  const seen = new Set(rows.map((r) => `${r.connectionId}|${r.shopId}`));
  const raced = unique.filter((u) => !seen.has(`${u.connection_id}|${u.shop_id}`));
  if (raced.length) {
    rows.push(
      ...(await db().$queryRaw<Shop[]>`
        SELECT s.id, s.connection_id AS "connectionId", s.shop_id AS "shopId", s.lookup_state::text AS "lookupState"
        FROM shops s JOIN jsonb_to_recordset(${JSON.stringify(raced)}::jsonb) AS x(connection_id text, shop_id text)
          ON s.connection_id = x.connection_id::uuid AND s.shop_id = x.shop_id`),
    );
  }
  // A pending shop needs only its id and state; one found meanwhile (another batch's lookup) is read whole.
  const settled = rows.filter((r) => r.lookupState !== "pending").map((r) => r.id);
  const whole = settled.length ? await db().shop.findMany({ where: { id: { in: settled } } }) : [];
  for (const s of [...rows.filter((r) => r.lookupState === "pending").map((r) => ({ ...PENDING_SHOP, ...r })), ...whole]) {
    lookups.shops.set(`${s.connectionId}|${s.shopId}`, s);
  }
}

const PENDING_SHOP: Shop = {
  id: "",
  connectionId: "",
  shopId: "",
  domain: "",
  name: "",
  isDevStore: false,
  installState: "installed",
  uninstalledAt: null,
  planHandle: null,
  subscriptionStatus: null,
  cycleStart: null,
  cycleEnd: null,
  subscriptionStartedAt: null,
  subscriptionSyncedAt: null,
  installedAt: null,
  lookupState: "pending",
  lookupError: null,
  createdAt: new Date(0),
};

export type PendingInstance = { connectionId: string; instanceId: string };

/**
 * Wix instances first seen in an event: added pending an App Instance API lookup (docs/platforms/wix.md §3),
 * so no event of a new site is refused. The currency is USD until the lookup reads the site's
 * (nothing of the instance is priced before). Adds them to `lookups` too.
 */
export async function addPendingInstances(instances: PendingInstance[], lookups: IngestLookups): Promise<void> {
  const unique = [
    ...new Map(instances.map((i) => [`${i.connectionId}|${i.instanceId}`, { connection_id: i.connectionId, instance_id: i.instanceId }])).values(),
  ];
  const rows = await db().$queryRaw<{ id: string }[]>`
    WITH x AS (SELECT * FROM jsonb_to_recordset(${JSON.stringify(unique)}::jsonb) AS x(connection_id text, instance_id text)),
    added AS (
      INSERT INTO wix_instances (id, connection_id, instance_id, site_name, currency, lookup_state)
      SELECT gen_random_uuid(), x.connection_id::uuid, x.instance_id, 'Wix site ' || left(x.instance_id, 8), 'USD', 'pending' FROM x
      ON CONFLICT (connection_id, instance_id) DO NOTHING
      RETURNING id
    )
    SELECT id::text FROM added
    UNION ALL
    SELECT i.id::text FROM wix_instances i JOIN x ON i.connection_id = x.connection_id::uuid AND i.instance_id = x.instance_id`;
  const whole = rows.length ? await db().wixInstance.findMany({ where: { id: { in: rows.map((r) => r.id) } } }) : [];
  // An instance another batch inserted at the same moment is invisible to that statement's snapshot: read it again.
  const seen = new Set(whole.map((i) => `${i.connectionId}|${i.instanceId}`));
  const raced = unique.filter((u) => !seen.has(`${u.connection_id}|${u.instance_id}`));
  if (raced.length)
    whole.push(...(await db().wixInstance.findMany({ where: { OR: raced.map((u) => ({ connectionId: u.connection_id, instanceId: u.instance_id })) } })));
  for (const i of whole) lookups.instances.set(`${i.connectionId}|${i.instanceId}`, i);
}
