"use server";

import { revalidatePath } from "next/cache";
import { action } from "../action";
import { acknowledgeAlert, setAlertWebhook } from "../services/alerts/alerts";
import { acknowledgeAlertSchema, alertWebhookSchema } from "./alerts.schema";

export const acknowledgeAlertAction = action("operator", acknowledgeAlertSchema, async (input, { user }) => {
  const result = await acknowledgeAlert(input.id, user, input.note);
  revalidatePath("/alerts");
  revalidatePath("/shops", "layout");
  return result;
});

export const setAlertWebhookAction = action("admin", alertWebhookSchema, async (input, { user }) => {
  const result = await setAlertWebhook(input, user);
  revalidatePath("/alerts");
  return result;
});
