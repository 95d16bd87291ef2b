"use client";

import { Button, inputClass } from "@/components/ui/form";
import { retryEventAction, sendHeldEventAction } from "@/lib/actions/events";
import { markVerdictsAction } from "@/lib/actions/reconcile";
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

/** Records the platform's verdict by hand (e.g. read off the Dev Dashboard), with a required note. */
export function MarkVerdictForm({ id }: { id: string }) {
  const { submit, pending, error, fieldErrors, result } = useFormAction(
    (input) => markVerdictsAction({ eventIds: [id], verdict: input.verdict as never, code: String(input.code ?? "") as never, note: String(input.note ?? "") }),
    undefined,
    { resetOnSuccess: false },
  );
  return (
    <form onSubmit={submit} className="mt-4 flex flex-wrap items-end gap-2 border-t border-zinc-200 pt-4 text-sm dark:border-zinc-800">
      <label className="text-sm">
        <span className="mb-1 block text-zinc-500">Mark verdict by hand</span>
        <select name="verdict" className={`${inputClass.replace("block w-full ", "")} w-40`} defaultValue="non_billable">
          <option value="billable">billable</option><option value="non_billable">non-billable</option><option value="failed">failed with code</option>
        </select>
      </label>
      <label className="text-sm">
        <span className="mb-1 block text-zinc-500">Code</span>
        <select name="code" className={`${inputClass.replace("block w-full ", "")} w-56`} defaultValue="">
          <option value="">(none)</option>
          {["NO_SUBSCRIPTION", "ACCOUNT_FROZEN", "SUBSCRIPTION_NOT_METERED", "INVALID_TIMESTAMP", "IDEMPOTENCY_KEY_ERROR", "INVALID_VALUE", "MISSING_VALUE_KEY", "PERIOD_CLOSED", "INVALID_ACCOUNT"].map((c) => <option key={c}>{c}</option>)}
        </select>
      </label>
      <label className="min-w-56 flex-1 text-sm">
        <span className="mb-1 block text-zinc-500">Note (required)</span>
        <input name="note" aria-label="Verdict note" className={inputClass} aria-invalid={!!fieldErrors?.note} />
      </label>
      <Button type="submit" variant="secondary" disabled={pending}>Mark</Button>
      {error && <p role="alert" className="w-full text-sm text-red-600">{fieldErrors?.note?.[0] ?? fieldErrors?.code?.[0] ?? error}</p>}
      {result?.ok && <p role="status" className="w-full text-sm text-emerald-700">Verdict recorded.</p>}
    </form>
  );
}
