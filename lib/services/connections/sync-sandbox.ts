import { createHash } from "node:crypto";
import { z } from "zod";
import { db, Prisma } from "../../db/client";
import { meterColumns } from "../../domain/pricing";
import type { Connection } from "../../generated/prisma/client";
import { sandboxControl } from "../../platforms/sandbox-control";

/**
 * One-click import from the sandbox (its control API, lib/platforms/sandbox-control.ts): Shopify
 * plans, meters and shops with their subscriptions and billing cycles; Wix price list, instances
 * with currency and charge limit, and the public key that signs its service-plugin calls.
 * Live connections have no such API: an admin enters plans and shops.
 */
const tier = z.looseObject({ upTo: z.number().nullable(), amountPerUnit: z.string(), amount: z.string().optional() });
const plansBody = z.looseObject({
  plans: z.array(
    z.looseObject({
      handle: z.string(),
      name: z.string(),
      recurringPrice: z.string(),
      currency: z.string().default("USD"),
      meters: z.array(
        z.looseObject({
          handle: z.string(),
          name: z.string(),
          structure: z.enum(["FIXED", "GRADUATED", "VOLUME"]),
          unitPrice: z.string().nullish(),
          includedUnits: z.number().default(0),
          tiers: z.array(tier).default([]),
        }),
      ),
    }),
  ),
});
const shopsBody = z.looseObject({
  shops: z.array(
    z.looseObject({
      id: z.string(),
      domain: z.string(),
      name: z.string(),
      development: z.boolean(),
      installed: z.boolean(),
      uninstalledAt: z.string().nullable(),
      subscription: z
        .looseObject({
          planHandle: z.string(),
          startedAt: z.string().nullish(),
          canceledAt: z.string().nullable().optional(),
          currentBillingCycle: z.looseObject({ startTime: z.string(), endTime: z.string() }),
        })
        .nullable(),
    }),
  ),
});
const priceListBody = z.looseObject({
  priceList: z.array(z.looseObject({ kind: z.string(), description: z.string(), unitPrice: z.string(), currency: z.string() })),
});
const instancesBody = z.looseObject({
  instances: z.array(
    z.looseObject({
      instanceId: z.string(),
      siteDisplayName: z.string(),
      currency: z.string(),
      test: z.boolean().default(false),
      installed: z.boolean(),
      uninstalledAt: z.string().nullable(),
      plan: z
        .looseObject({ subscriptionId: z.string().nullish(), chargeLimit: z.string(), currentCycle: z.looseObject({ start: z.string(), end: z.string() }) })
        .nullable(),
    }),
  ),
});

type ShopifyImport = { platform: "shopify"; plans: z.infer<typeof plansBody>["plans"]; shops: z.infer<typeof shopsBody>["shops"] };
type WixImport = {
  platform: "wix";
  priceList: z.infer<typeof priceListBody>["priceList"];
  instances: z.infer<typeof instancesBody>["instances"];
  publicKey: string;
};
type SandboxImport = ShopifyImport | WixImport;

async function fetchImport(connectionId: string): Promise<{ connection: Connection; data: SandboxImport; fingerprint: string }> {
  const connection = await db().connection.findUniqueOrThrow({ where: { id: connectionId } });
  if (connection.environment !== "sandbox") throw new Error("only sandbox connections import from the sandbox");
  const get = sandboxControl(connection).get;
  let data: SandboxImport;
  if (connection.platform === "shopify") {
    const app = `/_sandbox/shopify/apps/${encodeURIComponent(connection.clientId)}`;
    const [{ plans }, { shops }] = await Promise.all([get(plansBody, `${app}/plans`), get(shopsBody, `${app}/shops`)]);
    data = { platform: "shopify", plans, shops };
  } else {
    const app = `/_sandbox/wix/apps/${encodeURIComponent(connection.clientId)}`;
    const [{ priceList }, { instances }, publicKey] = await Promise.all([
      get(priceListBody, `${app}/price-list`),
      get(instancesBody, `${app}/instances`),
      get(z.string(), `${app}/public-key`, { text: true }),
    ]);
    data = { platform: "wix", priceList, instances, publicKey };
  }
  return { connection, data, fingerprint: createHash("sha256").update(JSON.stringify(data)).digest("hex") };
}

/** Imports what the sandbox has. With `fingerprint` (from a preview), refuses if the sandbox changed since. */
export async function syncSandboxConnection(connectionId: string, { fingerprint }: { fingerprint?: string } = {}) {
  const { connection, data, fingerprint: now } = await fetchImport(connectionId);
  if (fingerprint && fingerprint !== now) throw new SandboxChangedError();
  return data.platform === "shopify" ? syncShopify(connection, data) : syncWix(connection, data);
}

