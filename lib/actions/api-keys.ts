"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "../action";
import { recordAudit } from "../audit";
import { newApiKey } from "../crypto";
import { db } from "../db/client";
import { AppError } from "../errors";
import { API_KEY_SCOPES } from "../services/ingest/api-key-scopes";

/** The key is returned once, here; only its hash is stored. */
const createSchema = z.object({
  name: z.string().trim().min(1, "Name the key after the service that uses it.").max(100),
  scopes: z.array(z.enum(API_KEY_SCOPES)).min(1, "Give the key at least one scope.").default(["ingest"]),
});

export const createApiKeyAction = action("admin", createSchema, async (input, { user }) => {
  const { key, prefix, hash } = newApiKey();
  const scopes = [...new Set(input.scopes)];
  const row = await db().$transaction(async (tx) => {
    const created = await tx.ingestApiKey.create({ data: { name: input.name, prefix, hash, createdById: user.id, scopes } });
    await recordAudit(tx, user, { action: "api_key.create", entityType: "api_key", entityId: created.id, after: { name: created.name, prefix, scopes } });
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
    await recordAudit(tx, user, {
      action: "api_key.revoke",
      entityType: "api_key",
      entityId: input.id,
      before: { revokedAt: null },
      after: { revokedAt: after.revokedAt },
    });
  });
  revalidatePath("/settings");
  return { id: input.id };
});
