import type { SessionUser } from "../../auth/auth";
import { hasRole } from "../../auth/roles";
import { recordAudit } from "../../audit";
import { db } from "../../db/client";
import { Decimal } from "../../domain/money";
import { priceTiersSchema, projectCycleCharge, type CycleCharge, type MeterPricing, type PlanPricing } from "../../domain/pricing";
import { AppError } from "../../errors";
import type { Connection, Meter, Plan, Shop, WixInstance, WixPriceItem } from "../../generated/prisma/client";
import { sandboxControl } from "../../platforms/sandbox-control";
import { ingestEvents, storedOrThrow } from "../ingest/ingest";

/**
 * Test charges: one usage event at a development store (Shopify) or a test instance (Wix),
 * through the ledger's one way in. The form's one-time nonce is the idempotency key, so a double
 * submit records one event. Stores that are not for testing need an admin's explicit, audited
 * confirmation.
 */
export type FireTestChargeInput = { connectionId: string; targetId: string; meter: string; quantity: string; nonce: string; confirmNonDev: boolean };

export const testChargeKey = (nonce: string) => `tc-${nonce}`;

export async function fireTestCharge(input: FireTestChargeInput, user: Pick<SessionUser, "id" | "email" | "role">) {
  const connection = await db().connection.findUnique({
    where: { id: input.connectionId },
    include: { plans: { include: { meters: true } }, wixPriceItems: true },
  });
  if (!connection) throw new AppError("NOT_FOUND", "No such connection.", { connectionId: ["Choose a connection."] });
  const target =
    connection.platform === "shopify"
      ? await db().shop.findUnique({ where: { connectionId_shopId: { connectionId: connection.id, shopId: input.targetId } } })
      : await db().wixInstance.findUnique({ where: { connectionId_instanceId: { connectionId: connection.id, instanceId: input.targetId } } });
  if (!target)
    throw new AppError("NOT_FOUND", "That store or instance is not known for this connection.", {
      targetId: ["Choose a store or instance of this connection."],
    });
  const shop = "shopId" in target ? target : null;
  const instance = "instanceId" in target ? target : null;
  const label = shop?.domain ?? instance!.siteName;
  const forTesting = shop ? shop.isDevStore : instance!.isTest;
  const what = shop ? "development store" : "test instance";
  if (!forTesting && !hasRole(user.role, "admin")) {
    throw new AppError("FORBIDDEN", `${label} is not a ${what}: only an admin can confirm a test charge to it.`, { targetId: [`Not a ${what}.`] });
  }
  if (!forTesting && !input.confirmNonDev) {
    throw new AppError("FORBIDDEN", `${label} is not a ${what}: tick the confirmation to charge it anyway.`, {
      confirmNonDev: ["Required for a store that is not for testing."],
    });
  }
  const meters = shop ? shopMeters(connection.plans, shop).map((m) => m.handle) : instanceKinds(connection.wixPriceItems, instance!).map((p) => p.kind);
  if (!meters.includes(input.meter))
    throw new AppError("INVALID_INPUT", "Check the highlighted fields.", { meter: [`Not a meter of ${label}: ${meters.join(", ") || "none"}.`] });

  const now = await platformNow(connection);
  const key = testChargeKey(input.nonce);
  const raw = shop
    ? {
        platform: "shopify",
        connection_id: connection.id,
        shop_id: shop.shopId,
        event_handle: input.meter,
        timestamp: now.toISOString(),
        idempotency_key: key,
        attributes: { value: Number(input.quantity) },
      }
    : {
        platform: "wix",
        type: "usage",
        connection_id: connection.id,
        instance_id: instance!.instanceId,
        kind: input.meter,
        quantity: input.quantity,
        timestamp: now.toISOString(),
        idempotency_key: key,
      };
  const result = storedOrThrow((await ingestEvents([raw], { source: "ui", userId: user.id, now, timeDefaulted: true }))[0], "quantity");
  if (!result || result.status === "rejected") {
    const fieldErrors: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(result?.fieldErrors ?? {})) (fieldErrors[/value|quantity/.test(k) ? "quantity" : k] ??= []).push(...v);
    throw new AppError("INVALID_INPUT", "The platform would refuse this charge; check the highlighted fields.", fieldErrors);
  }
  if (result.status !== "duplicate") {
    await db().$transaction((tx) =>
      recordAudit(tx, user, {
        action: "test_charge.fire",
        entityType: "event",
        entityId: result.eventId,
        after: {
          target: label,
          meter: input.meter,
          quantity: input.quantity,
          idempotencyKey: key,
          state: result.state,
          predicted: result.predicted.code ?? result.predicted.verdict,
          confirmedNonDev: !forTesting,
        },
        note: forTesting ? undefined : `Admin confirmed a test charge to ${label}, which is not a ${what}.`,
      }),
    );
  }
  return { eventId: result.eventId, status: result.status, state: result.state, idempotencyKey: key };
}

