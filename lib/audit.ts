import type { SessionUser } from "./auth/auth";
import { Prisma, type Tx } from "./db/client";

export type AuditEntry = {
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
  note?: string;
};

const toJson = (value: unknown) =>
  value === undefined || value === null
    ? Prisma.DbNull
    : (JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v))) as Prisma.InputJsonValue);

/** Every mutation by a person writes one of these, in the same transaction as the change. */
export async function recordAudit(tx: Tx, actor: Pick<SessionUser, "id" | "email"> | null, entry: AuditEntry) {
  await tx.auditLog.create({
    data: {
      actorId: actor?.id ?? null,
      actorEmail: actor?.email ?? "system",
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId,
      before: toJson(entry.before),
      after: toJson(entry.after),
      note: entry.note ?? null,
    },
  });
}
