import { z } from "zod";
import { db } from "../db/client";
import type { Connection } from "../generated/prisma/client";
import { joinUrl } from "../platforms/http";

/**
 * One-click import from the sandbox (its control API, over HTTP like any platform): Shopify
 * plans, meters and shops with their subscriptions and billing cycles; Wix price list, instances
 * with currency and charge limit, and the public key that signs its service-plugin calls.
 * Live connections have no such API: an admin enters plans and shops.
 */
const tier = z.looseObject({ upTo: z.number().nullable(), amountPerUnit: z.string(), amount: z.string().optional() });
const plansBody = z.looseObject({
  plans: z.array(z.looseObject({
    handle: z.string(), name: z.string(), recurringPrice: z.string(), currency: z.string().default("USD"),
    meters: z.array(z.looseObject({ handle: z.string(), name: z.string(), structure: z.enum(["FIXED", "GRADUATED", "VOLUME"]), unitPrice: z.string().nullish(), includedUnits: z.number().default(0), tiers: z.array(tier).default([]) })),
  })),
});
const shopsBody = z.looseObject({
  shops: z.array(z.looseObject({
    id: z.string(), domain: z.string(), name: z.string(), development: z.boolean(), installed: z.boolean(), uninstalledAt: z.string().nullable(),
    subscription: z.looseObject({ planHandle: z.string(), startedAt: z.string().nullish(), canceledAt: z.string().nullable().optional(), currentBillingCycle: z.looseObject({ startTime: z.string(), endTime: z.string() }) }).nullable(),
  })),
});
const priceListBody = z.looseObject({ priceList: z.array(z.looseObject({ kind: z.string(), description: z.string(), unitPrice: z.string(), currency: z.string() })) });
const instancesBody = z.looseObject({
  instances: z.array(z.looseObject({
    instanceId: z.string(), siteDisplayName: z.string(), currency: z.string(), test: z.boolean().default(false), installed: z.boolean(), uninstalledAt: z.string().nullable(),
    plan: z.looseObject({ subscriptionId: z.string().nullish(), chargeLimit: z.string(), currentCycle: z.looseObject({ start: z.string(), end: z.string() }) }).nullable(),
  })),
});

async function get<T>(connection: Connection, path: string, schema: z.ZodType<T>, text = false): Promise<T> {
  const res = await fetch(joinUrl(connection.apiBaseUrl, path), { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`sandbox ${path} answered ${res.status}`);
  return schema.parse(text ? await res.text() : await res.json());
}

export async function syncSandboxConnection(connectionId: string) {
  const connection = await db().connection.findUniqueOrThrow({ where: { id: connectionId } });
  if (connection.environment !== "sandbox") throw new Error("only sandbox connections import from the sandbox");
  return connection.platform === "shopify" ? syncShopify(connection) : syncWix(connection);
}

async function syncShopify(c: Connection) {
  const app = `/_sandbox/shopify/apps/${encodeURIComponent(c.clientId)}`;
  const [{ plans }, { shops }] = await Promise.all([get(c, `${app}/plans`, plansBody), get(c, `${app}/shops`, shopsBody)]);
  await db().$transaction(async (tx) => {
    for (const p of plans) {
      const plan = await tx.plan.upsert({
        where: { connectionId_handle: { connectionId: c.id, handle: p.handle } },
        update: { name: p.name, monthlyFee: p.recurringPrice, currency: p.currency },
        create: { connectionId: c.id, handle: p.handle, name: p.name, monthlyFee: p.recurringPrice, currency: p.currency },
      });
      await tx.meter.deleteMany({ where: { planId: plan.id, handle: { notIn: p.meters.map((m) => m.handle) } } });
      for (const m of p.meters) {
        const data = {
          name: m.name, structure: m.structure.toLowerCase() as "fixed" | "graduated" | "volume", unitPrice: m.unitPrice ?? m.tiers[0]?.amountPerUnit ?? "0",
          includedUnits: String(m.includedUnits), currency: p.currency,
          tiers: m.tiers.length ? m.tiers.map((t) => ({ upTo: t.upTo === null ? null : String(t.upTo), unitPrice: t.amountPerUnit, flatAmount: t.amount ?? "0" })) : undefined,
        };
        await tx.meter.upsert({ where: { planId_handle: { planId: plan.id, handle: m.handle } }, update: data, create: { planId: plan.id, handle: m.handle, ...data } });
      }
    }
    for (const s of shops) {
      // A subscription cancelled "at the end of the cycle" stays active until then.
      const sub = s.subscription && (!s.subscription.canceledAt || Date.parse(s.subscription.canceledAt) > Date.now()) ? s.subscription : null;
      const data = {
        domain: s.domain, name: s.name, isDevStore: s.development, installState: s.installed ? ("installed" as const) : ("uninstalled" as const),
        uninstalledAt: s.uninstalledAt ? new Date(s.uninstalledAt) : null, planHandle: sub?.planHandle ?? null, subscriptionStatus: sub ? "ACTIVE" : null,
        cycleStart: sub ? new Date(sub.currentBillingCycle.startTime) : null, cycleEnd: sub ? new Date(sub.currentBillingCycle.endTime) : null,
        subscriptionStartedAt: sub?.startedAt ? new Date(sub.startedAt) : null, subscriptionSyncedAt: new Date(),
      };
      await tx.shop.upsert({ where: { connectionId_shopId: { connectionId: c.id, shopId: s.id } }, update: data, create: { connectionId: c.id, shopId: s.id, ...data } });
    }
  });
  return { plans: plans.length, shops: shops.length };
}

async function syncWix(c: Connection) {
  const app = `/_sandbox/wix/apps/${encodeURIComponent(c.clientId)}`;
  const [{ priceList }, { instances }, publicKey] = await Promise.all([
    get(c, `${app}/price-list`, priceListBody), get(c, `${app}/instances`, instancesBody), get(c, `${app}/public-key`, z.string(), true),
  ]);
  await db().$transaction(async (tx) => {
    await tx.connection.update({ where: { id: c.id }, data: { pluginPublicKey: publicKey } });
    for (const p of priceList) {
      await tx.wixPriceItem.upsert({
        where: { connectionId_kind_currency: { connectionId: c.id, kind: p.kind, currency: p.currency } },
        update: { description: p.description, unitPrice: p.unitPrice },
        create: { connectionId: c.id, kind: p.kind, currency: p.currency, description: p.description, unitPrice: p.unitPrice },
      });
    }
    for (const i of instances) {
      const data = {
        siteName: i.siteDisplayName, currency: i.currency, isTest: i.test, installState: i.installed ? ("installed" as const) : ("uninstalled" as const),
        uninstalledAt: i.uninstalledAt ? new Date(i.uninstalledAt) : null, subscriptionId: i.plan?.subscriptionId ?? null,
        chargeLimit: i.plan?.chargeLimit ?? null, cycleStart: i.plan ? new Date(i.plan.currentCycle.start) : null, cycleEnd: i.plan ? new Date(i.plan.currentCycle.end) : null,
      };
      await tx.wixInstance.upsert({ where: { connectionId_instanceId: { connectionId: c.id, instanceId: i.instanceId } }, update: data, create: { connectionId: c.id, instanceId: i.instanceId, ...data } });
    }
  });
  return { priceItems: priceList.length, instances: instances.length };
}
