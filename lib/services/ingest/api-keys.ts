import { sha256 } from "../../crypto";
import { db } from "../../db/client";
import type { ApiKeyScope } from "./api-key-scopes";

/** The ingest key behind an `Authorization: Bearer <key>` header, or null. Revoked keys fail. */
export async function authenticateApiKey(header: string | null) {
  const key = /^Bearer\s+(\S+)$/i.exec(header ?? "")?.[1];
  if (!key) return null;
  const row = await db().ingestApiKey.findUnique({ where: { hash: sha256(key) } });
  if (!row || row.revokedAt) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await db().$executeRaw`UPDATE ingest_api_keys SET last_used_at = now() WHERE id = ${row.id}::uuid`;
  }
  return row;
}

/** Whether the key was given `scope` when it was created. */
export const hasScope = (key: { scopes: string[] }, scope: ApiKeyScope) => key.scopes.includes(scope);
