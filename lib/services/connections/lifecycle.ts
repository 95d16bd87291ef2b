import { recordAudit } from "../../audit";
import type { SessionUser } from "../../auth/auth";
import { encryptSecret } from "../../crypto";
import { db } from "../../db/client";
import { AppError } from "../../errors";
import type { Prisma } from "../../generated/prisma/client";
import { checkCredentials, type CheckResult } from "./checks";

/**
 * A connection's life after it is created, each step in the audit log in the same transaction
 * (secrets never: only which one changed): edit, rotate a secret (checked against the platform
 * first; a failed check changes nothing), test its credentials, disable / enable delivery, delete
 * (or archive when anything refers to it). lib/actions/connection-lifecycle.ts lets admins call them.
 */
type Actor = Pick<SessionUser, "id" | "email">;

async function findOrThrow(id: string) {
  const c = await db().connection.findUnique({ where: { id } });
  if (!c) throw new AppError("NOT_FOUND", "This connection no longer exists.");
  return c;
}

export async function updateConnection(
  user: Actor,
  input: { id: string; name: string; apiBaseUrl: string; partnerApiUrl?: string | null; alertWebhookUrl?: string | null; personalDataMode?: "refuse" | "warn" },
) {
  const before = await findOrThrow(input.id);
  if (before.platform === "wix" && input.partnerApiUrl)
    throw new AppError("INVALID_INPUT", "Wix connections have no Partner API.", { partnerApiUrl: ["Leave it empty for Wix."] });
  if (before.platform === "wix" && input.personalDataMode === "warn") {
    throw new AppError("INVALID_INPUT", "The personal-data guard is for Shopify attributes.", {
      personalDataMode: ["Wix connections have no attributes to check."],
    });
  }
  const data = {
    name: input.name,
    apiBaseUrl: input.apiBaseUrl.replace(/\/+$/, ""),
    partnerApiUrl: input.partnerApiUrl ?? null,
    alertWebhookUrl: input.alertWebhookUrl ?? null,
    personalDataMode: input.personalDataMode ?? before.personalDataMode,
  };
  const pick = (c: typeof data) => ({
    name: c.name,
    apiBaseUrl: c.apiBaseUrl,
    partnerApiUrl: c.partnerApiUrl,
    alertWebhookUrl: c.alertWebhookUrl,
    personalDataMode: c.personalDataMode,
  });
  await db().$transaction(async (tx) => {
    await tx.connection.update({ where: { id: input.id }, data });
    await recordAudit(tx, user, { action: "connection.update", entityType: "connection", entityId: input.id, before: pick(before), after: pick(data) });
  });
}

export async function rotateConnectionSecret(user: Actor, input: { id: string; secret: "clientSecret" | "partnerApiToken"; value: string }) {
  const c = await findOrThrow(input.id);
  if (input.secret === "partnerApiToken" && c.platform !== "shopify") throw new AppError("INVALID_INPUT", "Only Shopify connections have a Partner API token.");
  const check = await checkCredentials(c, { [input.secret]: input.value }, input.secret === "clientSecret" ? "token" : "partner");
  if (!check.ok) {
    // Nothing changes: the old secret stays in force.
    throw new AppError(
      "INVALID_INPUT",
      `The new ${label(input.secret)} did not work, so the old one is still in use: ${check.steps
        .filter((s) => !s.ok)
        .map((s) => s.detail)
        .join(" ")}`,
      { value: ["The platform refused it."] },
    );
  }
  const column = input.secret === "clientSecret" ? "clientSecretEnc" : "partnerApiTokenEnc";
  await db().$transaction(async (tx) => {
    await tx.connection.update({ where: { id: c.id }, data: { [column]: encryptSecret(input.value), lastAuthErrorAt: null } });
    await recordAudit(tx, user, {
      action: "connection.rotate_secret",
      entityType: "connection",
      entityId: c.id,
      after: { secret: input.secret, checked: check.steps.map((s) => s.step) },
    });
  });
  return { rotated: input.secret, steps: check.steps };
}

export async function testConnection(user: Actor, id: string): Promise<CheckResult> {
  const c = await findOrThrow(id);
  const result = await checkCredentials(c);
  await db().$transaction(async (tx) => {
    await tx.connection.update({
      where: { id: c.id },
      data: { lastTestAt: new Date(), lastTestOk: result.ok, lastTestResult: result as unknown as Prisma.InputJsonValue },
    });
    await recordAudit(tx, user, { action: "connection.test", entityType: "connection", entityId: c.id, after: result });
  });
  return result;
}

export async function setConnectionEnabled(user: Actor, id: string, enabled: boolean) {
  const c = await findOrThrow(id);
  if (c.archivedAt && enabled) throw new AppError("CONFLICT", "An archived connection stays disabled.");
  const disabledAt = enabled ? null : (c.disabledAt ?? new Date());
  await db().$transaction(async (tx) => {
    await tx.connection.update({ where: { id: c.id }, data: { disabledAt } });
    await recordAudit(tx, user, {
      action: enabled ? "connection.enable" : "connection.disable",
      entityType: "connection",
      entityId: c.id,
      before: { disabledAt: c.disabledAt },
      after: { disabledAt },
    });
  });
  return { enabled };
}

/** Deleted when nothing refers to it; otherwise archived (disabled, kept for the ledger). */
export async function deleteOrArchiveConnection(
  user: Actor,
  id: string,
): Promise<{ deleted: true } | { deleted: false; referencedBy: Record<string, number> }> {
  const c = await findOrThrow(id);
  return db().$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM connections WHERE id = ${c.id}::uuid FOR UPDATE`;
    const refs = await tx.connection.findUniqueOrThrow({
      where: { id: c.id },
      select: { _count: { select: { events: true, shops: true, wixInstances: true, alerts: true, wixWebhooks: true, plans: true, wixPriceItems: true } } },
    });
    const inUse = Object.entries(refs._count).filter(([, n]) => n > 0);
    if (inUse.length === 0) {
      await tx.sendPacing.deleteMany({ where: { connectionId: c.id } });
      await tx.connection.delete({ where: { id: c.id } });
      await recordAudit(tx, user, {
        action: "connection.delete",
        entityType: "connection",
        entityId: c.id,
        before: { name: c.name, platform: c.platform, environment: c.environment, clientId: c.clientId },
      });
      return { deleted: true as const };
    }
    const at = new Date();
    await tx.connection.update({ where: { id: c.id }, data: { archivedAt: at, disabledAt: c.disabledAt ?? at } });
    const referencedBy = Object.fromEntries(inUse);
    await recordAudit(tx, user, { action: "connection.archive", entityType: "connection", entityId: c.id, after: { archivedAt: at, referencedBy } });
    return { deleted: false as const, referencedBy };
  });
}

function label(secret: "clientSecret" | "partnerApiToken") {
  return secret === "clientSecret" ? "client secret" : "Partner API token";
}
