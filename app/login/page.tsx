import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth/auth";
import { LoginForm } from "./login-form";

export const metadata = { title: "Sign in · Billing control room" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string }> }) {
  if (await currentUser()) redirect("/");
  const { callbackUrl } = await searchParams;
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <div className="w-full max-w-sm rounded-xl border border-zinc-200 bg-white p-8 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
        <h1 className="text-xl font-semibold">Billing control room</h1>
        <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">Sign in to see every billing event and its verdict.</p>
        <LoginForm callbackUrl={callbackUrl ?? "/"} />
      </div>
    </main>
  );
}
