"use server";

import { revalidatePath } from "next/cache";
import { action } from "../action";
import { deleteOrArchiveConnection, rotateConnectionSecret, setConnectionEnabled, testConnection, updateConnection } from "../services/connections/lifecycle";
import { connectionIdSchema, rotateSecretSchema, setEnabledSchema, updateConnectionSchema } from "./connections.schema";

/** A connection's life for admins (lib/services/connections/lifecycle.ts): each audited. */
const refresh = (id: string) => {
  revalidatePath("/settings");
  revalidatePath(`/settings/connections/${id}`);
};

export const updateConnectionAction = action("admin", updateConnectionSchema, async (input, { user }) => {
  await updateConnection(user, input);
  refresh(input.id);
  return { saved: true };
});

export const rotateSecretAction = action("admin", rotateSecretSchema, async (input, { user }) => {
  const result = await rotateConnectionSecret(user, input);
  refresh(input.id);
  return result;
});

export const testCredentialsAction = action("admin", connectionIdSchema, async (input, { user }) => {
  const result = await testConnection(user, input.id);
  refresh(input.id);
  return result;
});

export const setConnectionEnabledAction = action("admin", setEnabledSchema, async (input, { user }) => {
  const result = await setConnectionEnabled(user, input.id, input.enabled);
  refresh(input.id);
  return result;
});

export const deleteConnectionAction = action("admin", connectionIdSchema, async (input, { user }) => {
  const result = await deleteOrArchiveConnection(user, input.id);
  revalidatePath("/settings");
  return result;
});