/** The meters a shop can be charged on: its plan's, or (no plan) every meter of the app. */
export function shopMeters(plans: (Plan & { meters: Meter[] })[], shop: Pick<Shop, "planHandle">): Meter[] {
  const plan = plans.find((p) => p.handle === shop.planHandle);
  const meters = plan ? plan.meters : [...new Map(plans.flatMap((p) => p.meters).map((m) => [m.handle, m])).values()];
  return [...meters].sort((a, b) => a.handle.localeCompare(b.handle));
}

export const instanceKinds = (items: WixPriceItem[], instance: Pick<WixInstance, "currency">) => items.filter((p) => p.currency === instance.currency);

/** The platform's clock: the sandbox's own for sandbox connections (it may be moved), else ours. */
export async function platformNow(connection: Pick<Connection, "environment" | "apiBaseUrl" | "clientId" | "platform">): Promise<Date> {
  if (connection.environment !== "sandbox") return new Date();
  const now = await sandboxControl(connection)
    .clock(5000)
    .then((c) => new Date(c.now))
    .catch(() => null);
  return now && !Number.isNaN(now.getTime()) ? now : new Date();
}

export function meterPricing(meter: Meter): MeterPricing {
  const tiers = meter.tiers ? priceTiersSchema.parse(meter.tiers) : null;
  return {
    handle: meter.handle,
    structure: meter.structure,
    unitPrice: meter.unitPrice.toFixed(),
    includedUnits: meter.includedUnits.toFixed(),
    tiers,
    currency: meter.currency,
  };
}

export type ProjectionLine = { handle: string; name: string; quantity: string; pending: string; included: string; billable: string; charge: string };
export type Projection = {
  title: string;
  currency: string;
  cycleStart: Date;
  cycleEnd: Date;
  monthlyFee: string;
  usageCharge: string;
  total: string;
  lines: ProjectionLine[];
  thisCharge: { handle: string; quantity: string; charge: string } | null;
  limit: string | null;
};

type Counted = { id: bigint; handle: string; quantity: { toFixed(): string } | null; platformVerdict: string | null; predictedVerdict: string; state: string };
const counts = (e: Counted) =>
  e.platformVerdict === "billable" || (e.platformVerdict === null && e.predictedVerdict === "billable" && !["held", "failed"].includes(e.state));

/**
 * What the cycle containing `event` comes to so far, from the ledger: the plan's monthly fee
 * plus each meter priced on the billable usage of the cycle (events the platform called billable,
 * and those still waiting for a verdict that we predict billable, shown apart). Wix: the price
 * list's kinds, no monthly fee (Wix bills its own plan).
 */
export async function projectCycleFor(event: Counted & { occurredAt: Date; shopId: string | null; wixInstanceId: string | null }): Promise<Projection | null> {
  if (event.shopId) {
    const shop = await db().shop.findUnique({ where: { id: event.shopId } });
    if (!shop?.planHandle || !shop.cycleStart || !shop.cycleEnd) return null;
    const plan = await db().plan.findUnique({
      where: { connectionId_handle: { connectionId: shop.connectionId, handle: shop.planHandle } },
      include: { meters: { orderBy: { handle: "asc" } } },
    });
    if (!plan) return null;
    const [start, end] = cycleContaining(shop.cycleStart, shop.cycleEnd, event.occurredAt);
    const pricing: PlanPricing = { handle: plan.handle, monthlyFee: plan.monthlyFee.toFixed(), currency: plan.currency, meters: plan.meters.map(meterPricing) };
    const names = new Map(plan.meters.map((m) => [m.handle, m.name]));
    const events = await db().billingEvent.findMany({
      where: { shopId: shop.id, kind: "shopify_usage", occurredAt: { gte: start, lt: end } },
      select: countedFields,
    });
    return project(`${plan.name} (${plan.handle})`, pricing, names, start, end, events, event, null);
  }
  if (!event.wixInstanceId) return null;
  const instance = await db().wixInstance.findUnique({ where: { id: event.wixInstanceId }, include: { connection: { include: { wixPriceItems: true } } } });
  if (!instance?.cycleStart || !instance.cycleEnd) return null;
  const items = instanceKinds(instance.connection.wixPriceItems, instance);
  const pricing: PlanPricing = {
    handle: "price-list",
    monthlyFee: "0",
    currency: instance.currency,
    meters: items.map((p) => ({ handle: p.kind, structure: "fixed", unitPrice: p.unitPrice.toFixed(), includedUnits: "0", currency: p.currency })),
  };
  const names = new Map(items.map((p) => [p.kind, p.description]));
  const events = await db().billingEvent.findMany({
    where: { wixInstanceId: instance.id, kind: "wix_usage", occurredAt: { gte: instance.cycleStart, lt: instance.cycleEnd } },
    select: countedFields,
  });
  return project(
    "Custom charges from the price list",
    pricing,
    names,
    instance.cycleStart,
    instance.cycleEnd,
    events,
    event,
    instance.chargeLimit?.toFixed() ?? null,
  );
}

