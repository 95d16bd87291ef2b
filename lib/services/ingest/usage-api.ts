import { db } from "../../db/client";
import { currentCycleUsage } from "../../db/rollups";
import { DomainError } from "../../domain/errors";
import { Decimal, toDecimal } from "../../domain/money";
import { projectToPeriodEnd } from "../../domain/periods";
import { projectCycleChargeAtEnd, type PriceTier } from "../../domain/pricing";
import { limitStatus } from "../../domain/wix-limits";

/**
 * GET /api/v1/usage: where one shop or Wix instance stands in its current cycle, for the
 * partner's own app to show its merchant. Units and amounts per meter count what the ledger
 * holds as billable or still pending; amounts are decimal strings in the cycle's currency.
 */
export type UsageQuery = { connectionId: string; shopId?: string; instanceId?: string };
export type UsageAnswer = Record<string, unknown>;
export class UsageNotFound extends Error {}

const PROJECTION = "linear: each meter's units so far, extended at the same pace to the cycle's end, then priced with the plan's tiers";

export async function usageFor(q: UsageQuery, now = new Date()): Promise<UsageAnswer> {
  const connection = await db().connection.findUnique({ where: { id: q.connectionId } });
  if (!connection) throw new UsageNotFound("No such connection.");
  if (q.shopId !== undefined) {
    if (connection.platform !== "shopify") throw new UsageNotFound("shop_id is for Shopify connections; this one is Wix (use instance_id).");
    return shopUsage(connection.id, q.shopId, now);
  }
  if (connection.platform !== "wix") throw new UsageNotFound("instance_id is for Wix connections; this one is Shopify (use shop_id).");
  if (q.instanceId === undefined) throw new UsageNotFound("Give a shop_id (Shopify) or an instance_id (Wix).");
  return instanceUsage(connection.id, q.instanceId, now);
}

/** The cycle `now` falls in, or null when there is none (no cycle stored, or it is not running). */
const currentCycle = (start: Date | null, end: Date | null, now: Date) => (start && end && start <= now && now < end ? { start, end } : null);