export class SandboxChangedError extends Error {
  constructor() {
    super("The sandbox changed since the preview: preview the import again.");
  }
}

/** One line a person reads before confirming the import: what would be added, changed or replaced. */
export type ImportChange = {
  kind: "plan" | "meter" | "shop" | "price" | "instance" | "public key";
  action: "add" | "change" | "replace" | "remove";
  what: string;
};

/** What the import would change, written nowhere: listed for a person to confirm. */
export async function previewSandboxImport(connectionId: string): Promise<{ fingerprint: string; changes: ImportChange[]; unchanged: number }> {
  const { connection: c, data, fingerprint } = await fetchImport(connectionId);
  const changes: ImportChange[] = [];
  let unchanged = 0;
  const note = (changed: boolean, change: ImportChange) => (changed ? changes.push(change) : unchanged++);
  if (data.platform === "shopify") {
    const plans = await db().plan.findMany({ where: { connectionId: c.id }, include: { meters: true } });
    for (const p of data.plans) {
      const mine = plans.find((x) => x.handle === p.handle);
      if (!mine) {
        changes.push({ kind: "plan", action: "add", what: `${p.handle} (${p.name}, ${p.recurringPrice} ${p.currency}/month, ${p.meters.length} meters)` });
        continue;
      }
      note(mine.name !== p.name || !mine.monthlyFee.equals(p.recurringPrice), {
        kind: "plan",
        action: "change",
        what: `${p.handle}: ${mine.name} ${mine.monthlyFee.toFixed(2)} → ${p.name} ${p.recurringPrice}`,
      });
      for (const m of p.meters) {
        const meter = mine.meters.find((x) => x.handle === m.handle);
        if (!meter) changes.push({ kind: "meter", action: "add", what: `${p.handle} / ${m.handle}` });
        else
          note(meter.structure !== m.structure.toLowerCase() || (m.unitPrice != null && !meter.unitPrice.equals(m.unitPrice)), {
            kind: "meter",
            action: "change",
            what: `${p.handle} / ${m.handle}`,
          });
      }
      for (const gone of mine.meters.filter((x) => !p.meters.some((m) => m.handle === x.handle)))
        changes.push({ kind: "meter", action: "remove", what: `${p.handle} / ${gone.handle}` });
    }
    const shops = new Map(
      (await db().shop.findMany({ where: { connectionId: c.id }, select: { shopId: true, installState: true, planHandle: true, domain: true } })).map((s) => [
        s.shopId,
        s,
      ]),
    );
    for (const s of data.shops) {
      const mine = shops.get(s.id);
      const state = s.installed ? "installed" : "uninstalled";
      if (!mine) changes.push({ kind: "shop", action: "add", what: `${s.domain} (${state})` });
      else
        note(mine.installState !== state || (mine.planHandle ?? null) !== (s.subscription?.planHandle ?? null), {
          kind: "shop",
          action: "change",
          what: `${s.domain}: ${mine.installState}, ${mine.planHandle ?? "no plan"} → ${state}, ${s.subscription?.planHandle ?? "no plan"}`,
        });
    }
  } else {
    const prices = await db().wixPriceItem.findMany({ where: { connectionId: c.id } });
    for (const p of data.priceList) {
      const mine = prices.find((x) => x.kind === p.kind && x.currency === p.currency);
      if (!mine) changes.push({ kind: "price", action: "add", what: `${p.kind} ${p.unitPrice} ${p.currency}` });
      else
        note(!mine.unitPrice.equals(p.unitPrice) || mine.description !== p.description, {
          kind: "price",
          action: "change",
          what: `${p.kind}: ${mine.unitPrice.toFixed()} → ${p.unitPrice} ${p.currency}`,
        });
    }
    const instances = new Map(
      (
        await db().wixInstance.findMany({ where: { connectionId: c.id }, select: { instanceId: true, siteName: true, installState: true, chargeLimit: true } })
      ).map((i) => [i.instanceId, i]),
    );
    for (const i of data.instances) {
      const mine = instances.get(i.instanceId);
      const state = i.installed ? "installed" : "uninstalled";
      if (!mine) changes.push({ kind: "instance", action: "add", what: `${i.siteDisplayName} (${state}, ${i.currency})` });
      else
        note(
          mine.installState !== state ||
            mine.siteName !== i.siteDisplayName ||
            (mine.chargeLimit?.toString() ?? null) !== (i.plan ? new Prisma.Decimal(i.plan.chargeLimit).toString() : null),
          { kind: "instance", action: "change", what: `${i.siteDisplayName}: ${mine.installState} → ${state}${i.plan ? `, limit ${i.plan.chargeLimit}` : ""}` },
        );
    }
    if (!c.pluginPublicKey) changes.push({ kind: "public key", action: "add", what: "the sandbox app's public key (signs plugin calls and webhooks)" });
    else
      note(c.pluginPublicKey.trim() !== data.publicKey.trim(), {
        kind: "public key",
        action: "replace",
        what: "the stored public key differs from the sandbox app's: calls signed with the old key will be refused",
      });
  }
  return { fingerprint, changes, unchanged };
}