const countedFields = { id: true, handle: true, quantity: true, platformVerdict: true, predictedVerdict: true, state: true } as const;

function project(
  title: string,
  plan: PlanPricing,
  names: Map<string, string>,
  start: Date,
  end: Date,
  events: Counted[],
  current: Counted,
  limit: string | null,
): Projection {
  const usage = new Map<string, Decimal>();
  const pending = new Map<string, Decimal>();
  for (const e of events.filter(counts)) {
    const q = new Decimal(e.quantity?.toFixed() ?? "0");
    usage.set(e.handle, (usage.get(e.handle) ?? new Decimal(0)).plus(q));
    if (e.platformVerdict === null) pending.set(e.handle, (pending.get(e.handle) ?? new Decimal(0)).plus(q));
  }
  const charge: CycleCharge = projectCycleCharge(plan, usage);
  let thisCharge: Projection["thisCharge"] = null;
  const mine = events.find((e) => e.id === current.id);
  if (mine && counts(mine) && plan.meters.some((m) => m.handle === mine.handle)) {
    const q = new Decimal(mine.quantity?.toFixed() ?? "0");
    const without = new Map(usage).set(mine.handle, usage.get(mine.handle)!.minus(q));
    thisCharge = { handle: mine.handle, quantity: q.toFixed(), charge: charge.total.minus(projectCycleCharge(plan, without).total).toFixed() };
  }
  return {
    title,
    currency: plan.currency,
    cycleStart: start,
    cycleEnd: end,
    monthlyFee: charge.monthlyFee.toFixed(),
    usageCharge: charge.usageCharge.toFixed(),
    total: charge.total.toFixed(),
    lines: charge.meters.map((m) => ({
      handle: m.handle,
      name: names.get(m.handle) ?? m.handle,
      quantity: m.quantity.toFixed(),
      pending: (pending.get(m.handle) ?? new Decimal(0)).toFixed(),
      included: m.includedUnits.toFixed(),
      billable: m.billableUnits.toFixed(),
      charge: m.charge.toFixed(),
    })),
    thisCharge,
    limit,
  };
}

/** The cycle of the same length as [start, end) that contains `at` (cycles renew back to back). */
export function cycleContaining(start: Date, end: Date, at: Date): [Date, Date] {
  const length = end.getTime() - start.getTime();
  if (length <= 0) return [start, end];
  const n = Math.floor((at.getTime() - start.getTime()) / length);
  const s = start.getTime() + n * length;
  return [new Date(s), new Date(s + length)];
}

/** A test charge as its result panel shows it: the ledger entry, its attempts and the cycle's projection. */
export async function getTestChargeView(id: bigint) {
  const event = await db().billingEvent.findUnique({
    where: { id },
    include: {
      attempts: { orderBy: { number: "asc" } },
      shop: { select: { domain: true, isDevStore: true } },
      wixInstance: { select: { siteName: true, isTest: true } },
      connection: { select: { name: true, environment: true } },
    },
  });
  if (!event) return null;
  return { event, projection: await projectCycleFor(event) };
}

/** Everything the form offers: each connection's stores and instances, testing ones first, with their meters. */
export async function listTestChargeTargets() {
  const connections = await db().connection.findMany({
    orderBy: [{ platform: "asc" }, { environment: "desc" }, { name: "asc" }],
    include: {
      shops: { orderBy: { domain: "asc" } },
      wixInstances: { orderBy: { siteName: "asc" } },
      plans: { include: { meters: { orderBy: { handle: "asc" } } } },
      wixPriceItems: { orderBy: { kind: "asc" } },
    },
  });
  return connections.map((c) => ({
    id: c.id,
    name: c.name,
    platform: c.platform,
    environment: c.environment,
    targets:
      c.platform === "shopify"
        ? c.shops
            .map((s) => ({
              id: s.shopId,
              label: s.domain,
              forTesting: s.isDevStore,
              installed: s.installState === "installed",
              plan: s.planHandle,
              meters: shopMeters(c.plans, s).map((m) => ({
                handle: m.handle,
                price: m.unitPrice.toFixed(),
                included: m.includedUnits.toFixed(),
                structure: m.structure,
                currency: m.currency,
              })),
            }))
            .sort((a, b) => Number(b.forTesting) - Number(a.forTesting))
        : c.wixInstances
            .map((i) => ({
              id: i.instanceId,
              label: i.siteName,
              forTesting: i.isTest,
              installed: i.installState === "installed",
              plan: null,
              meters: instanceKinds(c.wixPriceItems, i).map((p) => ({
                handle: p.kind,
                price: p.unitPrice.toFixed(),
                included: "0",
                structure: "fixed" as const,
                currency: p.currency,
              })),
            }))
            .sort((a, b) => Number(b.forTesting) - Number(a.forTesting)),
  }));
}

export type TestChargeConnection = Awaited<ReturnType<typeof listTestChargeTargets>>[number];
