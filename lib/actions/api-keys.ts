"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "../action";
import { recordAudit } from "../audit";
import { newApiKey } from "../crypto";
import { db } from "../db/client";
import { AppError } from "../errors";

/** The key is returned once, here; only its hash is stored. */
export const createApiKeyAction = action("admin", z.object({ name: z.string().trim().min(1, "Name the key after the service that uses it.").max(100) }), async (input, { user }) => {
  const { key, prefix, hash } = newApiKey();
  const row = await db().$transaction(async (tx) => {
    const created = await tx.ingestApiKey.create({ data: { name: input.name, prefix, hash, createdById: user.id } });
    await recordAudit(tx, user, { action: "api_key.create", entityType: "api_key", entityId: created.id, after: { name: created.name, prefix } });
    return created;
  });
  revalidatePath("/settings");
  return { id: row.id, key };
});

export const revokeApiKeyAction = action("admin", z.object({ id: z.uuid() }), async (input, { user }) => {
  await db().$transaction(async (tx) => {
    const before = await tx.ingestApiKey.findUnique({ where: { id: input.id } });
    if (!before) throw new AppError("NOT_FOUND", "No such key.");
    if (before.revokedAt) throw new AppError("CONFLICT", "This key is already revoked.");
    const after = await tx.ingestApiKey.update({ where: { id: input.id }, data: { revokedAt: new Date() } });
    await recordAudit(tx, user, { action: "api_key.revoke", entityType: "api_key", entityId: input.id, before: { revokedAt: null }, after: { revokedAt: after.revokedAt } });
  });
  revalidatePath("/settings");
  return { id: input.id };
});
