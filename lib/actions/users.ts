"use server";

import { revalidatePath } from "next/cache";
import { action } from "../action";
import { recordAudit } from "../audit";
import { hashPassword } from "../auth/auth";
import { db } from "../db/client";
import { AppError } from "../errors";
import { clearThrottleSchema, createUserSchema, updateUserSchema } from "./users.schema";

const publicFields = { id: true, email: true, name: true, role: true, disabled: true } as const;

export const createUserAction = action("admin", createUserSchema, async (input, { user }) => {
  const passwordHash = await hashPassword(input.password);
  const created = await db().$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { email: input.email } })) {
      throw new AppError("CONFLICT", "A user with this email exists.", { email: ["A user with this email exists."] });
    }
    const row = await tx.user.create({ data: { email: input.email, name: input.name, role: input.role, passwordHash }, select: publicFields });
    await recordAudit(tx, user, { action: "user.create", entityType: "user", entityId: row.id, after: row });
    return row;
  });
  revalidatePath("/settings/users");
  return created;
});

export const updateUserAction = action("admin", updateUserSchema, async (input, { user }) => {
  if (input.id === user.id && (input.disabled === true || (input.role && input.role !== "admin"))) {
    throw new AppError("CONFLICT", "You cannot disable yourself or remove your own admin role.");
  }
  const updated = await db().$transaction(async (tx) => {
    const before = await tx.user.findUnique({ where: { id: input.id }, select: publicFields });
    if (!before) throw new AppError("NOT_FOUND", "No such user.");
    const after = await tx.user.update({
      where: { id: input.id },
      data: { ...(input.role ? { role: input.role } : {}), ...(input.disabled !== undefined ? { disabled: input.disabled } : {}) },
      select: publicFields,
    });
    await recordAudit(tx, user, { action: "user.update", entityType: "user", entityId: after.id, before, after });
    return after;
  });
  revalidatePath("/settings/users");
  return updated;
});

/** An admin lets an account or an address try again at once (sign-in throttling). */
export const clearSignInThrottleAction = action("admin", clearThrottleSchema, async (input, { user }) => {
  await db().$transaction(async (tx) => {
    const where = { scope_subject: { scope: input.scope, subject: input.subject } };
    const before = await tx.signInThrottle.findUnique({ where });
    if (!before) throw new AppError("NOT_FOUND", "That counter is already clear.");
    await tx.signInThrottle.delete({ where });
    await recordAudit(tx, user, { action: "auth.throttle_clear", entityType: "sign_in", entityId: `${input.scope}:${input.subject}`, before });
  });
  revalidatePath("/settings/users");
  return { cleared: true };
});
