"use server";

import { AuthError } from "next-auth";
import { signIn, signOut, throttledUntil } from "../auth/auth";
import { describeWait } from "../auth/throttle";

export type LoginState = { error?: string; email?: string };

/** Only same-site paths are followed after sign-in. */
function safeCallback(value: FormDataEntryValue | null): string {
  const text = typeof value === "string" ? value : "";
  return text.startsWith("/") && !text.startsWith("//") ? text : "/";
}

export async function loginAction(_prev: LoginState, form: FormData): Promise<LoginState> {
  // An action is a public endpoint: a hand-made request may pass anything, or nothing, as the form.
  if (!(form instanceof FormData)) return { error: "Enter your email and password." };
  const email = String(form.get("email") ?? "").trim();
  const password = String(form.get("password") ?? "");
  if (!email || !password) return { error: "Enter your email and password.", email };
  try {
    await signIn("credentials", { email, password, redirectTo: safeCallback(form.get("callbackUrl")) });
    return {};
  } catch (err) {
    if (err instanceof AuthError) {
      const until = throttledUntil((err as AuthError & { code?: string }).code);
      if (until) return { error: `Too many failed sign-ins. Try again ${describeWait(until)}.`, email };
      return { error: "Wrong email or password, or the account is disabled.", email };
    }
    throw err; // the redirect after a successful sign-in
  }
}

export async function logoutAction() {
  await signOut({ redirectTo: "/login" });
}