async function syncShopify(c: Connection, { plans, shops }: ShopifyImport) {
  await db().$transaction(async (tx) => {
    for (const p of plans) {
      const plan = await tx.plan.upsert({
        where: { connectionId_handle: { connectionId: c.id, handle: p.handle } },
        update: { name: p.name, monthlyFee: p.recurringPrice, currency: p.currency },
        create: { connectionId: c.id, handle: p.handle, name: p.name, monthlyFee: p.recurringPrice, currency: p.currency },
      });
      await tx.meter.deleteMany({ where: { planId: plan.id, handle: { notIn: p.meters.map((m) => m.handle) } } });
      for (const m of p.meters) {
        const structure = m.structure.toLowerCase() as "fixed" | "graduated" | "volume";
        const tiers = m.tiers.map((t) => ({ upTo: t.upTo === null ? null : String(t.upTo), unitPrice: t.amountPerUnit, flatAmount: t.amount ?? "0" }));
        const columns = meterColumns({ structure, unitPrice: m.unitPrice, includedUnits: String(m.includedUnits), tiers });
        const data = { name: m.name, structure, ...columns, currency: p.currency, tiers: columns.tiers ?? undefined };
        await tx.meter.upsert({
          where: { planId_handle: { planId: plan.id, handle: m.handle } },
          update: data,
          create: { planId: plan.id, handle: m.handle, ...data },
        });
      }
    }
    for (const s of shops) {
      // A subscription cancelled "at the end of the cycle" stays active until then.
      const sub = s.subscription && (!s.subscription.canceledAt || Date.parse(s.subscription.canceledAt) > Date.now()) ? s.subscription : null;
      const data = {
        domain: s.domain,
        name: s.name,
        isDevStore: s.development,
        installState: s.installed ? ("installed" as const) : ("uninstalled" as const),
        uninstalledAt: s.uninstalledAt ? new Date(s.uninstalledAt) : null,
        planHandle: sub?.planHandle ?? null,
        subscriptionStatus: sub ? "ACTIVE" : null,
        cycleStart: sub ? new Date(sub.currentBillingCycle.startTime) : null,
        cycleEnd: sub ? new Date(sub.currentBillingCycle.endTime) : null,
        subscriptionStartedAt: sub?.startedAt ? new Date(sub.startedAt) : null,
        subscriptionSyncedAt: new Date(),
      };
      // An uninstall ends the subscription, but usage from before it is still billed for 24 hours
      // (lib/domain/uninstall-window.ts): keep the plan and cycle the shop had, marked cancelled.
      const update =
        !s.installed && !sub
          ? { ...data, planHandle: undefined, cycleStart: undefined, cycleEnd: undefined, subscriptionStartedAt: undefined, subscriptionStatus: "CANCELLED" }
          : data;
      await tx.shop.upsert({
        where: { connectionId_shopId: { connectionId: c.id, shopId: s.id } },
        update,
        create: { connectionId: c.id, shopId: s.id, ...data },
      });
    }
  });
  return { plans: plans.length, shops: shops.length };
}

async function syncWix(c: Connection, { priceList, instances, publicKey }: WixImport) {
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
        siteName: i.siteDisplayName,
        currency: i.currency,
        isTest: i.test,
        installState: i.installed ? ("installed" as const) : ("uninstalled" as const),
        uninstalledAt: i.uninstalledAt ? new Date(i.uninstalledAt) : null,
        subscriptionId: i.plan?.subscriptionId ?? null,
        chargeLimit: i.plan?.chargeLimit ?? null,
        cycleStart: i.plan ? new Date(i.plan.currentCycle.start) : null,
        cycleEnd: i.plan ? new Date(i.plan.currentCycle.end) : null,
      };
      await tx.wixInstance.upsert({
        where: { connectionId_instanceId: { connectionId: c.id, instanceId: i.instanceId } },
        update: data,
        create: { connectionId: c.id, instanceId: i.instanceId, ...data },
      });
    }
  });
  return { priceItems: priceList.length, instances: instances.length };
}
