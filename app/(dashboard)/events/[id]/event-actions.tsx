"use client";

import { Button, Field, FormError, inputClass } from "@/components/ui/form";
import { retryEventAction, sendHeldEventAction, voidHeldEventAction } from "@/lib/actions/events";
import { markVerdictsAction } from "@/lib/actions/reconcile";
import { useFormAction } from "@/lib/hooks/use-form-action";

/** Held: send anyway. Failed: retry with the same idempotency key. Operators only (checked again on the server). */
export function EventActions({ id, state }: { id: string; state: string }) {
  const run = state === "held" ? sendHeldEventAction : retryEventAction;
  const { submit, pending, error, fieldErrors } = useFormAction((input) => run({ id, note: String(input.note ?? "") || undefined }), undefined, {
    resetOnSuccess: false,
  });
  if (state !== "held" && state !== "failed" && state !== "outcome_unknown") return null;
  return (
    <form onSubmit={submit} className="mt-4 flex flex-wrap items-end gap-2 border-t border-zinc-200 pt-4 dark:border-zinc-800">
      <label className="min-w-56 flex-1 text-sm">
        <span className="mb-1 block text-zinc-500 dark:text-zinc-400">Note (kept in the history and the audit log)</span>
        <input name="note" className={inputClass} aria-invalid={!!fieldErrors?.note} />
      </label>
      <Button type="submit" disabled={pending}>
        {state === "held" ? "Send anyway" : "Retry delivery (same key)"}
      </Button>
      {error && (
        <p role="alert" className="w-full text-sm text-red-600 dark:text-red-400">
          {fieldErrors?.note?.[0] ?? error}
        </p>
      )}
    </form>
  );
}

/** Held: void it with a note (a new ledger entry; nothing is deleted, nothing is sent). Operators only. */
export function VoidEventForm({ id }: { id: string }) {
  const { submit, pending, error, fieldErrors } = useFormAction((input) => voidHeldEventAction({ id, note: String(input.note ?? "") }), undefined, {
    resetOnSuccess: false,
  });
  return (
    <form
      onSubmit={submit}
      noValidate
      className="mt-4 flex flex-wrap items-end gap-2 border-t border-zinc-200 pt-4 dark:border-zinc-800"
      aria-label="Void this event"
      data-testid="void-form"
    >
      <div className="min-w-56 flex-1 text-sm">
        <Field
          label="Why void it? (required)"
          htmlFor={`void-note-${id}`}
          error={fieldErrors?.note}
          hint="It is never sent, and leaves the charts and totals; the entry and the void stay in the ledger."
        >
          <input id={`void-note-${id}`} name="note" className={inputClass} />
        </Field>
      </div>
      <Button type="submit" variant="danger" disabled={pending} aria-busy={pending}>
        {pending ? "Voiding…" : "Void event"}
      </Button>
      {error && !fieldErrors?.note && <FormError className="w-full">{error}</FormError>}
    </form>
  );
}

const CODES = [
  "NO_SUBSCRIPTION",
  "ACCOUNT_FROZEN",
  "SUBSCRIPTION_NOT_METERED",
  "INVALID_TIMESTAMP",
  "IDEMPOTENCY_KEY_ERROR",
  "INVALID_VALUE",
  "MISSING_VALUE_KEY",
  "PERIOD_CLOSED",
  "INVALID_ACCOUNT",
];

/**
 * Records the platform's verdict by hand (e.g. read off the Dev Dashboard), with a required note.
 * Nothing is chosen for the person: the verdict starts empty and the form is refused until one is
 * picked (and a code, for "failed").
 */
export function MarkVerdictForm({ id }: { id: string }) {
  const { submit, pending, error, fieldErrors, result } = useFormAction(
    (input) =>
      markVerdictsAction({
        eventIds: [id],
        verdict: String(input.verdict ?? "") as never,
        code: String(input.code ?? "") as never,
        note: String(input.note ?? ""),
      }),
    undefined,
    { resetOnSuccess: false },
  );
  const narrow = inputClass.replace("block w-full ", "");
  return (
    <form
      onSubmit={submit}
      noValidate
      aria-label="Mark the platform's verdict by hand"
      data-testid="mark-verdict-form"
      className="mt-4 flex flex-wrap items-start gap-3 border-t border-zinc-200 pt-4 text-sm dark:border-zinc-800"
    >
      <p className="w-full text-xs text-zinc-600 dark:text-zinc-400">
        Mark the platform&apos;s verdict by hand, as you read it off the Dev Dashboard log. Kept with your name, the note and the time.
      </p>
      <Field label="Verdict (choose one)" htmlFor={`verdict-${id}`} error={fieldErrors?.verdict}>
        <select id={`verdict-${id}`} name="verdict" className={`${narrow} w-48`} defaultValue="">
          <option value="" disabled>
            Choose…
          </option>
          <option value="billable">billable</option>
          <option value="non_billable">non-billable</option>
          <option value="failed">failed with code</option>
        </select>
      </Field>
      <Field label="Code (for failed)" htmlFor={`code-${id}`} error={fieldErrors?.code}>
        <select id={`code-${id}`} name="code" className={`${narrow} w-56`} defaultValue="">
          <option value="">(none)</option>
          {CODES.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      </Field>
      <div className="min-w-56 flex-1">
        <Field label="Note (required)" htmlFor={`verdict-note-${id}`} error={fieldErrors?.note}>
          <input id={`verdict-note-${id}`} name="note" aria-label="Verdict note" className={inputClass} />
        </Field>
      </div>
      <Button type="submit" variant="secondary" disabled={pending} aria-busy={pending} className="mt-6">
        {pending ? "Marking…" : "Mark"}
      </Button>
      {error && !fieldErrors?.verdict && !fieldErrors?.note && !fieldErrors?.code && <FormError className="w-full">{error}</FormError>}
      {result?.ok && (
        <p role="status" data-form-result tabIndex={-1} className="w-full text-sm text-emerald-700 dark:text-emerald-400">
          Verdict recorded.
        </p>
      )}
    </form>
  );
}
