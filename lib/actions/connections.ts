"use server";

import { revalidatePath } from "next/cache";
import { action } from "../action";
import { recordAudit } from "../audit";
import { encryptSecret } from "../crypto";
import { db } from "../db/client";
import { AppError } from "../errors";
import { createConnectionSchema } from "./connections.schema";

export const createConnectionAction = action("admin", createConnectionSchema, async (input, { user }) => {
  const row = await db().$transaction(async (tx) => {
    const clash = await tx.connection.findFirst({ where: { platform: input.platform, clientId: input.clientId, environment: input.environment } });
    if (clash) throw new AppError("CONFLICT", "This app is already connected.", { clientId: [`Already connected as “${clash.name}”.`] });
    const created = await tx.connection.create({
      data: {
        name: input.name,
        platform: input.platform,
        environment: input.environment,
        apiBaseUrl: input.apiBaseUrl.replace(/\/+$/, ""),
        partnerApiUrl: input.partnerApiUrl ?? null,
        clientId: input.clientId,
        clientSecretEnc: encryptSecret(input.clientSecret),
        appGid: input.appGid ?? null,
        partnerApiTokenEnc: input.partnerApiToken ? encryptSecret(input.partnerApiToken) : null,
        apiKeyEnc: input.apiKey ? encryptSecret(input.apiKey) : null,
        accountId: input.accountId ?? null,
        pluginPublicKey: input.pluginPublicKey ?? null,
        defaultChargeLimit: input.defaultChargeLimit ?? null,
      },
    });
    // Secrets never reach the audit log: only whether they were set.
    await recordAudit(tx, user, {
      action: "connection.create",
      entityType: "connection",
      entityId: created.id,
      after: {
        name: created.name,
        platform: created.platform,
        environment: created.environment,
        apiBaseUrl: created.apiBaseUrl,
        clientId: created.clientId,
        secrets: { clientSecret: true, apiKey: !!input.apiKey, partnerApiToken: !!input.partnerApiToken },
      },
    });
    return created;
  });
  revalidatePath("/settings");
  return { id: row.id };
});
