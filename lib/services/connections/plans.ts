import type { SessionUser } from "../../auth/auth";
import { recordAudit } from "../../audit";
import { db } from "../../db/client";
import { assertMeterPricing, meterColumns } from "../../domain/pricing";
import { AppError } from "../../errors";
import type { PricingStructure } from "../../generated/prisma/enums";
import { SandboxChangedError, syncSandboxConnection } from "./sync-sandbox";

/**
 * Plans and meters mirror Shopify App Pricing (Shopify has no API to read them: admins enter
 * them for live apps; sandbox connections import them). Shops' subscriptions and billing cycles
 * come from the Partner API's activeSubscription.
 */
export async function addPlan(input: { connectionId: string; handle: string; name: string; monthlyFee: string; currency: string }, user: SessionUser) {
  return db().$transaction(async (tx) => {
    const c = await tx.connection.findUnique({ where: { id: input.connectionId } });
    if (!c || c.platform !== "shopify") throw new AppError("NOT_FOUND", "No such Shopify connection.");
    if (await tx.plan.findUnique({ where: { connectionId_handle: { connectionId: c.id, handle: input.handle } } })) {
      throw new AppError("CONFLICT", "This plan exists.", { handle: ["A plan with this handle exists on this connection."] });
    }
    const plan = await tx.plan.create({ data: input });
    await recordAudit(tx, user, { action: "plan.create", entityType: "plan", entityId: plan.id, after: input });
    return { id: plan.id };
  });
}

export async function addMeter(
  input: {
    planId: string;
    handle: string;
    name: string;
    structure: PricingStructure;
    unitPrice?: string;
    includedUnits: string;
    tiers: { upTo: string | null; unitPrice: string; flatAmount: string }[] | null;
  },
  user: SessionUser,
) {
  return db().$transaction(async (tx) => {
    const plan = await tx.plan.findUnique({ where: { id: input.planId }, include: { meters: true } });
    if (!plan) throw new AppError("NOT_FOUND", "No such plan.");
    if (plan.meters.length >= 5) throw new AppError("CONFLICT", "A plan has at most 5 usage meters.", { handle: ["This plan already has 5 meters."] });
    if (plan.meters.some((m) => m.handle === input.handle))
      throw new AppError("CONFLICT", "This meter exists.", { handle: ["The plan has a meter with this handle."] });
    // A DomainError (its field: "tiers") reaches the form through the action wrapper (lib/errors.ts).
    assertMeterPricing(input);
    const columns = meterColumns(input);
    const meter = await tx.meter.create({
      data: {
        planId: plan.id,
        handle: input.handle,
        name: input.name,
        structure: input.structure,
        currency: plan.currency,
        ...columns,
        tiers: columns.tiers ?? undefined,
      },
    });
    await recordAudit(tx, user, { action: "meter.create", entityType: "meter", entityId: meter.id, after: { plan: plan.handle, ...input } });
    return { id: meter.id };
  });
}

export async function removeMeter(id: string, user: SessionUser) {
  return db().$transaction(async (tx) => {
    const meter = await tx.meter.findUnique({ where: { id }, include: { plan: true } });
    if (!meter) throw new AppError("NOT_FOUND", "No such meter.");
    await tx.meter.delete({ where: { id } });
    await recordAudit(tx, user, {
      action: "meter.delete",
      entityType: "meter",
      entityId: id,
      before: { plan: meter.plan.handle, handle: meter.handle, structure: meter.structure, unitPrice: meter.unitPrice.toFixed() },
    });
    return { id };
  });
}

export async function addPriceItem(input: { connectionId: string; kind: string; description: string; unitPrice: string; currency: string }, user: SessionUser) {
  return db().$transaction(async (tx) => {
    const c = await tx.connection.findUnique({ where: { id: input.connectionId } });
    if (!c || c.platform !== "wix") throw new AppError("NOT_FOUND", "No such Wix connection.");
    const item = await tx.wixPriceItem.upsert({
      where: { connectionId_kind_currency: { connectionId: c.id, kind: input.kind, currency: input.currency } },
      update: { description: input.description, unitPrice: input.unitPrice },
      create: input,
    });
    await recordAudit(tx, user, { action: "price_item.save", entityType: "price_item", entityId: item.id, after: input });
    return { id: item.id };
  });
}

/** Sandbox: everything from its control API. Live Shopify: a discovery poll at once (the worker runs it). */
export async function refreshConnection(connectionId: string, user: SessionUser, fingerprint?: string) {
  const c = await db().connection.findUniqueOrThrow({ where: { id: connectionId } });
  let result: Record<string, number>;
  if (c.environment === "sandbox") {
    if (!fingerprint) throw new AppError("CONFLICT", "Preview the import first: it lists what would change before anything is replaced.");
    try {
      result = await syncSandboxConnection(c.id, { fingerprint });
    } catch (err) {
      if (err instanceof SandboxChangedError) throw new AppError("CONFLICT", err.message);
      throw err;
    }
  } else if (c.platform === "shopify") {
    // Live Shopify: shops come from discovery (the worker reads the Partner API events); this asks it to poll now.
    if (!c.partnerApiUrl || !c.partnerApiTokenEnc || !c.appGid)
      throw new AppError("CONFLICT", "Add the Partner API URL, token and app GID to this connection first.");
    await db().connection.update({ where: { id: c.id }, data: { discoveryNextAt: new Date() } });
    result = { pollRequested: 1 };
  } else throw new AppError("CONFLICT", "Live Wix connections learn about instances from Wix's calls (charge limit, invoices).");
  await db().$transaction((tx) => recordAudit(tx, user, { action: "connection.refresh", entityType: "connection", entityId: c.id, after: result }));
  return result;
}