async function shopUsage(connectionId: string, rawShopId: string, now: Date): Promise<UsageAnswer> {
  const shopId = rawShopId.replace(/^gid:\/\/shopify\/Shop\//, "");
  const shop = await db().shop.findUnique({
    where: { connectionId_shopId: { connectionId, shopId } },
    include: { connection: { select: { discoverySyncedAt: true } } },
  });
  if (!shop) throw new UsageNotFound(`Shop ${shopId} is not known for this connection.`);
  const plan = shop.planHandle
    ? await db().plan.findUnique({ where: { connectionId_handle: { connectionId, handle: shop.planHandle } }, include: { meters: true } })
    : null;
  const active = currentCycle(shop.cycleStart, shop.cycleEnd, now);
  const rows = active ? await currentCycleUsage({ subjectId: shop.id }, now) : [];
  const units = new Map<string, Decimal>();
  const pending = new Map<string, Decimal>();
  for (const r of rows) {
    const target = r.outcome === "pending" ? pending : units;
    target.set(r.handle, (target.get(r.handle) ?? new Decimal(0)).plus(toDecimal(r.quantity.toString())));
  }
  let meters: unknown[] = [];
  let projected: unknown = null;
  let amountSoFar: string | null = null;
  if (plan && active) {
    try {
      const { current, projected: atEnd } = projectCycleChargeAtEnd(
        {
          handle: plan.handle,
          monthlyFee: plan.monthlyFee.toString(),
          currency: plan.currency,
          meters: plan.meters.map((m) => ({
            handle: m.handle,
            structure: m.structure,
            unitPrice: m.unitPrice.toString(),
            includedUnits: m.includedUnits.toString(),
            tiers: m.tiers as PriceTier[] | null,
            currency: m.currency,
          })),
        },
        new Map([...units].map(([h, q]) => [h, q.toFixed()])),
        active,
        now,
      );
      meters = current.meters.map((m) => ({
        handle: m.handle,
        units: m.quantity.toFixed(),
        included_units: m.includedUnits.toFixed(),
        billable_units: m.billableUnits.toFixed(),
        amount: m.charge.toFixed(2),
        pending_units: (pending.get(m.handle) ?? new Decimal(0)).toFixed(),
      }));
      amountSoFar = current.total.toFixed(2);
      projected = { amount: atEnd.total.toFixed(2), usage_amount: atEnd.usageCharge.toFixed(2), method: PROJECTION };
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
    }
  }
  const charges = await db().shopifyPartnerEvent.findMany({
    where: { connectionId, shopId, eventType: { in: ["CHARGE_USAGE", "CHARGE_RECURRING"] } },
    orderBy: { occurredAt: "desc" },
    take: 10,
  });
  return {
    platform: "shopify",
    shop_id: `gid://shopify/Shop/${shop.shopId}`,
    domain: shop.domain || null,
    shop_known: shop.lookupState !== "pending" && shop.lookupState !== "not_found",
    install_state: shop.installState,
    plan: shop.planHandle,
    currency: plan?.currency ?? null,
    cycle: active ? { start: active.start.toISOString(), end: active.end.toISOString() } : null,
    monthly_fee: plan?.monthlyFee.toFixed(2) ?? null,
    meters,
    amount_so_far: amountSoFar,
    // Shopify App Pricing has no usage cap (docs/platforms/shopify.md §2.2).
    capped_amount: null,
    remaining: null,
    projected,
    platform_figures: {
      fetched_at: shop.connection.discoverySyncedAt?.toISOString() ?? null,
      charges: charges.map((c) => {
        const p = c.payload as {
          chargeType?: string;
          amount?: { amount: string; currencyCode: string };
          usageQuantity?: string | null;
          description?: string | null;
        };
        return {
          type: c.eventType,
          occurred_at: c.occurredAt.toISOString(),
          amount: p.amount?.amount ?? null,
          currency: p.amount?.currencyCode ?? null,
          usage_quantity: p.usageQuantity ?? null,
          description: p.description ?? null,
        };
      }),
    },
  };
}

async function instanceUsage(connectionId: string, instanceId: string, now: Date): Promise<UsageAnswer> {
  const inst = await db().wixInstance.findUnique({
    where: { connectionId_instanceId: { connectionId, instanceId } },
    include: { connection: { select: { defaultChargeLimit: true } } },
  });
  if (!inst) throw new UsageNotFound(`Instance ${instanceId} is not known for this connection.`);
  const cycle = currentCycle(inst.cycleStart, inst.cycleEnd, now);
  const rows = cycle ? (await currentCycleUsage({ subjectId: inst.id }, now)).filter((r) => r.kind === "wix_usage" && r.currency === inst.currency) : [];
  const byKind = new Map<string, { units: Decimal; amount: Decimal; pending: Decimal }>();
  for (const r of rows) {
    const k = byKind.get(r.handle) ?? { units: new Decimal(0), amount: new Decimal(0), pending: new Decimal(0) };
    if (r.outcome === "pending") k.pending = k.pending.plus(toDecimal(r.quantity.toString()));
    else {
      k.units = k.units.plus(toDecimal(r.quantity.toString()));
      k.amount = k.amount.plus(toDecimal(r.amount.toString()));
    }
    byKind.set(r.handle, k);
  }
  const used = [...byKind.values()].reduce((s, k) => s.plus(k.amount), new Decimal(0));
  const limit = inst.chargeLimit ?? inst.initialChargeLimit ?? inst.connection.defaultChargeLimit;
  const status = cycle && limit && limit.gt(0) ? limitStatus({ used, limit: limit.toString(), cycle, now }) : null;
  const lastInvoice = await db().wixInvoice.findFirst({ where: { wixInstanceId: inst.id }, orderBy: { receivedAt: "desc" } });
  return {
    platform: "wix",
    instance_id: inst.instanceId,
    site_name: inst.siteName,
    install_state: inst.installState,
    currency: inst.currency,
    cycle: cycle ? { start: cycle.start.toISOString(), end: cycle.end.toISOString() } : null,
    meters: [...byKind]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([kind, k]) => ({ handle: kind, units: k.units.toFixed(), amount: k.amount.toFixed(2), pending_units: k.pending.toFixed() })),
    amount_so_far: used.toFixed(2),
    charge_limit: status ? status.limit.toFixed(2) : (limit?.toFixed(2) ?? null),
    remaining: status ? status.remaining.toFixed(2) : null,
    projected: cycle
      ? { amount: projectToPeriodEnd(used, cycle, now).toFixed(2), method: "linear: the cycle's amount so far, extended at the same pace to the cycle's end" }
      : null,
    platform_figures: {
      fetched_at: lastInvoice?.receivedAt.toISOString() ?? null,
      last_invoice: lastInvoice
        ? {
            invoice_id: lastInvoice.invoiceId,
            total: lastInvoice.total.toFixed(2),
            currency: lastInvoice.currency,
            received_at: lastInvoice.receivedAt.toISOString(),
          }
        : null,
    },
  };
}
