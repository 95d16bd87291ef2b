import { db } from "../db/client";
import type { EventInput } from "./ingest-schema";

/** What pre-validation needs, loaded once per batch (a few queries, whatever the batch size). */
export type IngestLookups = Awaited<ReturnType<typeof loadIngestContext>>;

export async function loadIngestContext(inputs: EventInput[]) {
  const connectionIds = [...new Set(inputs.map((i) => i.connection_id))];
  const shopIds = [...new Set(inputs.flatMap((i) => (i.platform === "shopify" && typeof i.shop_id === "string" ? [i.shop_id.replace(/^gid:\/\/shopify\/Shop\//, "")] : [])))];
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
