"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { Button, inputClass } from "@/components/ui/form";
import { retryEventAction, sendHeldEventAction } from "@/lib/actions/events";
import { useFormAction } from "@/lib/hooks/use-form-action";

/** Held: send anyway. Failed: retry with the same idempotency key. Operators only (checked again on the server). */
export function EventActions({ id, state }: { id: string; state: string }) {
  const run = state === "held" ? sendHeldEventAction : retryEventAction;
  const { submit, pending, error, fieldErrors } = useFormAction((input) => run({ id, note: String(input.note ?? "") || undefined }), undefined, { resetOnSuccess: false });
  if (state !== "held" && state !== "failed") return null;
  return (
    <form onSubmit={submit} className="mt-4 flex flex-wrap items-end gap-2 border-t border-zinc-200 pt-4 dark:border-zinc-800">
      <label className="min-w-56 flex-1 text-sm">
        <span className="mb-1 block text-zinc-500">Note (kept in the history and the audit log)</span>
        <input name="note" className={inputClass} aria-invalid={!!fieldErrors?.note} />
      </label>
      <Button type="submit" disabled={pending}>{state === "held" ? "Send anyway" : "Retry delivery (same key)"}</Button>
      {error && <p role="alert" className="w-full text-sm text-red-600">{fieldErrors?.note?.[0] ?? error}</p>}
    </form>
  );
}

/** Re-renders the page every second while the event still waits for delivery or a verdict. */
export function LiveRefresh({ active }: { active: boolean }) {
  const router = useRouter();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") router.refresh();
    }, 1000);
    return () => clearInterval(timer);
  }, [active, router]);
  return active ? <p className="text-xs text-zinc-500" aria-live="polite">Waiting for the platform… this page updates by itself.</p> : null;
}
